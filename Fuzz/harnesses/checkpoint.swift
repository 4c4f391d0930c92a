// libFuzzer harness for the checkpoint reader (compiled by Fuzz/run.sh together with
// Sources/Autoencoder/*.swift into one module, so internal API is visible; the modules it
// depends on are built first, each on its own, under Fuzz/.work/modules/).
//
// Each input is a safetensors file: `SafeTensorsFile(bytes:file:)` and then
// `Checkpoint.read(_:)`, the path `Checkpoint.read(from:)` takes after reading the file. A
// refusal must be one `CheckpointError` or `ModelFileError` sentence. A checkpoint that
// loads must keep what `train --resume` relies on: a description that builds (and reads
// back from its JSON), epochs, reports and the generator in range, the optimizer's state
// (Adam's moments as long as the parameters and its settings in range, as before other
// optimizers; any optimizer's state restoring to an equal one, its step count not
// overflowing, its next step taken), the file also loading as a model with the same
// parameters, and a write/read round trip that changes nothing.

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
    let description = experiment.architecture
    if let configuration = experiment.model {
        precondition((try? configuration.validate()) != nil, "accepted an architecture that does not validate")
        precondition(configuration.architecture == description, "the run's description is not its configuration's")
    } else {
        checkJSONRoundTrip(description)
    }
    let built: ModelDescription.Architecture
    do {
        built = try description.build()
    } catch {
        preconditionFailure("accepted a description that does not build: \(error)")
    }
    precondition((try? experiment.training.validate()) != nil, "accepted invalid training settings")
    let epochs = checkpoint.completedEpochs
    precondition(epochs >= 1 && epochs <= experiment.training.epochs, "accepted \(epochs) epochs of \(experiment.training.epochs)")
    for (index, report) in checkpoint.reports.enumerated() {
        precondition(report.epoch == index + 1 && report.lastBatchCost.isFinite && report.meanCost.isFinite
                     && report.seconds.isFinite && report.seconds >= 0, "accepted report \(index + 1): \(report)")
    }
    let parameters = checkpoint.parameters
    precondition(parameters.count == built.layers.reduce(0) { $0 + $1.parameterCount }, "the parameters are not the architecture's")
    precondition(parameters.allSatisfy(\.isFinite), "accepted NaN or infinite parameters")
    let words = checkpoint.generator.state
    precondition([words.0, words.1, words.2, words.3] != [0, 0, 0, 0], "accepted the generator's all-zero state")
    precondition(checkpoint.trainingSamples >= 1, "accepted no training samples")
    precondition(experiment.checkpointEvery.map { $0 >= 1 } ?? true, "accepted a checkpoint interval below 1")
    if let shape = checkpoint.imageShape {
        precondition(shape.rows > 0 && shape.columns > 0 && shape.pixelCount == description.inputWidth,
                     "accepted an image shape that does not fit the input width")
    }

    // The optimizer: Adam (the layout of every checkpoint before other optimizers, or an
    // `optimizer` state of kind "adam") with the state it has always had; any other restores
    // from its state to an equal state. Either way, its step count holds the steps the
    // epochs left take.
    let state = checkpoint.optimizer.state
    let storedState = (try? JSONDecoder().decode(Checkpoint.State.self, from: Data(file.metadata["checkpoint"]!.utf8)))?.optimizer
    let steps: Int
    if let adam = checkpoint.optimizer as? Adam {
        precondition(adam.firstMoments.count == adam.secondMoments.count
                     && (adam.firstMoments.count == parameters.count || (storedState != nil && adam.firstMoments.isEmpty)),
                     "the moments are not as long as the parameters")
        precondition(adam.firstMoments.allSatisfy(\.isFinite) && adam.secondMoments.allSatisfy { $0.isFinite && $0 >= 0 },
                     "accepted moments Adam cannot use")
        if storedState == nil {
            precondition(adam.step >= epochs, "accepted fewer Adam steps than epochs")
            precondition(adam.learningRate == experiment.training.learningRate)
        }
        for value in [adam.beta1, adam.beta2] + (adam.step > 0 ? [adam.beta1Power, adam.beta2Power] : []) {
            precondition(value >= 0 && value < 1, "accepted an Adam rate or product \(value) outside [0, 1)")
        }
        precondition(adam.epsilon.isFinite && adam.epsilon > 0, "accepted Adam's epsilon \(adam.epsilon)")
        steps = adam.step
    } else {
        precondition(storedState != nil, "an optimizer other than Adam without an optimizer state")
        precondition(state.tensors.values.allSatisfy { $0.count == parameters.count && $0.allSatisfy(\.isFinite) },
                     "the optimizer's tensors are not one finite value per parameter")
        steps = state.counters["step"].map { Int(clamping: $0) } ?? 0
    }
    do {
        let restored = try state.makeOptimizer()
        precondition(restored.state == state, "the optimizer's state does not restore to an equal state")
        precondition(type(of: restored) == type(of: checkpoint.optimizer), "the optimizer's state restores another optimizer")
    } catch {
        preconditionFailure("the optimizer's own state does not restore: \(error)")
    }

    // Training can go on from it: the step count holds the steps the epochs left take, and
    // the optimizer takes the next one (small models only, for speed; with zero gradients).
    // The parameters it makes may overflow: any finite moments are accepted, and a huge
    // first moment over a tiny second one is a step past Float's range, which the trainer
    // meets as a non-finite cost, not a crash.
    let left = experiment.training.epochs - epochs
    let (future, overflow) = left.multipliedReportingOverflow(by: checkpoint.trainingSamples / experiment.training.batchSize)
    precondition(!overflow && !steps.addingReportingOverflow(future).overflow, "the optimizer's step count would overflow")
    if left > 0, parameters.count <= 1 << 16 {
        var next = checkpoint.optimizer
        var values = parameters
        let gradients = [Float](repeating: 0, count: values.count)
        let stepped = values.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in next.update(p, along: g) }
        }
        precondition(stepped, "the optimizer cannot take the next step")
        if let adam = checkpoint.optimizer as? Adam { precondition((next as? Adam)?.step == adam.step + 1, "Adam did not count its step") }
    }

    // A checkpoint also loads as a model (`encode --model checkpoint.safetensors`), the same one.
    guard let model = try? ModelFile(safetensors: file) else { preconditionFailure("a checkpoint does not load as a model") }
    precondition(model.model.configuration == experiment.model && model.model.architecture == description)
    precondition(model.model.network.parameters.map(\.bitPattern) == parameters.map(\.bitPattern))

    // Written again (as `Checkpoint.write(to:)` does) and read back, nothing changes.
    let again: Checkpoint
    do {
        let (tensors, metadata) = try checkpoint.contents()
        again = try Checkpoint.read(SafeTensorsFile(bytes: SafeTensors.encode(tensors, metadata: metadata), file: "round-trip"))
    } catch {
        preconditionFailure("a checkpoint that loaded does not load again after writing: \(error)")
    }
    precondition(again.experiment.name == experiment.name && again.experiment.model == experiment.model
                 && again.experiment.architecture == description
                 && again.experiment.training == experiment.training && again.experiment.colorMap == experiment.colorMap
                 && again.experiment.checkpointEvery == experiment.checkpointEvery
                 && again.experiment.dataFolder == experiment.dataFolder, "the run's settings changed in a round trip")
    precondition(again.parameters.map(\.bitPattern) == parameters.map(\.bitPattern), "the parameters changed in a round trip")
    if let adam = checkpoint.optimizer as? Adam, storedState == nil {
        precondition(again.optimizer as? Adam == adam, "Adam's state changed in a round trip")
    } else if var adam = checkpoint.optimizer as? Adam, var written = again.optimizer as? Adam {
        // An `optimizer` state of kind "adam" is written back in Adam's older layout, which
        // takes the learning rate from the training settings (a resumed run sets the rate
        // before every epoch anyway) and moments of zeros for none.
        adam.learningRate = experiment.training.learningRate
        if adam.firstMoments.isEmpty {
            adam.firstMoments = [Float](repeating: 0, count: parameters.count)
            adam.secondMoments = adam.firstMoments
        }
        written.learningRate = adam.learningRate
        precondition(written == adam, "Adam's state changed in a round trip")
    } else {
        precondition(again.optimizer.state == state, "the optimizer's state changed in a round trip")
    }
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
