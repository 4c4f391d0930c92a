// libFuzzer harness for the checkpoint reader (compiled by Fuzz/run.sh together with
// Sources/Autoencoder/*.swift into one module, so internal API is visible; the modules it
// depends on are built first, each on its own, under Fuzz/.work/modules/).
//
// Each input is a safetensors file: `SafeTensorsFile(bytes:file:)` and then
// `Checkpoint.read(_:)`, the path `Checkpoint.read(from:)` takes after reading the file. A
// refusal must be one `CheckpointError` or `ModelFileError` sentence. A checkpoint that
// loads must keep what `train --resume` relies on: epochs, reports, Adam's state and the
// generator in range, moments as long as the parameters, the file also loading as a model
// with the same parameters, and a write/read round trip that changes nothing.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? SafeTensorsFile(bytes: bytes, file: "fuzz-input") else { return 0 }
    let checkpoint: Checkpoint
    do {
        checkpoint = try Checkpoint.read(file)
    } catch let error as CheckpointError {
        checkSentence("\(error)", prefix: "Cannot resume from the checkpoint 'fuzz-input': ")
        return 0
    } catch let error as ModelFileError {
        checkSentence("\(error)", prefix: "The model file 'fuzz-input' is invalid: ")
        return 0
    } catch {
        preconditionFailure("the reader threw \(type(of: error)), not a CheckpointError or ModelFileError: \(error)")
    }

    let experiment = checkpoint.experiment
    let configuration = experiment.model
    precondition((try? configuration.validate()) != nil, "accepted an architecture that does not validate")
    precondition((try? experiment.training.validate()) != nil, "accepted invalid training settings")
    let epochs = checkpoint.completedEpochs
    precondition(epochs >= 1 && epochs <= experiment.training.epochs, "accepted \(epochs) epochs of \(experiment.training.epochs)")
    for (index, report) in checkpoint.reports.enumerated() {
        precondition(report.epoch == index + 1 && report.lastBatchCost.isFinite && report.meanCost.isFinite
                     && report.seconds.isFinite && report.seconds >= 0, "accepted report \(index + 1): \(report)")
    }
    let parameters = checkpoint.parameters
    precondition(parameters.count == configuration.parameterCount, "the parameters are not the architecture's")
    precondition(parameters.allSatisfy(\.isFinite), "accepted NaN or infinite parameters")
    let adam = checkpoint.optimizer
    precondition(adam.firstMoments.count == parameters.count && adam.secondMoments.count == parameters.count,
                 "the moments are not as long as the parameters")
    precondition(adam.firstMoments.allSatisfy(\.isFinite) && adam.secondMoments.allSatisfy { $0.isFinite && $0 >= 0 },
                 "accepted moments Adam cannot use")
    precondition(adam.step >= epochs, "accepted fewer Adam steps than epochs")
    for value in [adam.beta1, adam.beta2, adam.beta1Power, adam.beta2Power] {
        precondition(value >= 0 && value < 1, "accepted an Adam rate or product \(value) outside [0, 1)")
    }
    precondition(adam.epsilon.isFinite && adam.epsilon > 0, "accepted Adam's epsilon \(adam.epsilon)")
    precondition(adam.learningRate == experiment.training.learningRate)
    let words = checkpoint.generator.state
    precondition([words.0, words.1, words.2, words.3] != [0, 0, 0, 0], "accepted the generator's all-zero state")
    precondition(checkpoint.trainingSamples >= 1, "accepted no training samples")
    precondition(experiment.checkpointEvery.map { $0 >= 1 } ?? true, "accepted a checkpoint interval below 1")
    if let shape = checkpoint.imageShape {
        precondition(shape.rows > 0 && shape.columns > 0 && shape.pixelCount == configuration.inputWidth,
                     "accepted an image shape that does not fit the input width")
    }

    // Training can go on from it: Adam's step count holds the steps the epochs left take, and
    // Adam takes the next one (small models only, for speed; with zero gradients, so only the
    // step count and the products move).
    let left = experiment.training.epochs - epochs
    let (steps, overflow) = left.multipliedReportingOverflow(by: checkpoint.trainingSamples / experiment.training.batchSize)
    precondition(!overflow && !adam.step.addingReportingOverflow(steps).overflow, "Adam's step count would overflow")
    if left > 0, parameters.count <= 1 << 16 {
        var next = adam
        var values = parameters
        let gradients = [Float](repeating: 0, count: values.count)
        let stepped = values.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in next.update(p, along: g) }
        }
        precondition(stepped && next.step == adam.step + 1, "Adam cannot take the next step")
    }

    // A checkpoint also loads as a model (`encode --model checkpoint.safetensors`), the same one.
    guard let model = try? ModelFile(safetensors: file) else { preconditionFailure("a checkpoint does not load as a model") }
    precondition(model.model.configuration == configuration)
    precondition(model.model.network.parameters.map(\.bitPattern) == parameters.map(\.bitPattern))

    // Written again (as `Checkpoint.write(to:)` does) and read back, nothing changes.
    let again: Checkpoint
    do {
        let (tensors, metadata) = try checkpoint.contents()
        again = try Checkpoint.read(SafeTensorsFile(bytes: SafeTensors.encode(tensors, metadata: metadata), file: "round-trip"))
    } catch {
        preconditionFailure("a checkpoint that loaded does not load again after writing: \(error)")
    }
    precondition(again.experiment.name == experiment.name && again.experiment.model == configuration
                 && again.experiment.training == experiment.training && again.experiment.colorMap == experiment.colorMap
                 && again.experiment.checkpointEvery == experiment.checkpointEvery
                 && again.experiment.dataFolder == experiment.dataFolder, "the run's settings changed in a round trip")
    precondition(again.parameters.map(\.bitPattern) == parameters.map(\.bitPattern), "the parameters changed in a round trip")
    precondition(again.optimizer == adam, "Adam's state changed in a round trip")
    precondition(again.generator == checkpoint.generator, "the generator changed in a round trip")
    precondition(again.reports == checkpoint.reports, "the reports changed in a round trip")
    precondition(again.trainingSamples == checkpoint.trainingSamples
                 && again.trainingFingerprint == checkpoint.trainingFingerprint, "the data's fingerprint changed in a round trip")
    precondition(again.imageShape == checkpoint.imageShape && again.backend == checkpoint.backend,
                 "the image shape or backend changed in a round trip")
    return 0
}

/// A refusal is one sentence: the reader's prefix and a full stop at the end.
func checkSentence(_ message: String, prefix: String) {
    precondition(message.hasPrefix(prefix), "unexpected message: \(message)")
    precondition(message.hasSuffix("."), "the message does not end a sentence: \(message)")
}
