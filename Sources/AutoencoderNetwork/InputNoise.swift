/// Masking noise for a denoising autoencoder (Vincent et al., 2008): each value of a batch
/// is set to 0 with probability `share`, the same draw for every run with the same seed.
///
/// Why by hand and not a `nextUnitDouble()` per value: a batch of 256 MNIST images is
/// 200,704 values; one 64-bit draw gives four 16-bit uniforms, so a batch costs about
/// 50,000 draws (under 0.1 ms) instead of a fifth of a training step. The share is rounded
/// to a multiple of 1/65536.
extension RandomGenerator {
    /// Sets each of the `count` values at `values` to 0 with probability `share` (in [0, 1)).
    public mutating func dropValues(_ values: UnsafeMutablePointer<Float>, count: Int, share: Float) {
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
