import ArgumentParser
@testable import AutoencoderCLI
import Autoencoder
import Foundation
import Testing

/// `--threads N` on every command that computes.
@Suite struct ThreadOptionsTests {
    /// Each computing command with the options it cannot parse without.
    static let commands: [[String]] = [
        ["train"],
        ["demo"],
        ["encode", "--model", "m.safetensors", "--output", "codes.npy"],
        ["decode", "--model", "m.safetensors", "--grid", "4", "--output", "grid.png"],
        ["reconstruct", "--model", "m.safetensors", "--output", "pictures.png"],
        ["evaluate", "--model", "m.safetensors"],
        ["score", "--model", "m.safetensors", "--output", "scores"],
        ["sample", "--model", "m.safetensors", "--output", "samples.png"],
        ["report", "run"],
    ]

    @Test(arguments: commands)
    func theOptionParsesOnEveryComputingCommand(arguments: [String]) throws {
        let command = try AutoencoderCommand.parseAsRoot(arguments + ["--threads", "3"])
        let threaded = try #require(command as? any ThreadedCommand, "\(arguments[0]) has no --threads")
        #expect(threaded.threadOptions.threads == 3)
        let plain = try #require(try AutoencoderCommand.parseAsRoot(arguments) as? any ThreadedCommand)
        #expect(plain.threadOptions.threads == nil)
        let help = AutoencoderCommand.helpMessage(for: type(of: command), columns: 200)
        #expect(help.contains("--threads <n>"), "\(help)")
    }

    @Test(arguments: commands)
    func lessThanOneThreadIsRefused(arguments: [String]) {
        #expect(ArgumentTests.message(arguments + ["--threads", "0"]) == "--threads must be at least 1, not 0.")
        #expect(ArgumentTests.message(arguments + ["--threads", "-2"]) == "--threads must be at least 1, not -2.")
    }

    @Test func commandsThatComputeNothingHaveNoThreadsOption() throws {
        for arguments in [["inspect", "--model", "m.safetensors"], ["model", "show", "--preset", "autoencoder"], ["datasets", "list"]] {
            let command = try AutoencoderCommand.parseAsRoot(arguments)
            #expect(!(command is any ThreadedCommand), "\(arguments[0])")
        }
    }
}

/// The option's effect, run as the built executable.
@Suite(.serialized) struct ThreadOptionsExecutableTests {
    /// One thread and two split the work into the same parts, so training gives the same
    /// costs and the same model file, byte for byte.
    @Test func oneThreadTrainsExactlyAsTwo() throws {
        var costs: [String: [String]] = [:]
        var models: [String: Data] = [:]
        for threads in ["1", "2"] {
            let output = TestData.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: output) }
            let result = try Executable.run([
                "train", "--preset", "autoencoder", "--data", TestData.smallFolder.path, "--epochs", "2",
                "--batch-size", "64", "--threads", threads, "--output", output.path,
            ])
            #expect(result.status == 0, "\(result.error)")
            costs[threads] = result.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("Epoch:") }
            models[threads] = try Data(contentsOf: output.appendingPathComponent("model.safetensors"))
        }
        #expect(costs["1"]?.count == 2)
        #expect(costs["1"] == costs["2"])
        #expect(models["1"] == models["2"])
    }

    @Test func zeroThreadsIsRefusedBeforeAnyWork() throws {
        let result = try Executable.run(["train", "--data", TestData.smallFolder.path, "--epochs", "1", "--threads", "0"])
        #expect(result.status != 0)
        #expect(result.error.hasPrefix("Error: --threads must be at least 1, not 0.\n"), "\(result.error)")
        #expect(!result.output.contains("Epoch:"))
    }
}
