/// The seeded random number generator behind every random choice of a run:
/// initial weights, batch shuffles and sampling.
///
/// It is xoshiro256** (Blackman and Vigna, 2018) seeded through SplitMix64, written
/// here rather than taken from the standard library because the standard library's
/// generator cannot be seeded and its `shuffle` and `random(in:)` algorithms may change
/// between Swift releases; a run must be repeatable bit for bit from its `--seed`.
/// The four state words are public so checkpoints can save and restore them.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    /// The generator's 256-bit state.
    public var state: (UInt64, UInt64, UInt64, UInt64) {
        get { (s0, s1, s2, s3) }
        set { (s0, s1, s2, s3) = newValue }
    }
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Creates a generator whose sequence is determined by `seed` alone.
    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        (s0, s1, s2, s3) = (next(), next(), next(), next())
    }

    /// Creates a generator that continues from a saved ``state``.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Whether the two generators will draw the same numbers from now on.
    public static func == (a: RandomGenerator, b: RandomGenerator) -> Bool { a.state == b.state }

    /// A uniform `Double` in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "The bound must be positive.")
        let bound = UInt64(bound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    /// A uniform `Double` in (0, 1] with 53 random bits: never 0, so its logarithm is finite.
    public mutating func nextPositiveUnitDouble() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }

    /// A standard normal value, by the Box–Muller transform in `Double`:
    /// `√(−2 log u₁) · cos(2π u₂)` with `u₁` from ``nextPositiveUnitDouble()`` and `u₂` from
    /// ``nextUnitDouble()``, drawn in that order.
    public mutating func nextStandardNormal() -> Double {
        let u1 = nextPositiveUnitDouble()
        let u2 = nextUnitDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Shuffles `indices` in place with the Fisher–Yates algorithm.
    public mutating func shuffle(_ indices: inout [Int]) {
        var i = indices.count - 1
        while i > 0 {
            let j = nextInt(below: i + 1)
            indices.swapAt(i, j)
            i -= 1
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
