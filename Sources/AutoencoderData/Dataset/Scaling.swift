/// How raw values become a model's inputs, fitted on the training data and saved with the
/// model, so that every later command scales new data the same way and decoded outputs
/// go back to the data's own units.
///
/// Each feature `j` becomes `(x - offsets[j]) * factors[j]`; ``Method-swift.enum/pixels``
/// divides every value by 255 instead (images), and ``Method-swift.enum/none`` leaves
/// values alone.
public struct Scaling: Codable, Sendable, Equatable {
    /// The kinds of scaling, by their `--scale` names.
    public enum Method: String, Codable, Sendable, CaseIterable {
        /// Values are used as they are.
        case none
        /// Bytes of an image divided by 255, into [0, 1].
        case pixels
        /// Each feature mapped from its training minimum and maximum onto [0, 1].
        case minmax
        /// Each feature's training mean subtracted and the result divided by its standard deviation.
        case standard
    }

    /// The kind of scaling.
    public let method: Method
    /// The value subtracted from each feature (empty for `none` and `pixels`).
    public let offsets: [Float]
    /// The factor each feature is multiplied by after the offset (empty for `none` and `pixels`).
    public let factors: [Float]

    /// Leaves values alone.
    public static let none = Scaling(method: .none, offsets: [], factors: [])
    /// Divides by 255: the scaling of every image data set.
    public static let pixels = Scaling(method: .pixels, offsets: [], factors: [])

    /// A scaling with explicit per-feature offsets and factors (for `minmax` and `standard`).
    public init(method: Method, offsets: [Float], factors: [Float]) {
        precondition(offsets.count == factors.count, "a scaling needs as many factors as offsets")
        self.method = method
        self.offsets = offsets
        self.factors = factors
    }

    /// Fits `method` on the stored values of every sample of `data` (the training data:
    /// never the test data), whatever scaling `data` has now.
    ///
    /// A constant feature, whose range or deviation is 0, keeps a factor of 1, so it becomes
    /// 0 instead of a division by zero.
    public static func fit(_ method: Method, to data: Dataset) -> Scaling {
        switch method {
        case .none: return .none
        case .pixels: return .pixels
        case .minmax, .standard: break
        }
        let store = data.store, width = data.width, count = data.count
        var low = [Double](repeating: .infinity, count: width), high = [Double](repeating: -.infinity, count: width)
        var sum = [Double](repeating: 0, count: width), squares = [Double](repeating: 0, count: width)
        // A chunk of samples at a time through the store's batch copy, which a memory-mapped
        // store releases after each batch: a fit over a file larger than memory stays small.
        let chunk = Swift.max(1, 1 << 20 / Swift.max(width, 1))
        var buffer = [Float](repeating: 0, count: chunk * width)
        var indices = [Int](repeating: 0, count: chunk)
        var start = 0
        while start < count {
            let n = Swift.min(chunk, count - start)
            for i in 0..<n { indices[i] = data.storedIndex(of: start + i) }
            indices.withUnsafeBufferPointer { indices in
                buffer.withUnsafeMutableBufferPointer { buffer in
                    store.copyRawSamples(at: UnsafeBufferPointer(rebasing: indices[..<n]), into: buffer.baseAddress!)
                }
            }
            for row in 0..<n {
                for feature in 0..<width {
                    let x = Double(buffer[row * width + feature])
                    low[feature] = Swift.min(low[feature], x)
                    high[feature] = Swift.max(high[feature], x)
                    sum[feature] += x
                    squares[feature] += x * x
                }
            }
            start += n
        }
        var offsets = [Float](), factors = [Float]()
        for feature in 0..<width {
            if method == .minmax {
                let range = high[feature] - low[feature]
                offsets.append(count == 0 ? 0 : Float(low[feature]))
                factors.append(range > 0 && range.isFinite ? Float(1 / range) : 1)
            } else {
                let mean = count == 0 ? 0 : sum[feature] / Double(count)
                let variance = count == 0 ? 0 : Swift.max(0, squares[feature] / Double(count) - mean * mean)
                let deviation = variance.squareRoot()
                offsets.append(Float(mean))
                factors.append(deviation > 0 && deviation.isFinite ? Float(1 / deviation) : 1)
            }
        }
        return Scaling(method: method, offsets: offsets, factors: factors)
    }

    /// Whether the scaling can be applied to samples of `width` values.
    public func fits(width: Int) -> Bool { offsets.isEmpty || offsets.count == width }

    /// Scales `rows` samples of `width` values in place.
    package func apply(to values: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        switch method {
        case .none: return
        case .pixels:
            for i in 0..<(rows * width) { values[i] = values[i] / 255 }
        case .minmax, .standard:
            precondition(offsets.count == width, "a scaling fitted on \(offsets.count) features cannot scale \(width)")
            offsets.withUnsafeBufferPointer { offsets in
                factors.withUnsafeBufferPointer { factors in
                    for row in 0..<rows {
                        let sample = values + row * width
                        for j in 0..<width { sample[j] = (sample[j] - offsets[j]) * factors[j] }
                    }
                }
            }
        }
    }

    /// Scales an array of samples of `width` values.
    public func applied(to values: [Float], width: Int) -> [Float] {
        var copy = values
        guard !values.isEmpty else { return copy }
        copy.withUnsafeMutableBufferPointer { apply(to: $0.baseAddress!, rows: values.count / Swift.max(width, 1), width: width) }
        return copy
    }

    /// Undoes the scaling in place: a model's outputs back into the data's own units.
    package func invert(_ values: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        switch method {
        case .none: return
        case .pixels:
            for i in 0..<(rows * width) { values[i] = values[i] * 255 }
        case .minmax, .standard:
            precondition(offsets.count == width, "a scaling fitted on \(offsets.count) features cannot invert \(width)")
            for row in 0..<rows {
                let sample = values + row * width
                for j in 0..<width { sample[j] = sample[j] / factors[j] + offsets[j] }
            }
        }
    }

    /// An array of samples of `width` values back in the data's own units.
    public func inverted(_ values: [Float], width: Int) -> [Float] {
        var copy = values
        guard !values.isEmpty else { return copy }
        copy.withUnsafeMutableBufferPointer { invert($0.baseAddress!, rows: values.count / Swift.max(width, 1), width: width) }
        return copy
    }
}
