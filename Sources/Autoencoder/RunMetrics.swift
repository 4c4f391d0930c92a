/// What a training run measured, written to `metrics.json`.
public struct RunMetrics: Sendable, Codable, Equatable {
    /// The preset the run started from, or `"custom"` when options changed the model.
    public var preset: String
    /// The seed of the run.
    public var seed: UInt64
    /// The architecture trained, when it is the tutorial's kind (a mirrored stack of dense
    /// layers); `nil` for other model descriptions, which the model file holds.
    public var model: ModelConfiguration?
    /// The training settings.
    public var training: TrainingConfiguration
    /// The tutorial's per-epoch cost: the loss of each epoch's last batch.
    public var epochCosts: [Float]
    /// The mean loss over each epoch's batches.
    public var epochMeanCosts: [Double]
    /// Wall-clock seconds of each epoch.
    public var secondsPerEpoch: [Double]
    /// The mean squared error over the whole test set after training.
    public var testMSE: Double
    /// The matrix-multiply backend that ran.
    public var backend: String
    /// The number of training and test samples used.
    public var trainingSamples: Int
    /// The number of test samples.
    public var testSamples: Int
    /// The trained model's file in the output folder (`model.safetensors`), when one was written.
    public var modelFile: String? = nil
    /// The epoch the run was resumed after (`train --resume`), when it was.
    public var resumedAfterEpoch: Int? = nil
    /// The data folder the run trained on, when known (see ``Experiment/dataFolder``).
    public var dataFolder: String? = nil
    /// The code width, recorded for models that are not the tutorial's kind (``model`` says it otherwise).
    public var codeWidth: Int? = nil
    /// The model's own loss on the test set (see ``AutoencoderModel/loss(on:generator:chunkSize:)``),
    /// recorded for models that are not the tutorial's kind (whose loss is ``testMSE``).
    public var testLoss: Double? = nil
    /// `true` for a variational autoencoder, which also draws `manifold.png` when its code is 2-D.
    public var variational: Bool? = nil
    /// With a validation fraction: the loss on the held-out training images after each epoch
    /// (`Trainer.meanLoss(on:)`, on the scale of ``epochMeanCosts``, but at inference: a
    /// variational autoencoder's is its reconstruction loss from the codes' means, without
    /// the KL term); absent otherwise.
    public var validationLosses: [Double]? = nil
    /// With a validation fraction: how many training images were held out.
    public var validationSamples: Int? = nil
    /// With early stopping: the epoch with the lowest validation loss, whose weights the run
    /// kept.
    public var bestEpoch: Int? = nil
    /// With early stopping, when it stopped before the last epoch: the epoch it stopped after.
    public var stoppedEarlyAfterEpoch: Int? = nil
    /// The labels the training images were restricted to (`train --only-labels`), when they
    /// were; the test set is whole either way.
    public var trainingLabels: [Int]? = nil

    /// The files the run wrote into its output folder: the reconstruction and loss figures,
    /// the 2-D code files for a 2-D code, the model file when written, `metrics.json` and `report.html`.
    public var filesWritten: [String] {
        ["reconstructions.png", "losses.png"] + ((model?.codeWidth ?? codeWidth) == 2 ? ["codes.png", "codes.csv"] : [])
            + ((model?.codeWidth ?? codeWidth) == 2 && variational == true ? ["manifold.png"] : [])
            + (modelFile.map { [$0] } ?? []) + ["metrics.json", RunReport.fileName]
    }
}
