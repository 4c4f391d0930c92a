/// How far a run has come, after one training batch: the epoch, out of how many, and the
/// epoch's batches so far. ``Experiment/progress`` receives it.
public struct EpochProgress: Sendable, Equatable {
    /// The epoch being trained, counting from 1.
    public var epoch: Int
    /// The run's number of epochs.
    public var epochs: Int
    /// The epoch's batches so far.
    public var batch: BatchProgress

    /// Creates a progress report.
    public init(epoch: Int, epochs: Int, batch: BatchProgress) {
        self.epoch = epoch
        self.epochs = epochs
        self.batch = batch
    }
}
