import ArgumentParser
@testable import AutoencoderCLI
import Autoencoder
import Foundation
import Testing

/// `train --validation-fraction F` and `--early-stopping PATIENCE`.
@Suite struct ValidationOptionTests {
    @Test func theOptionsSetTheTrainingSettingsAndAreInTheHelp() throws {
        let command = try #require(try AutoencoderCommand.parseAsRoot([
            "train", "--validation-fraction", "0.2", "--early-stopping", "3",
        ]) as? TrainCommand)
        let experiment = try command.experiment()
        #expect(experiment.training.validationFraction == 0.2 && experiment.training.earlyStoppingPatience == 3)
        // Not the model: the preset keeps its name.
        #expect(experiment.name == "autoencoder")
        let plain = try #require(try AutoencoderCommand.parseAsRoot(["train"]) as? TrainCommand)
        #expect(try plain.experiment().training == TrainingConfiguration())
        let help = AutoencoderCommand.helpMessage(for: TrainCommand.self, columns: 200)
        #expect(help.contains("--validation-fraction <fraction>"), "\(help)")
        #expect(help.contains("--early-stopping <patience>"), "\(help)")
    }

    @Test(arguments: [
        (["train", "--validation-fraction", "0"], "--validation-fraction must be more than 0 and less than 1, not 0.0."),
        (["train", "--validation-fraction", "1"], "--validation-fraction must be more than 0 and less than 1, not 1.0."),
        (["train", "--validation-fraction", "-0.1"], "--validation-fraction must be more than 0 and less than 1, not -0.1."),
        (["train", "--early-stopping", "2"],
         "--early-stopping needs --validation-fraction: it stops when the validation loss stops improving."),
        (["train", "--validation-fraction", "0.1", "--early-stopping", "0"], "--early-stopping must be at least 1 epoch, not 0."),
        (["train", "--validation-fraction", "0.1", "--early-stopping", "-2"], "--early-stopping must be at least 1 epoch, not -2."),
        (["train", "--resume", "run", "--validation-fraction", "0.1"],
         "--validation-fraction cannot be combined with --resume, which takes every setting from the checkpoint."),
        (["train", "--resume", "run", "--early-stopping", "2"],
         "--early-stopping cannot be combined with --resume, which takes every setting from the checkpoint."),
    ])
    func badValuesGetOneSentence(arguments: [String], expected: String) {
        #expect(ArgumentTests.message(arguments) == expected)
    }
}

@Suite(.serialized) struct ValidationExecutableTests {
    /// The tutorial's epoch line, then the validation loss; metrics.json records them.
    @Test func aRunPrintsAndRecordsTheValidationLoss() throws {
        let output = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try Executable.run([
            "train", "--layers", "784,32,8", "--data", TestData.smallFolder.path, "--epochs", "2", "--batch-size", "64",
            "--validation-fraction", "0.25", "--early-stopping", "5", "--output", output.path,
        ])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines[0].wholeMatch(of: /Epoch: 0001 cost= 0\.\d{9}/) != nil, "\(lines)")
        #expect(lines[1].wholeMatch(of: /Validation loss: 0\.\d{9}/) != nil, "\(lines)")
        #expect(lines[2].wholeMatch(of: /Epoch: 0002 cost= 0\.\d{9}/) != nil, "\(lines)")
        #expect(lines[3].wholeMatch(of: /Validation loss: 0\.\d{9}/) != nil, "\(lines)")
        let metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: output.appendingPathComponent("metrics.json")))
        #expect(metrics.validationLosses?.count == 2 && metrics.validationSamples == 128)
        #expect(metrics.training.validationFraction == 0.25 && metrics.training.earlyStoppingPatience == 5)
        #expect(metrics.bestEpoch != nil && metrics.stoppedEarlyAfterEpoch == nil)
    }

    /// A run with early stopping killed with SIGKILL after a checkpoint and resumed makes the
    /// same stopping decision and ends with a byte-identical model. (At a learning rate of 0.5
    /// this small run's validation loss stops improving after a few epochs.)
    @Test func killedAndResumedRunStopsAsAnUninterruptedOne() throws {
        let settings = ["train", "--layers", "784,64,16", "--epochs", "30", "--batch-size", "64", "--seed", "3",
                        "--learning-rate", "0.5", "--validation-fraction", "0.25", "--early-stopping", "3",
                        "--data", TestData.smallFolder.path]
        let straight = TestData.temporaryFolder(), interrupted = TestData.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: straight)
            try? FileManager.default.removeItem(at: interrupted)
        }
        let reference = try Executable.run(settings + ["--output", straight.path])
        #expect(reference.status == 0, "\(reference.error)")
        let straightMetrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: straight.appendingPathComponent("metrics.json")))
        let stoppedAfter = try #require(straightMetrics.stoppedEarlyAfterEpoch)
        #expect(reference.output.contains("Early stopping after epoch \(stoppedAfter): the validation loss has not improved for 3 epochs; keeping epoch \(straightMetrics.bestEpoch ?? 0)'s weights."))

        let process = Process()
        process.executableURL = Executable.url
        process.arguments = settings + ["--output", interrupted.path, "--checkpoint-every", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var seen: Int?
        while Date() < deadline, process.isRunning {
            if let epoch = ResumeTests.checkpointEpoch(in: interrupted), epoch >= 2 {
                seen = epoch
                break
            }
            usleep(1000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL,
                "the run finished before it could be killed")
        let killedAt = try #require(seen)
        #expect(killedAt < stoppedAfter)
        let checkpointEpoch = try #require(ResumeTests.checkpointEpoch(in: interrupted))

        let resumed = try Executable.run(["train", "--resume", interrupted.path])
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.output.hasPrefix("Resuming after epoch \(checkpointEpoch) of 30"), "\(resumed.output)")
        #expect(try Data(contentsOf: straight.appendingPathComponent("model.safetensors"))
                == Data(contentsOf: interrupted.appendingPathComponent("model.safetensors")))
        let metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: interrupted.appendingPathComponent("metrics.json")))
        #expect(metrics.validationLosses == straightMetrics.validationLosses && metrics.epochCosts == straightMetrics.epochCosts)
        #expect(metrics.bestEpoch == straightMetrics.bestEpoch && metrics.stoppedEarlyAfterEpoch == stoppedAfter)
    }

    /// A fraction that leaves less than a batch is refused with the options' names, before training.
    @Test func aSplitThatLeavesTooFewIsRefused() throws {
        let output = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try Executable.run(["train", "--data", TestData.smallFolder.path, "--batch-size", "64",
                                         "--validation-fraction", "0.9", "--output", output.path])
        #expect(result.status != 0)
        #expect(result.error == "Error: --validation-fraction 0.9 holds out 461 of the 512 training images, leaving 51 to train on, fewer than --batch-size 64.\n",
                "\(result.error)")
        #expect(!result.output.contains("Epoch:"))
    }
}
