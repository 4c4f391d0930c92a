import ArgumentParser
@testable import AutoencoderCLI
import AutoencoderSerialization
import Foundation
import Testing

/// `joiningNegativeListValues`: negative numbers after a list option reach the command's
/// own check instead of being read as options.
@Suite struct ArgumentNormalizationTests {
    @Test(arguments: [
        (["reconstruct", "--indices", "-1"], ["reconstruct", "--indices=-1"]),
        (["reconstruct", "--indices", "2", "-3", "4", "--colormap", "gray"],
         ["reconstruct", "--indices=2,-3,4", "--colormap", "gray"]),
        (["reconstruct", "--indices", "0", "1", "--output", "-1.png"],
         ["reconstruct", "--indices", "0", "1", "--output", "-1.png"]),
        (["reconstruct", "--indices", "0,-1"], ["reconstruct", "--indices", "0,-1"]),
        (["reconstruct", "--indices"], ["reconstruct", "--indices"]),
        (["reconstruct", "--indices", "-x"], ["reconstruct", "--indices", "-x"]),
        (["reconstruct", "--", "--indices", "-1"], ["reconstruct", "--", "--indices", "-1"]),
        (["decode", "--range", "-3,3"], ["decode", "--range", "-3,3"]),
    ])
    func rewrites(_ arguments: [String], _ expected: [String]) {
        #expect(joiningNegativeListValues(arguments) == expected)
    }
}

/// `OneLineError`: text from a file cannot break an error message over lines or reach the
/// terminal as escape sequences.
@Suite struct OneLineErrorTests {
    @Test func escapesControlCharactersOfOurErrors() {
        let error = CommandError("The format is 'a\nb\u{1B}[31mred\tc'.")
        #expect(OneLineError(error)?.description == #"The format is 'a\nb\u{1B}[31mred\tc'."#)
        #expect(OneLineError(CommandError("Nothing to escape: ünïcode stays.")) == nil)
        #expect(OneLineError(ValidationError("a\nb")) == nil)
        #expect(OneLineError(CleanExit.helpRequest()) == nil)
    }

    @Test func modelFileWithControlCharactersInItsMetadataGetsOneLine() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("hostile.safetensors")
        try SafeTensors.write([], metadata: ["format": "swift-autoencoder\n\u{1B}[31mred", "version": "1"], to: file)
        let result = try Executable.run(["inspect", "--model", file.path])
        #expect(result.status != 0)
        #expect(result.error == "Error: The model file '\(file.path)' is invalid: its metadata says the format is "
                + #"'swift-autoencoder\n\u{1B}[31mred', not 'swift-autoencoder'."# + "\n")
    }
}
