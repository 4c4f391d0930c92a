/// The fused elementwise passes of a training step, vectorised with `SIMD8<Float>`.
///
/// Layout assumed throughout: a batch is a row-major `rows × columns` block of
/// contiguous floats (one sample per row, no padding); per-feature vectors such as
/// biases have `columns` elements. Each pass reads and writes its data once, and the
/// large ones are split over the cores by ``Parallel/forEachChunk(of:alignment:_:)``.
public enum ElementwiseKernels {
    public typealias Vector = SIMD8<Float>

    /// The nonlinearities the kernels know, named by their effect on a value.
    public enum Nonlinearity: Sendable {
        /// `y = x`.
        case identity
        /// `y = 1 / (1 + e^-x)`.
        case sigmoid
        /// `y = max(0, x)`.
        case relu
        /// `y = tanh x`.
        case tanh
    }

    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inlinable @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    @inlinable @inline(__always)
    static func apply(_ f: Nonlinearity, _ x: Vector) -> Vector {
        switch f {
        case .identity: return x
        case .sigmoid: return FastMath.sigmoid(x)
        case .relu: return x.replacing(with: 0, where: x .< 0)
        case .tanh: return FastMath.tanh(x)
        }
    }

    /// The derivative of `f` expressed through its output `y` (all four can be).
    @inlinable @inline(__always)
    static func derivative(_ f: Nonlinearity, output y: Vector) -> Vector {
        switch f {
        case .identity: return Vector(repeating: 1)
        case .sigmoid: return y * (1 - y)
        case .relu: return Vector(repeating: 0).replacing(with: 1, where: y .> 0)
        case .tanh: return 1 - y * y
        }
    }

    /// `values[r, c] ← f(values[r, c] + bias[c])` for every element: the second half of a
    /// dense layer's forward pass, after the matrix product wrote `x·Wᵀ` into `values`.
    @inlinable
    public static func addBiasAndActivate(
        _ values: MutableMatrixView, bias: UnsafePointer<Float>, _ f: Nonlinearity
    ) {
        let columns = values.columns
        let tail = columns - columns % Vector.scalarCount
        Parallel.forEachChunk(of: values.count, alignment: columns) { range in
            let firstRow = range.lowerBound / columns, endRow = range.upperBound / columns
            for row in firstRow..<endRow {
                let p = values.base + row * columns
                var c = 0
                while c < tail {
                    store(apply(f, load(p + c) + load(bias + c)), p + c)
                    c += Vector.scalarCount
                }
                while c < columns {
                    p[c] = apply(f, Vector(repeating: p[c] + bias[c]))[0]
                    c += 1
                }
            }
        }
    }

    /// `gradient ← gradient ⊙ f'(output)`: turns the loss gradient with respect to a
    /// layer's output into the gradient with respect to its pre-activation.
    @inlinable
    public static func multiplyByDerivative(
        _ gradient: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, count: Int, _ f: Nonlinearity
    ) {
        if f == .identity { return }
        Parallel.forEachChunk(of: count) { range in
            var i = range.lowerBound
            while i + Vector.scalarCount <= range.upperBound {
                store(load(gradient + i) * derivative(f, output: load(output + i)), gradient + i)
                i += Vector.scalarCount
            }
            while i < range.upperBound {
                gradient[i] *= derivative(f, output: Vector(repeating: output[i]))[0]
                i += 1
            }
        }
    }

    /// `sums[c] ← Σ_r values[r, c]`: a bias's gradient from its layer's pre-activation gradient.
    @inlinable
    public static func sumRows(_ values: MatrixView, into sums: UnsafeMutablePointer<Float>) {
        let columns = values.columns
        sums.update(repeating: 0, count: columns)
        let tail = columns - columns % Vector.scalarCount
        for row in 0..<values.rows {
            let p = values.base + row * columns
            var c = 0
            while c < tail {
                store(load(sums + c) + load(p + c), sums + c)
                c += Vector.scalarCount
            }
            while c < columns {
                sums[c] += p[c]
                c += 1
            }
        }
    }

    /// Writes `scale · (prediction − target)` into `gradient` and returns `Σ (prediction − target)²`
    /// (accumulated per row in `Float` lanes, across rows in `Double`).
    @inlinable
    public static func squaredErrorAndGradient(
        prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int,
        scale: Float, gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        var total = 0.0
        let block = 4096
        var start = 0
        while start < count {
            let end = min(start + block, count)
            var lanes = Vector.zero
            var i = start
            while i + Vector.scalarCount <= end {
                let d = load(prediction + i) - load(target + i)
                lanes += d * d
                if let gradient { store(d * scale, gradient + i) }
                i += Vector.scalarCount
            }
            var sum = Double(lanes.sum())
            while i < end {
                let d = prediction[i] - target[i]
                sum += Double(d * d)
                gradient?[i] = d * scale
                i += 1
            }
            total += sum
            start = end
        }
        return total
    }

    /// True when every element is finite (no NaN and no infinity).
    @inlinable
    public static func allFinite(_ values: UnsafePointer<Float>, count: Int) -> Bool {
        var acc = Vector.zero
        var i = 0
        while i + Vector.scalarCount <= count {
            acc += load(values + i) * 0
            i += Vector.scalarCount
        }
        var scalar: Float = 0
        while i < count { scalar += values[i] * 0; i += 1 }
        // x·0 is 0 for finite x and NaN for NaN or ±∞.
        return acc.sum() == 0 && scalar == 0
    }
}
