// A convolutional autoencoder described in code: its layers as a list of specifications,
// checked and built by the library, trained for two epochs on a few hundred MNIST digits.
//
//     swift run convolutional-model [mnist-folder]
//
// It prints the model's layer table (as `autoencoder inspect` does), each epoch's losses and
// the test loss.
import Autoencoder
import Foundation

/// Describes, builds and trains the model, printing its table and losses.
func trainConvolutionalModel() throws {
    let folder = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "data/mnist"
    let mnist = try MNIST.load(from: folder)
    let training = Dataset(mnist.training, origin: folder).subset(Array(0..<600))
    let test = Dataset(mnist.test, origin: folder).subset(Array(0..<200))

    // 1x28x28 → 8x14x14 → 4x7x7 (the code) → 4x14x14 → 8x28x28 → 1x28x28.
    func convolution(_ filters: Int, _ activation: Activation) -> Conv2D.Specification {
        Conv2D.Specification(filters: filters, kernelSize: PairOfSizes(3), padding: .same, activation: activation)
    }
    let description = ModelDescription(
        inputShape: .image(channels: 1, height: 28, width: 28),
        encoder: [convolution(8, .relu), MaxPooling2D.Specification(poolSize: PairOfSizes(2)),
                  convolution(4, .relu), MaxPooling2D.Specification(poolSize: PairOfSizes(2))],
        decoder: [convolution(4, .relu), UpSampling2D.Specification(size: PairOfSizes(2)),
                  convolution(8, .relu), UpSampling2D.Specification(size: PairOfSizes(2)),
                  convolution(1, .sigmoid)],
        loss: LossSpecification(.binaryCrossEntropy))

    var generator = RandomGenerator(seed: 0)
    var model = try AutoencoderModel(architecture: description, generator: &generator)
    let rows = model.layerSummary
    let layerWidth = rows.map(\.layer.count).max()! + 2, shapeWidth = rows.map(\.outputShape.count).max()! + 2
    for row in rows {
        print(row.layer.padding(toLength: layerWidth, withPad: " ", startingAt: 0)
              + row.outputShape.padding(toLength: shapeWidth, withPad: " ", startingAt: 0) + "\(row.parameters)")
    }
    print(model.codeSummary)

    let settings = TrainingConfiguration(epochs: 2, batchSize: 32, learningRate: 0.005)
    let reports = try model.fit(training, settings: settings, validation: test) { epoch in
        print("epoch \(epoch.epoch): training loss \(epoch.meanCost), test loss \(epoch.validationLoss!)")
    }
    print("Test loss: \(reports.last!.validationLoss!) (binary cross-entropy, \(test.count) test images)")
}

do {
    try trainConvolutionalModel()
} catch {
    // Bad data: one sentence on standard error, and exit 1.
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
