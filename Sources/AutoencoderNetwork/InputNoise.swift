/// Masking noise for a denoising autoencoder (Vincent et al., 2008): each value of a batch
/// is set to 0 with probability `share`, the same draw for every run with the same seed.
///
/// Why by hand and not a `nextUnitDouble()` per value: a batch of 256 MNIST images is
/// 200,704 values; one 64-bit draw gives four 16-bit uniforms, so a batch costs about
/// 50,000 draws (under 0.1 ms) instead of a fifth of a training step. The share is rounded
/// to a multiple of 1/65536.
extension RandomGenerator {
    /// Sets each of the `count` values at `values` to 0 with probability `share` (in [0, 1)).
    package mutating func dropValues(_ values: UnsafeMutablePointer<Float>, count: Int, share: Float) {
        precondition(share >= 0 && share < 1, "The share of values dropped must be in [0, 1), not \(share).")
        let threshold = UInt32((Double(share) * 65536).rounded())
        guard threshold > 0 else { return }
        var index = 0
        while index < count {
            var bits = next()
            for _ in 0..<4 where index < count {
                if UInt32(bits & 0xFFFF) < threshold { values[index] = 0 }
                bits >>= 16
                index += 1
            }
        }
    }
}

/// Gaussian noise for a denoising autoencoder, as the Keras blog adds it: each value gets
/// `factor` times a standard normal draw and is clipped to [0, 1].
///
/// By hand, as ``dropValues(_:count:share:)``: both Box–Muller outputs of a pair of 32-bit
/// uniforms are used, in `Float`, so a batch costs one 64-bit draw per two values.
extension RandomGenerator {
    /// Adds `factor · N(0, 1)` to each of the `count` values at `values` and clips it to [0, 1].
    package mutating func addGaussianNoise(_ values: UnsafeMutablePointer<Float>, count: Int, factor: Float) {
        precondition(factor >= 0 && factor.isFinite, "The noise factor must be a finite number of at least 0, not \(factor).")
        guard factor > 0 else { return }
        var index = 0
        while index < count {
            let bits = next()
            let u1 = (Float(UInt32(truncatingIfNeeded: bits) >> 8) + 1) * 0x1p-24   // (0, 1]: a finite logarithm
            let u2 = Float(UInt32(truncatingIfNeeded: bits >> 32) >> 8) * 0x1p-24
            let radius = (-2 * _logf(u1)).squareRoot() * factor
            let angle = 2 * Float.pi * u2
            values[index] = min(max(values[index] + radius * _cosf(angle), 0), 1)
            index += 1
            if index < count {
                values[index] = min(max(values[index] + radius * _sinf(angle), 0), 1)
                index += 1
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _logf(_ x: Float) -> Float { Glibc.logf(x) }
@inline(__always) private func _cosf(_ x: Float) -> Float { Glibc.cosf(x) }
@inline(__always) private func _sinf(_ x: Float) -> Float { Glibc.sinf(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _logf(_ x: Float) -> Float { Darwin.logf(x) }
@inline(__always) private func _cosf(_ x: Float) -> Float { Darwin.cosf(x) }
@inline(__always) private func _sinf(_ x: Float) -> Float { Darwin.sinf(x) }
#endif
