import ArgumentParser
@testable import AutoencoderCLI
import Autoencoder
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

/// `optionGivenAnEmptyValue`: an empty value is refused whatever the option.
@Suite struct EmptyOptionValueTests {
    @Test(arguments: [
        (["train", "--output", ""], "--output"),
        (["encode", "--model", "m", "--input", "", "--output", ""], "--input"),
        (["train", "--output", "run"], nil),
        (["train", "--output=a=b"], nil),
        (["evaluate", "--no-baselines"], nil),
        (["train", "--", "--output", ""], nil),
    ] as [([String], String?)])
    func findsTheOption(_ arguments: [String], _ option: String?) {
        #expect(optionGivenAnEmptyValue(in: arguments) == option)
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

    /// Normal output quoting a file's text is escaped too: `inspect` printed a preset name
    /// holding an escape sequence and a line break raw.
    @Test func inspectEscapesAModelsControlCharacters() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("preset.safetensors")
        let model = try ModelFile.read(from: URL(fileURLWithPath: ModelFixtures.path("wide.safetensors")))
        var metadata = try model.metadata()
        metadata["preset"] = "evil\u{1B}[31mred\nline"
        try SafeTensors.write(model.tensors(), metadata: metadata, to: file)
        let result = try Executable.run(["inspect", "--model", file.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("\nPreset: " + #"evil\u{1B}[31mred\nline"# + "\n"), "\(result.output)")
        #expect(!result.output.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" })
        let evaluation = try Executable.run(["evaluate", "--model", file.path, "--data", TestData.smallFolder.path,
                                             "--no-baselines", "--output", folder.appendingPathComponent("e.json").path])
        #expect(evaluation.status == 0, "\(evaluation.error)")
        #expect(evaluation.output.contains(#"(evil\u{1B}[31mred\nline, 784-16)"#), "\(evaluation.output)")
        #expect(!evaluation.output.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" })
    }

    @Test func escapingKeepsLineBreaksWhenAsked() {
        #expect(escapingControlCharacters(in: "a\tb\nc\u{7}") == #"a\tb\nc\u{07}"#)
        #expect(escapingControlCharacters(in: "a\tb\nc", keepingLineBreaks: true) == "a\\tb\nc")
        #expect(escapingControlCharacters(in: "plain ünïcode") == "plain ünïcode")
    }
}

/// `OptionNamedError`: the library names its settings, the command its options.
@Suite struct OptionNamedErrorTests {
    @Test(arguments: [
        (ConfigurationError.tooFewWidths([784]), "--layers needs at least two widths (input and code), not 784."),
        (.nonPositiveWidth(0), "--layers widths must be positive, not 0."),
        (.tooManyParameters([784, 99_999_999_999], count: 156_899_999_999_215),
         "--layers 784,99999999999 needs 156899999999215 parameters, more than the 268435456 allowed."),
        (.tooManyParameters([784, Int.max], count: nil),
         "--layers 784,\(Int.max) needs more parameters than the 268435456 allowed."),
        (.inputWidth(found: 100, expected: 784), "--layers must start at 784, the data's pixels per image, not 100."),
        (.epochs(0), "--epochs must be at least 1, not 0."),
        (.batchSize(513, sampleCount: 512), "--batch-size must be between 1 and 512 (the number of training images), not 513."),
        (.batchSize(-5, sampleCount: nil), "--batch-size must be at least 1, not -5."),
        (.learningRate(-1), "--learning-rate must be a positive number, not -1.0."),
        (.neighborCount(0), "--k must be between 1 and 1000, not 0."),
    ])
    func namesTheOption(_ error: ConfigurationError, _ sentence: String) {
        #expect(OptionNamedError(error)?.description == sentence)
        #expect(!error.description.contains("--"))
    }

    @Test func leavesOtherErrorsAlone() {
        #expect(OptionNamedError(CheckpointIntervalError(value: 0))?.description == "--checkpoint-every must be at least 1, not 0.")
        #expect(OptionNamedError(ConfigurationError.noTrainingSamples) == nil)
        #expect(OptionNamedError(ConfigurationError.testImageSize(test: [10, 10], training: [28, 28])) == nil)
        #expect(OptionNamedError(CommandError("Anything else.")) == nil)
    }
}
