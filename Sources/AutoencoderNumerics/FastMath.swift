import CAutoencoderKernels

/// The vectorised `exp`, sigmoid and tanh behind the activations, exposed for checks
/// and comparisons.
///
/// Foundation's scalar `exp` costs as much per element as the matrix products of the
/// tutorial's models, so the kernels use their own: Cody–Waite range reduction, a
/// degree-6 polynomial and `2^n` built in the exponent bits, accurate to about 2e-7
/// relative on [-87.3, 88.3] (inputs are clamped there; NaN passes through).
public enum FastMath {
    /// `e^x` for each value.
    public static func exp(_ values: [Float]) -> [Float] { map(values, ae_exp) }
    /// `1 / (1 + e^-x)` for each value.
    public static func sigmoid(_ values: [Float]) -> [Float] { map(values, ae_sigmoid) }
    /// `tanh x` for each value.
    public static func tanh(_ values: [Float]) -> [Float] { map(values, ae_tanh) }

    /// The vector instruction set the elementwise kernels run on here, such as `"AVX-512"`
    /// (every kernel uses the same one: ``InstructionSet/active``).
    public static var instructionSet: String { InstructionSet.active.description }

    private static func map(
        _ values: [Float], _ kernel: (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
    ) -> [Float] {
        [Float](unsafeUninitializedCapacity: values.count) { output, initialized in
            values.withUnsafeBufferPointer { kernel($0.baseAddress, output.baseAddress, values.count) }
            initialized = values.count
        }
    }
}
