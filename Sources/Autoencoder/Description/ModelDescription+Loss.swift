extension ModelDescription {
    /// Whether the loss applies the last layer's activation itself (binary cross-entropy
    /// after a sigmoid is computed from logits), so that the last layer is built without
    /// it and followed by a standalone activation layer the trainer skips.
    var lossFusesLastActivation: Bool { false }

    /// A standalone activation layer of `width` values.
    static func activationLayer(_ activation: Activation, width: Int) -> any Layer {
        fatalError("unreachable until the activation layer lands")
    }

    /// The loss the description names, ready to use.
    public func makeLoss() -> any Loss {
        MeanSquaredError(reduction: loss.reduction == .sum ? .sum : .mean)
    }
}
