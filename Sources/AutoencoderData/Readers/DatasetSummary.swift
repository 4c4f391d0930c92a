/// What `autoencoder datasets describe` prints about a data set: its size and shape, how its
/// values are stored, their range, how many samples each class has, and the scaling a
/// model trained on it would use by default.
public struct DatasetSummary: Sendable, Equatable, CustomStringConvertible {
    /// The samples of one class.
    public struct ClassCount: Sendable, Equatable {
        /// The class's name, or its number when the data does not name classes.
        public let name: String
        /// How many samples have it.
        public let count: Int
    }

    /// Where the data came from.
    public let origin: String
    /// The number of samples.
    public let count: Int
    /// The shape of one sample.
    public let sampleShape: [Int]
    /// How the values are stored: "uint8", "float32", or a NumPy array's dtype.
    public let elementType: String
    /// The smallest and largest stored value (before scaling), or `nil` for no values.
    public let range: ClosedRange<Float>?
    /// The samples per class, in class order; `nil` when the data has no labels.
    public let classCounts: [ClassCount]?
    /// The scaling training uses unless told otherwise: ``Scaling/pixels`` for images of bytes.
    public let defaultScaling: Scaling.Method

    /// Summarises `dataset`, reading every value once (a batch at a time, so a mapped file
    /// is streamed, not loaded).
    public init(_ dataset: Dataset) {
        origin = dataset.origin
        count = dataset.count
        sampleShape = dataset.sampleShape
        switch dataset.store {
        case is ByteSamples: elementType = "uint8"
        case is FloatSamples: elementType = "float32"
        case let mapped as MappedArraySamples: elementType = mapped.elementType.description
        default: elementType = "\(type(of: dataset.store))"
        }
        let width = dataset.width, batch = max(1, (1 << 20) / max(width, 1))
        var low = Float.infinity, high = -Float.infinity
        var buffer = [Float](repeating: 0, count: batch * width)
        var start = 0
        while start < dataset.count {
            let rows = min(batch, dataset.count - start)
            let indices = (start..<(start + rows)).map(dataset.storedIndex(of:))
            buffer.withUnsafeMutableBufferPointer { out in
                indices.withUnsafeBufferPointer { dataset.store.copyRawSamples(at: $0, into: out.baseAddress!) }
                for value in out[..<(rows * width)] {
                    low = min(low, value)
                    high = max(high, value)
                }
            }
            start += rows
        }
        range = low <= high ? low...high : nil
        if let labels = dataset.labels {
            var counts: [Int: Int] = [:]
            for label in labels { counts[label, default: 0] += 1 }
            let names = dataset.classNames
            classCounts = counts.keys.sorted().map { label in
                let name = names.flatMap { label >= 0 && label < $0.count ? $0[label] : nil } ?? String(label)
                return ClassCount(name: name, count: counts[label]!)
            }
        } else {
            classCounts = nil
        }
        // What `train` fits when no --scale is given: pixels stay ÷ 255, everything else minmax.
        defaultScaling = dataset.scaling.method == .pixels ? .pixels : .minmax
    }

    /// Several lines of `key: value`.
    public var description: String {
        var lines = [
            "origin: \(origin)",
            "samples: \(count)",
            "sample shape: \(sampleShape.map(String.init).joined(separator: "x"))"
                + (sampleShape.count == 3 ? " (channels x height x width)" : " (features)"),
            "stored as: \(elementType)",
            "value range: " + (range.map { "\($0.lowerBound) to \($0.upperBound)" } ?? "no values"),
        ]
        if let classCounts {
            lines.append("classes: \(classCounts.count)")
            lines += classCounts.map { "  \($0.name): \($0.count)" }
        } else {
            lines.append("labels: none")
        }
        let scaling = switch defaultScaling {
        case .pixels: "pixels (each value divided by 255)"
        case .none: "none (values used as they are; --scale minmax or standard fits one on the training set)"
        case .minmax: "minmax, fitted on the training set (--scale standard or none to choose another)"
        case .standard: "standard"
        }
        lines.append("default scaling: \(scaling)")
        return lines.joined(separator: "\n")
    }
}
