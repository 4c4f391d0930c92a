/// Vectorised transcendental functions for the activations.
///
/// Foundation's scalar `exp` costs as much per element as the matrix products of
/// the tutorial's models, so the sigmoid and tanh use this 8-lane version instead:
/// Cody–Waite range reduction `x = n·ln2 + r`, a degree-6 polynomial for `e^r` on
/// `|r| ≤ ln2/2`, and `2^n` built directly in the exponent bits. Relative error is
/// below 2e-7 over the clamped range [-87.3, 88.3] (tested against Foundation).
/// Only multiplies and adds are used, so the code vectorises at the baseline
/// x86-64 target without FMA.
public enum FastMath {
    /// Eight single-precision lanes: two SSE registers at the baseline target.
    public typealias Vector = SIMD8<Float>

    /// `e^x` for each lane, with `x` clamped to [-87.3, 88.3] so the result stays a
    /// finite normal float.
    @inlinable @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let x = x.clamped(lowerBound: Vector(repeating: -87.3), upperBound: Vector(repeating: 88.3))
        // Round x/ln2 to the nearest integer n with the 1.5·2^23 trick: after the
        // addition, the low mantissa bits of `shifted` hold n in two's complement.
        let shifted = x * 1.442_695_04 + 12_582_912.0
        let n = shifted - 12_582_912.0
        let r = x - n * 0.693_145_751_953_125 - n * 1.428_606_765_330_187e-6
        var p = r * (1.0 / 720.0) + (1.0 / 120.0)
        p = p * r + (1.0 / 24.0)
        p = p * r + (1.0 / 6.0)
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        // 2^n: put n + 127 into the exponent field (the shift drops the 1.5·2^23 bits).
        let bits = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: Vector.self)
    }

    /// The logistic sigmoid `1 / (1 + e^-x)` for each lane.
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Vector) -> Vector {
        1 / (1 + exp(-x))
    }

    /// The hyperbolic tangent for each lane, as `1 − 2 / (e^2x + 1)`.
    @inlinable @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        1 - 2 / (exp(x + x) + 1)
    }

    /// The scalar sigmoid, with the same arithmetic as the vector one.
    @inlinable
    public static func sigmoid(_ x: Float) -> Float { sigmoid(Vector(repeating: x))[0] }

    /// The scalar `e^x`, with the same arithmetic as the vector one.
    @inlinable
    public static func exp(_ x: Float) -> Float { exp(Vector(repeating: x))[0] }

    /// The scalar tanh, with the same arithmetic as the vector one.
    @inlinable
    public static func tanh(_ x: Float) -> Float { tanh(Vector(repeating: x))[0] }
}
