import AutoencoderKernels
import AutoencoderNumerics
import CAutoencoderKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A variational autoencoder's sampling layer: from `2k` values per sample, the means μ
/// then the log-variances log σ² of a diagonal Gaussian (the two dense heads of an
/// encoder, concatenated), it draws the code `z = μ + σ·ε`, ε ~ N(0, 1), and adds the
/// weighted KL divergence from N(0, 1) to the loss (the `Sampling` layer of Keras's VAE
/// example together with the KL term its training step adds; β-VAE's β is ``klWeight``).
///
/// In training (``LayerContext/isTraining``) ε is drawn from ``LayerContext/generator``
/// and kept in the layer's scratch memory for the backward pass, and
/// `β · (−½ Σ(1 + log σ² − μ² − σ²))` per sample, averaged over the batch, is added to
/// ``LayerContext/addedLoss``. At inference the code is the mean, `z = μ`, and nothing is
/// added. The backward pass adds the reparameterisation gradient (∂z/∂μ = 1,
/// ∂z/∂log σ² = ½σε) and the KL term's (βμ/batch and β(σ² − 1)/(2·batch)).
///
/// The draws come from the generator in order, in Swift; the logarithms, cosines and
/// exponentials they go through run in C over the cores (`ae_sampling_forward`), with the
/// values those expressions have one by one.
public struct Sampling: Layer, Equatable {
    /// `k`, the number of code values per sample (the input has `2k`).
    public let codeWidth: Int
    /// β, the weight of the KL term (1 for a plain variational autoencoder).
    public var klWeight: Float

    /// Creates the layer for codes of `codeWidth` values; `klWeight` must be finite and
    /// not negative.
    public init(codeWidth: Int, klWeight: Float = 1) {
        precondition(codeWidth > 0, "A sampling layer needs a positive code width.")
        precondition(klWeight >= 0 && klWeight.isFinite, "The KL weight must be finite and not negative.")
        self.codeWidth = codeWidth
        self.klWeight = klWeight
    }

    /// The number of features each input row has: `2k`, the means then the log-variances.
    public var inputWidth: Int { 2 * codeWidth }
    /// The number of features each output row has: `k`.
    public var outputWidth: Int { codeWidth }
    /// None.
    public var parameterShapes: [ParameterShape] { [] }
    /// For example `"Sampling(64 → 32, β 1.0)"`.
    public var summary: String { "Sampling(\(inputWidth) → \(codeWidth), β \(klWeight))" }

    /// The noise ε of a batch (`batchSize × k` floats, kept for the backward pass), then room
    /// for its uniform draws and KL terms (`3 × batchSize × k` doubles, after one float that
    /// keeps them 8-byte aligned).
    public func scratchCount(batchSize: Int) -> Int { 7 * batchSize * codeWidth + 1 }

    /// Nothing to draw.
    public func initialize(_ parameters: MutableVectorView, using generator: inout RandomGenerator) {}

    /// `z = μ + exp(½ log σ²)·ε` in training (ε stored in the scratch memory, the KL term
    /// added to the context's loss), `z = μ` otherwise.
    public func forward(
        _ input: MatrixView, parameters: VectorView,
        into output: MutableMatrixView, context: inout LayerContext
    ) {
        precondition(input.rows == output.rows && input.columns == inputWidth && output.columns == codeWidth,
                     "Sampling layer shapes disagree.")
        let k = codeWidth
        guard context.isTraining else {
            for r in 0..<input.rows {
                (output.base + r * k).update(from: input.base + r * 2 * k, count: k)
            }
            return
        }
        guard let scratch = context.scratch, scratch.count >= scratchCount(batchSize: input.rows) else {
            preconditionFailure("A sampling layer needs its scratch memory.")
        }
        let count = input.rows * k
        let noise = scratch.base
        let doubles = UnsafeMutableRawPointer(noise + count).alignedUp(for: Double.self)
            .bindMemory(to: Double.self, capacity: 3 * count)
        let uniforms = doubles, terms = doubles + 2 * count
        // Each ε takes u₁ then u₂, as nextStandardNormal() draws them.
        for i in 0..<count {
            uniforms[2 * i] = context.generator.nextPositiveUnitDouble()
            uniforms[2 * i + 1] = context.generator.nextUnitDouble()
        }
        ae_sampling_forward(input.base, input.rows, k, uniforms, noise, output.base, terms)
        var divergence: Double = 0
        for i in 0..<count { divergence += terms[i] }
        if input.rows > 0 {
            context.addedLoss += Double(klWeight) * divergence / Double(input.rows)
        }
    }

    /// `∂L/∂μ = ∂L/∂z + βμ/batch` and `∂L/∂log σ² = ∂L/∂z · ½σε + β(σ² − 1)/(2·batch)` in
    /// training; `∂L/∂μ = ∂L/∂z` and 0 for the log-variances at inference.
    public func backward(
        input: MatrixView, output: MatrixView, outputGradient: MutableMatrixView,
        parameters: VectorView, parameterGradients: MutableVectorView,
        inputGradient: MutableMatrixView?, context: inout LayerContext
    ) {
        guard let inputGradient else { return }
        precondition(inputGradient.rows == outputGradient.rows && inputGradient.columns == inputWidth
                     && outputGradient.columns == codeWidth, "Sampling layer shapes disagree.")
        let k = codeWidth
        guard context.isTraining else {
            for r in 0..<outputGradient.rows {
                let g = inputGradient.base + r * 2 * k
                g.update(from: outputGradient.base + r * k, count: k)
                (g + k).update(repeating: 0, count: k)
            }
            return
        }
        guard let noise = context.scratch?.base else { preconditionFailure("A sampling layer needs its scratch memory.") }
        guard outputGradient.rows > 0 else { return }
        let weight = klWeight / Float(outputGradient.rows)
        for r in 0..<outputGradient.rows {
            let mean = input.base + r * 2 * k, logVariance = mean + k
            let gz = outputGradient.base + r * k, g = inputGradient.base + r * 2 * k
            for j in 0..<k {
                let sigma = exp(0.5 * logVariance[j])
                g[j] = gz[j] + weight * mean[j]
                g[k + j] = gz[j] * 0.5 * sigma * noise[r * k + j] + weight * 0.5 * (sigma * sigma - 1)
            }
        }
    }
}

extension Sampling {
    /// The layer in a model description: `{"kind": "Sampling", "kl_weight": 1}`. It takes
    /// a vector of an even number `2k` of values (the means, then the log-variances) and
    /// gives `k`. `kl_weight` (β, default 1) must not be negative.
    public struct Specification: LayerSpecification, Equatable {
        /// `"Sampling"`.
        public static let kind = "Sampling"
        /// β, the weight of the KL term.
        public var klWeight: Float

        /// Creates a specification.
        public init(klWeight: Float = 1) {
            self.klWeight = klWeight
        }

        /// The kind has no activation: always `nil`, and setting it does nothing.
        public var activation: Activation? {
            get { nil }
            set {}
        }

        private enum CodingKeys: String, CodingKey { case klWeight }

        /// Reads β, refusing unknown fields and a negative or non-finite β.
        public init(from decoder: any Decoder) throws {
            try LayerFields.check(decoder, known: ["klWeight"], kind: Self.kind)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            klWeight = try container.decodeIfPresent(Float.self, forKey: .klWeight) ?? 1
            guard klWeight >= 0 && klWeight.isFinite else {
                throw LayerFieldError(field: "kl_weight", reason: "must be a finite number not below 0, not \(klWeight)")
            }
        }

        /// Half the input's width, from a vector of even width.
        public func outputShape(for input: SampleShape) throws(LayerShapeProblem) -> SampleShape {
            guard input.dimensions.count == 1 else {
                throw LayerShapeProblem("it takes a vector of means then log-variances but is given \(input) (put a Flatten and a Dense before it)")
            }
            guard input.width > 0, input.width % 2 == 0 else {
                throw LayerShapeProblem("it takes the means then the log-variances, an even number of values, but is given \(input.width)")
            }
            return .vector(input.width / 2)
        }

        /// The sampling layer.
        public func makeLayer(for input: SampleShape) -> any Layer {
            Sampling(codeWidth: input.width / 2, klWeight: klWeight)
        }

        /// One module: PyTorch has no sampling module, the example's `reparameterize` becomes one.
        public var moduleCount: Int { 1 }
    }
}
