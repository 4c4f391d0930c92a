@testable import AutoencoderCLI
import Autoencoder
import Foundation
import Testing

/// `autoencoder datasets`, and that a piped run prints no progress.
@Suite(.serialized) struct DatasetsCommandTests {
    @Test func listPrintsEveryNameAndWhereItIs() throws {
        let cache = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: cache) }
        let result = try Executable.run(["datasets", "list", "--cache", cache.path],
                                        environment: ["AUTOENCODER_DATA": TestData.smallFolder.path])
        #expect(result.status == 0, "\(result.error)")
        let names = result.output.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map { String($0.split(separator: " ")[0]) }
        #expect(names == ["mnist", "fashion-mnist", "kmnist", "cifar10"])
        #expect(result.output.contains("on this machine: \(TestData.smallFolder.standardizedFileURL.path)"))
        #expect(result.output.contains("not here (autoencoder datasets fetch kmnist)"))
    }

    @Test func fetchOfAnUnknownNameOrABadMirrorIsOneSentence() throws {
        var result = try Executable.run(["datasets", "fetch", "imagenet"])
        #expect(result.status == 1)
        #expect(result.error == "Error: There is no data set named 'imagenet'; the known ones are mnist, fashion-mnist, kmnist and cifar10.\n")
        result = try Executable.run(["datasets", "fetch", "kmnist", "--mirror", "ftp://x/"])
        #expect(result.status != 0)
        #expect(result.error.contains("--mirror must be an http:// or https:// address, not 'ftp://x/'."))
    }

    @Test func fetchFindsLocalDataWithoutDownloading() throws {
        let result = try Executable.run(["datasets", "fetch", "mnist", "--mirror", "http://127.0.0.1:9/"],
                                        environment: ["AUTOENCODER_DATA": TestData.smallFolder.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "mnist is already on this machine in \(TestData.smallFolder.standardizedFileURL.path); nothing to download.\n")
    }

    /// In a pipe there is no progress line: no carriage return, no escape sequence, and
    /// the tutorial's lines as they always were.
    @Test func aPipedTrainingRunPrintsNoProgress() throws {
        let output = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try Executable.run(["train", "--data", TestData.smallFolder.path, "--epochs", "2", "--batch-size", "64",
                                         "--output", output.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(!result.output.contains("\r") && !result.output.contains("\u{1B}"))
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines[0].wholeMatch(of: /Epoch: 0001 cost= 0\.\d{9}/) != nil)
        #expect(lines[1].wholeMatch(of: /Epoch: 0002 cost= 0\.\d{9}/) != nil)
        #expect(lines[2] == "Optimization Finished!")
    }
}
