import Autoencoder
import Foundation

let mnist = try MNIST.load(from: "data/mnist")
var experiment = Experiment(preset: .encoder2d)
experiment.training.epochs = 5
let metrics = try experiment.run(on: mnist, writingTo: URL(fileURLWithPath: "runs/e2d"))
print(metrics.testMSE)

// Or drive the pieces yourself:
var generator = RandomGenerator(seed: 0)
var model = try AutoencoderModel(configuration: Preset.autoencoder.model!, generator: &generator)
let trainer = Trainer(network: model.network, optimizer: Adam(learningRate: 0.01),
                      batchSize: 256, generator: generator)
for _ in 0..<10 { print(try trainer.trainEpoch(on: mnist.training).lastBatchCost) }
model.network = trainer.network
let codes = model.encode(mnist.test.matrix())
print("\(codes.rows) codes of width \(codes.columns)")
