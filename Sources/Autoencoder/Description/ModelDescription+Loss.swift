extension ModelDescription {
    /// Whether the loss applies the last layer's activation itself (binary cross-entropy
    /// after a sigmoid is computed from logits), so that the last layer is built without
    /// it and followed by a standalone activation layer the trainer skips.
    var lossFusesLastActivation: Bool {
        loss.kind == .binaryCrossEntropy && decoder.last?.activation == .sigmoid
    }

    /// A standalone activation layer of `width` values.
    static func activationLayer(_ activation: Activation, width: Int) -> any Layer {
        ActivationLayer(width: width, activation: activation)
    }

    /// The loss the description names, ready to use: binary cross-entropy from logits when
    /// the model ends in a sigmoid.
    public func makeLoss() -> any Loss {
        let reduction: Reduction = switch loss.reduction {
        case .mean: .mean
        case .sum: .sum
        case .sumPerSample: .sumPerSample
        }
        switch loss.kind {
        case .meanSquaredError: return MeanSquaredError(reduction: reduction)
        case .meanAbsoluteError: return MeanAbsoluteError(reduction: reduction)
        case .binaryCrossEntropy: return BinaryCrossEntropy(fromLogits: lossFusesLastActivation, reduction: reduction)
        }
    }
}
