import AutoencoderKernels

/// A rule that moves parameters along their gradients.
///
/// Parameters and gradients are the network's flat arrays (see ``Network``), so an
/// optimizer updates every tensor of the model in one pass. Every optimizer exposes its
/// learning rate, so that a ``LearningRateSchedule`` can change it between epochs, and its
/// whole state as an ``OptimizerState``, so that a checkpoint can stop a run and resume it
/// bit for bit.
public protocol Optimizer: Sendable {
    /// The learning rate of the next update; a trainer following a ``LearningRateSchedule``
    /// sets it before each epoch.
    var learningRate: Float { get set }

    /// Everything the optimizer's future updates depend on: its settings, counters and
    /// per-parameter tensors, for a checkpoint.
    var state: OptimizerState { get }

    /// Recreates an optimizer from a ``state`` it produced, so that updating on from it
    /// gives the same bits as never having stopped. Throws ``OptimizerStateError`` for a
    /// state of another kind, with a missing, unknown or out-of-range entry, or with tensors
    /// of unequal length.
    init(state: OptimizerState) throws

    /// Updates `parameters` in place along `gradients`, which has the same length.
    /// Returns `false`, leaving the parameters unchanged in meaning, when a gradient was
    /// NaN or infinite so the caller can stop the run.
    mutating func update(_ parameters: MutableVectorView, along gradients: VectorView) -> Bool
}

extension Optimizer {
    /// ``update(_:along:)`` on buffers, as the trainer holds them.
    package mutating func update(_ parameters: UnsafeMutableBufferPointer<Float>, along gradients: UnsafeBufferPointer<Float>) -> Bool {
        update(MutableVectorView(parameters), along: VectorView(gradients))
    }
}
