import Autoencoder
import Foundation

// A preset's whole run: train, measure, and write the model, pictures and report.
let mnist = try MNIST.load(from: "data/mnist")
var experiment = Experiment(preset: .encoder2d)
experiment.training.epochs = 5
let metrics = try experiment.run(on: mnist, writingTo: URL(fileURLWithPath: "runs/e2d"))
print(metrics.testMSE)

// Or train a model yourself, in one call, on any data set (CSV, .npy, images: DatasetReader).
let training = Dataset(mnist.training, origin: "data/mnist"), test = Dataset(mnist.test, origin: "data/mnist")
var generator = RandomGenerator(seed: 0)
var model = try AutoencoderModel(preset: .autoencoder, generator: &generator)
try model.fit(training, settings: Preset.autoencoder.training, validation: test) { epoch in
    print("epoch \(epoch.epoch): validation loss \(epoch.validationLoss!)")
}
let codes = model.encode(test)
print("\(codes.rows) codes of width \(codes.columns)")
