import AutoencoderErrors
import AutoencoderKernels
import AutoencoderNumerics
import CAutoencoderKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one epoch of training did.
public struct EpochReport: Sendable, Equatable, Codable {
    /// The epoch's number, counting from 1.
    public var epoch: Int
    /// The loss of the epoch's last batch: what the tutorial prints as `cost=`.
    public var lastBatchCost: Float
    /// The mean loss over the epoch's batches.
    public var meanCost: Double
    /// Wall-clock seconds the epoch took.
    public var seconds: Double
    /// The loss on the held-out samples after the epoch (``Trainer/meanLoss(on:)``), when the
    /// run holds some out; absent from the JSON otherwise.
    public var validationLoss: Double? = nil
}

/// How far an epoch has come, after one of its batches: what a progress line shows.
public struct BatchProgress: Sendable, Equatable {
    /// The batches trained so far in this epoch, counting from 1.
    public var batchesDone: Int
    /// The epoch's number of batches.
    public var batchCount: Int
    /// The samples trained on so far in this epoch.
    public var samplesDone: Int
    /// The mean loss of the epoch's batches so far.
    public var meanLoss: Double
    /// Seconds since the epoch started.
    public var seconds: Double

    /// Creates a progress report.
    public init(batchesDone: Int, batchCount: Int, samplesDone: Int, meanLoss: Double, seconds: Double) {
        self.batchesDone = batchesDone
        self.batchCount = batchCount
        self.samplesDone = samplesDone
        self.meanLoss = meanLoss
        self.seconds = seconds
    }
}

/// Why training stopped early.
public enum TrainingError: Error, AutoencoderError, CustomStringConvertible, Equatable {
    /// The loss or a gradient became NaN or infinite; `cost` is the batch's loss (finite
    /// when only a gradient was not).
    case nonFinite(epoch: Int, batch: Int, cost: Float)
    /// The batch size is not between 1 and the number of samples.
    case batchSize(Int, sampleCount: Int)
    /// The data's width differs from the network's input width.
    case dataWidth(Int, networkWidth: Int)
    /// The network's output is not as wide as its input, so it cannot reproduce its input.
    case notAnAutoencoder(outputWidth: Int, inputWidth: Int)
    /// A batch of the data itself holds NaN or infinite values.
    case nonFiniteData(epoch: Int, batch: Int)
    /// The loss on the held-out samples after epoch `epoch` is NaN or infinite.
    case nonFiniteValidationLoss(epoch: Int)

    /// One sentence saying what went wrong and where.
    public var description: String {
        switch self {
        case let .nonFinite(epoch, batch, cost):
            "Training diverged at epoch \(epoch), batch \(batch): "
                + (cost.isNaN ? "the loss became NaN" : cost.isFinite ? "a gradient became NaN or infinite" : "the loss became infinite")
                + " (try a smaller learning rate)."
        case let .batchSize(size, count):
            "The batch size \(size) must be between 1 and the number of training samples (\(count))."
        case let .dataWidth(width, networkWidth):
            "The data has \(width) features per sample but the network takes \(networkWidth)."
        case let .notAnAutoencoder(outputWidth, inputWidth):
            "The network gives \(outputWidth) values per sample but takes \(inputWidth); it must give back its input's width to be trained as an autoencoder."
        case let .nonFiniteData(epoch, batch):
            "The training data holds NaN or infinite values (found in batch \(batch) of epoch \(epoch))."
        case let .nonFiniteValidationLoss(epoch):
            "The validation loss became NaN or infinite after epoch \(epoch) (try a smaller learning rate)."
        }
    }
}

/// Trains a network to reproduce its input (an autoencoder) with mini-batches, as the
/// tutorial's loop does: each epoch shuffles the samples and takes `⌊N / batch⌋`
/// batches, dropping the remainder.
///
/// The trainer allocates every buffer a step needs once (activations, gradients,
/// optimizer moments after the first step, the first layer's packed weight and, for
/// images, the batch with its pixels in 4 × 4 patches), so a step does not touch the heap.
/// A first dense layer skips the zeros of mostly-zero batches (see
/// ``firstLayerSkipsZeros``); when the data's samples are images
/// (``BatchSource/imageSize``), its weight gradient takes their pixels patch by patch
/// (``PixelPatches``), with the same result.
public final class Trainer {
    /// The network being trained.
    public private(set) var network: Network
    /// The optimizer and its state.
    public var optimizer: any Optimizer
    /// The loss minimised.
    public let loss: any Loss
    /// The number of samples per step.
    public let batchSize: Int
    /// The generator that shuffles the batches.
    public var generator: RandomGenerator
    /// The number of epochs completed so far.
    public var completedEpochs: Int = 0
    /// The backend for the matrix products.
    public let multiplier: any MatrixMultiplier
    /// Whether a first dense layer skips the zeros of a mostly-zero batch (MNIST images
    /// are four fifths zeros) in its forward product and weight gradient, which then cost
    /// about half of the dense products. The results agree with the dense path up to
    /// rounding; `false` forces the dense path (for comparisons).
    public let firstLayerSkipsZeros: Bool
    /// The share of each sample's values set to 0 before it goes in, the target staying the
    /// clean sample (a denoising autoencoder's masking noise); 0 trains a plain autoencoder.
    /// Which values are dropped is drawn from ``generator``, so a run stays reproducible.
    public let inputNoise: Float
    /// The factor of Gaussian noise added to each value before it goes in (clipped to [0, 1]),
    /// the target staying the clean sample (the Keras blog's denoising autoencoder); 0 for none.
    /// Drawn from ``generator``.
    public let gaussianNoise: Float

    private let workspace: Workspace
    /// The layers a step runs: all, or all but a last activation the loss applies itself.
    private let trainedLayerCount: Int
    /// How many steps the first layer skipped zeros in (for tests).
    internal private(set) var stepsSkippingZeros = 0
    /// How many of those took an image's pixels in 4 × 4 patches (for tests).
    internal private(set) var stepsInPatchOrder = 0
    /// The first layer when it is dense and skips zeros, with room for its packed weight.
    private let sparseFirstLayer: (layer: any ZeroSkippingLayer, packedWeight: UnsafeMutablePointer<Float>)?

    /// Creates a trainer for `network`, which ``trainEpoch(on:progress:)`` trains to reproduce its
    /// input. `batchSize` must be at least 1 (a programming error otherwise, unlike a batch
    /// larger than the data, which ``trainEpoch(on:progress:)`` throws as ``TrainingError/batchSize(_:sampleCount:)``).
    public init(
        network: Network, optimizer: any Optimizer, loss: any Loss = MeanSquaredError(),
        batchSize: Int, generator: RandomGenerator,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred,
        firstLayerSkipsZeros: Bool = true, inputNoise: Float = 0, gaussianNoise: Float = 0
    ) {
        precondition(batchSize > 0, "The batch size must be positive.")
        precondition(inputNoise >= 0 && inputNoise < 1, "The input noise must be in [0, 1), not \(inputNoise).")
        self.inputNoise = inputNoise
        precondition(gaussianNoise >= 0 && gaussianNoise.isFinite, "The Gaussian noise factor must be at least 0, not \(gaussianNoise).")
        self.gaussianNoise = gaussianNoise
        self.network = network
        self.optimizer = optimizer
        self.loss = loss
        self.batchSize = batchSize
        self.generator = generator
        self.multiplier = multiplier
        self.firstLayerSkipsZeros = firstLayerSkipsZeros
        self.workspace = Workspace(widths: [network.inputWidth] + network.layers.map(\.outputWidth),
                                   batchSize: batchSize, parameterCount: network.parameterCount,
                                   keepsCleanTarget: inputNoise > 0 || gaussianNoise > 0, layers: network.layers)
        // A loss that applies the last layer's activation itself (binary cross-entropy from
        // logits after a final sigmoid) is handed that layer's input; the layer is skipped.
        let last = network.layers.last!
        trainedLayerCount = loss.logitsActivation != nil && last.elementwiseActivation == loss.logitsActivation
            ? network.layers.count - 1 : network.layers.count
        if firstLayerSkipsZeros, let first = network.layers.first as? any ZeroSkippingLayer {
            let packedWeight = UnsafeMutablePointer<Float>.allocate(capacity: first.packedWeightCount)
            packedWeight.initialize(repeating: 0, count: first.packedWeightCount)
            sparseFirstLayer = (first, packedWeight)
        } else {
            sparseFirstLayer = nil
        }
    }

    deinit {
        sparseFirstLayer?.packedWeight.deallocate()
    }

    /// Runs one epoch over `data` (shuffled, ⌊count / batchSize⌋ steps) and returns its report.
    /// `progress`, when given, is called after each batch (for a live progress line); without
    /// it a step does no extra work.
    public func trainEpoch(on data: some BatchSource, progress: ((BatchProgress) -> Void)? = nil) throws -> EpochReport {
        guard data.width == network.inputWidth else {
            throw TrainingError.dataWidth(data.width, networkWidth: network.inputWidth)
        }
        guard network.outputWidth == network.inputWidth else {
            throw TrainingError.notAnAutoencoder(outputWidth: network.outputWidth, inputWidth: network.inputWidth)
        }
        guard batchSize <= data.count else { throw TrainingError.batchSize(batchSize, sampleCount: data.count) }
        let epoch = completedEpochs + 1
        let start = Trainer.now()
        if workspace.order.count != data.count { workspace.order = Array(0..<data.count) }
        for i in 0..<data.count { workspace.order[i] = i }
        generator.shuffle(&workspace.order)
        let batches = data.count / batchSize
        var lastCost: Float = 0
        var total = 0.0
        do {
            for batch in 0..<batches {
                let indices = workspace.order[(batch * batchSize)..<((batch + 1) * batchSize)]
                let cost = step(indices, of: data)
                guard let cost else {
                    // Bad data is the data's fault, not the learning rate's.
                    // (The clean batch: input noise may have dropped the NaN from the one that went in.)
                    if !ElementwiseKernels.allFinite(workspace.cleanTarget ?? workspace.activations[0], count: batchSize * data.width) {
                        throw TrainingError.nonFiniteData(epoch: epoch, batch: batch + 1)
                    }
                    throw TrainingError.nonFinite(epoch: epoch, batch: batch + 1, cost: workspace.lastCost)
                }
                lastCost = cost
                total += Double(cost)
                if let progress {
                    progress(BatchProgress(batchesDone: batch + 1, batchCount: batches, samplesDone: (batch + 1) * batchSize,
                                           meanLoss: total / Double(batch + 1), seconds: Trainer.now() - start))
                }
            }
        }
        completedEpochs = epoch
        return EpochReport(epoch: epoch, lastBatchCost: lastCost, meanCost: total / Double(batches),
                           seconds: Trainer.now() - start)
    }

    /// One optimisation step on the samples at `indices` (``batchSize`` of them); returns the
    /// batch's loss before the update, or `nil` (parameters untouched) when the loss or a
    /// gradient is not finite.
    public func step(_ indices: ArraySlice<Int>, of data: some BatchSource) -> Float? {
        precondition(indices.count == batchSize, "A step takes exactly batchSize samples.")
        let w = workspace
        let layers = network.layers[0..<trainedLayerCount]
        let offsets = network.parameterOffsets
        data.fillBatch(indices, into: w.mutableView(0))
        if let target = w.cleanTarget {
            target.update(from: w.activations[0], count: batchSize * w.widths[0])
            generator.dropValues(w.activations[0], count: batchSize * w.widths[0], share: inputNoise)
            generator.addGaussianNoise(w.activations[0], count: batchSize * w.widths[0], factor: gaussianNoise)
        }
        let target = w.cleanTarget.map { MatrixView($0, rows: batchSize, columns: w.widths[0]) } ?? w.view(0)
        var context = LayerContext(multiplier: multiplier, generator: generator, isTraining: true)
        // The first layer skips zeros when the batch is mostly zeros (checked per batch: a
        // sample of its first rows).
        let sparseFirst = w.view(0).isMostlyZero ? sparseFirstLayer : nil
        if sparseFirst != nil { stepsSkippingZeros += 1 }
        let finite: Bool = network.parameters.withUnsafeMutableBufferPointer { parameters in
            let base = UnsafePointer(parameters.baseAddress!)
            for (index, layer) in layers.enumerated() {
                if index == 0, let sparseFirst {
                    sparseFirst.layer.packWeight(base + offsets[0], into: sparseFirst.packedWeight)
                    sparseFirst.layer.forward(sparse: w.view(0), packedWeight: sparseFirst.packedWeight,
                                              parameters: base + offsets[0], into: w.mutableView(1))
                    continue
                }
                context.scratch = w.layerScratch.buffers[index]
                layer.forward(w.view(index), parameters: VectorView(base + offsets[index], count: offsets[index + 1] - offsets[index]),
                              into: w.mutableView(index + 1), context: &context)
            }
            let last = layers.count
            let cost = loss(w.view(last), target, gradient: w.gradientView(0, width: w.widths[last]))
                + Float(context.addedLoss)
            w.lastCost = cost
            guard cost.isFinite else { return false }
            for index in layers.indices.reversed() {
                let output = w.gradientView((last - 1 - index) % 2, width: w.widths[index + 1])
                if index == 0, let sparseFirst {
                    // Images go patch by patch: more of the gradient's blocks are all zero.
                    let patches = data.imageSize.flatMap { w.patchOrderedInput(imageSize: $0) }
                    if patches != nil { stepsInPatchOrder += 1 }
                    sparseFirst.layer.backward(sparseInput: patches?.input ?? w.view(0),
                                               inputColumnOrder: patches?.columnOrder, output: w.view(1),
                                               outputGradient: output,
                                               parameterGradients: w.parameterGradients + offsets[0])
                    continue
                }
                let input = index > 0 ? w.gradientView((last - index) % 2, width: w.widths[index]) : nil
                context.scratch = w.layerScratch.buffers[index]
                layers[index].backward(
                    input: w.view(index), output: w.view(index + 1), outputGradient: output,
                    parameters: VectorView(base + offsets[index], count: offsets[index + 1] - offsets[index]),
                    parameterGradients: MutableVectorView(w.parameterGradients + offsets[index],
                                                          count: offsets[index + 1] - offsets[index]),
                    inputGradient: input, context: &context)
            }
            return optimizer.update(parameters, along: UnsafeBufferPointer(start: w.parameterGradients,
                                                                            count: parameters.count))
        }
        generator = context.generator
        return finite ? w.lastCost : nil
    }

    /// The loss of the network on all of `data`, on the scale of the epochs' mean cost (the
    /// loss of one batch of ``batchSize`` samples): the trainer's loss, computed as a step
    /// computes it (a final activation that the loss takes as logits is left to the loss,
    /// and the terms layers add, such as an L1 activity penalty, are included), but at
    /// inference (`isTraining: false`: a sampling layer passes its mean and adds no KL term),
    /// on the clean samples (no input noise), without touching the parameters, the optimizer
    /// or ``generator``.
    ///
    /// The samples go through in order, ``batchSize`` at a time, the last batch possibly
    /// smaller; each batch's loss counts by its share of the samples (a `sum` reduction's by
    /// its share of the batches, scaled to a full batch), so for the `mean` and `sum_per_sample`
    /// reductions the result is the loss of all of `data` as one batch, up to rounding. It
    /// uses the step's buffers, so it allocates nothing. Throws the ``TrainingError`` a step
    /// would for data of the wrong width; `nil` for no samples.
    public func meanLoss(on data: some BatchSource) throws -> Double? {
        guard data.width == network.inputWidth else {
            throw TrainingError.dataWidth(data.width, networkWidth: network.inputWidth)
        }
        guard network.outputWidth == network.inputWidth else {
            throw TrainingError.notAnAutoencoder(outputWidth: network.outputWidth, inputWidth: network.inputWidth)
        }
        guard data.count > 0 else { return nil }
        let w = workspace
        let layers = network.layers[0..<trainedLayerCount]
        let offsets = network.parameterOffsets
        let last = layers.count
        let reduction = loss.reduction
        if w.order.count < batchSize { w.order = Array(0..<max(batchSize, data.count)) }
        var total = 0.0
        network.parameters.withUnsafeBufferPointer { parameters in
            let base = parameters.baseAddress!
            // The weight is the same for every batch: packed once.
            if let sparseFirstLayer {
                sparseFirstLayer.layer.packWeight(base + offsets[0], into: sparseFirstLayer.packedWeight)
            }
            do {
                var start = 0
                while start < data.count {
                    let rows = min(batchSize, data.count - start)
                    for row in 0..<rows { w.order[row] = start + row }
                    data.fillBatch(w.order[0..<rows], into: MutableMatrixView(w.activations[0], rows: rows, columns: w.widths[0]))
                    var context = LayerContext(multiplier: multiplier, generator: generator, isTraining: false)
                    func view(_ index: Int) -> MatrixView { MatrixView(w.activations[index], rows: rows, columns: w.widths[index]) }
                    let sparseFirst = view(0).isMostlyZero ? sparseFirstLayer : nil
                    for (index, layer) in layers.enumerated() {
                        let output = MutableMatrixView(w.activations[index + 1], rows: rows, columns: w.widths[index + 1])
                        if index == 0, let sparseFirst {
                            sparseFirst.layer.forward(sparse: view(0), packedWeight: sparseFirst.packedWeight,
                                                      parameters: base + offsets[0], into: output)
                            continue
                        }
                        context.scratch = w.layerScratch.buffers[index]
                        layer.forward(view(index), parameters: VectorView(base + offsets[index], count: offsets[index + 1] - offsets[index]),
                                      into: output, context: &context)
                    }
                    let cost = Double(loss(view(last), view(0), gradient: nil))
                    total += cost * Double(reduction == .sum ? batchSize : rows) + context.addedLoss * Double(rows)
                    start += rows
                }
            }
        }
        return total / Double(data.count)
    }

    /// Replaces the parameters (for resuming); the count must match.
    public func setParameters(_ parameters: [Float]) {
        precondition(parameters.count == network.parameters.count, "Parameter count mismatch.")
        network.parameters = parameters
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}

/// The buffers of a training step, allocated once per network and batch size.
///
/// `activations[i]` is `batch × widths[i]` (index 0 is the input batch, which is also the
/// autoencoder's target); two gradient buffers of `batch × max(widths)` alternate as the
/// backward pass moves from layer to layer; `parameterGradients` matches the flat parameters.
final class Workspace {
    let widths: [Int]
    let batchSize: Int
    let activations: [UnsafeMutablePointer<Float>]
    let gradients: [UnsafeMutablePointer<Float>]
    let parameterGradients: UnsafeMutablePointer<Float>
    var order: [Int] = []
    var lastCost: Float = 0
    /// For image batches: the input's columns patch by patch (``PixelPatches``), a buffer
    /// for the input in that order, and the image size they were made for.
    private var patches: (height: Int, width: Int, columnOrder: UnsafeMutablePointer<Int32>,
                          input: UnsafeMutablePointer<Float>)?
    /// With input noise: the clean batch, the loss's target (`activations[0]` holds the
    /// corrupted one the network sees).
    let cleanTarget: UnsafeMutablePointer<Float>?

    /// Each layer's own scratch memory (``Layer/scratchCount(batchSize:)``).
    let layerScratch: LayerScratch

    init(widths: [Int], batchSize: Int, parameterCount: Int, keepsCleanTarget: Bool = false, layers: [any Layer] = []) {
        self.widths = widths
        layerScratch = LayerScratch(layers: layers, batchSize: batchSize)
        self.batchSize = batchSize
        cleanTarget = keepsCleanTarget ? .allocate(capacity: batchSize * widths[0]) : nil
        cleanTarget?.initialize(repeating: 0, count: batchSize * widths[0])
        let widest = widths.max()!
        activations = widths.map { width in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: batchSize * width)
            buffer.initialize(repeating: 0, count: batchSize * width)
            return buffer
        }
        gradients = (0..<2).map { _ in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: batchSize * widest)
            buffer.initialize(repeating: 0, count: batchSize * widest)
            return buffer
        }
        parameterGradients = .allocate(capacity: max(parameterCount, 1))
        parameterGradients.initialize(repeating: 0, count: max(parameterCount, 1))
    }

    deinit {
        activations.forEach { $0.deallocate() }
        gradients.forEach { $0.deallocate() }
        parameterGradients.deallocate()
        cleanTarget?.deallocate()
        patches?.columnOrder.deallocate()
        patches?.input.deallocate()
    }

    /// The input batch with its columns patch by patch, and that order; `nil` unless the
    /// samples are images of `imageSize` at least one patch high and wide. Allocates on
    /// the first call for a size only.
    func patchOrderedInput(imageSize: (height: Int, width: Int))
        -> (input: MatrixView, columnOrder: UnsafeBufferPointer<Int32>)? {
        let width = widths[0]
        let pixels = imageSize.height.multipliedReportingOverflow(by: imageSize.width)
        guard imageSize.height >= 4, imageSize.width >= 4, !pixels.overflow, pixels.partialValue == width else {
            return nil
        }
        if patches?.height != imageSize.height || patches?.width != imageSize.width {
            patches?.columnOrder.deallocate()
            patches?.input.deallocate()
            let order = PixelPatches.columnOrder(height: imageSize.height, width: imageSize.width)
            let columnOrder = UnsafeMutablePointer<Int32>.allocate(capacity: width)
            columnOrder.initialize(from: order, count: width)
            let input = UnsafeMutablePointer<Float>.allocate(capacity: batchSize * width)
            input.initialize(repeating: 0, count: batchSize * width)
            patches = (imageSize.height, imageSize.width, columnOrder, input)
        }
        let (_, _, columnOrder, input) = patches!
        ae_permute_columns(activations[0], batchSize, width, columnOrder, input)
        return (MatrixView(input, rows: batchSize, columns: width),
                UnsafeBufferPointer(start: columnOrder, count: width))
    }

    func view(_ index: Int) -> MatrixView {
        MatrixView(activations[index], rows: batchSize, columns: widths[index])
    }

    func mutableView(_ index: Int) -> MutableMatrixView {
        MutableMatrixView(activations[index], rows: batchSize, columns: widths[index])
    }

    func gradientView(_ index: Int, width: Int) -> MutableMatrixView {
        MutableMatrixView(gradients[index], rows: batchSize, columns: width)
    }
}
