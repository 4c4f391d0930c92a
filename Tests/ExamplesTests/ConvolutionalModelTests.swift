import Foundation
import Testing

/// `Examples/ConvolutionalModel` describes a convolutional autoencoder in code, prints its
/// layer table and trains it for two epochs: the table must show the described layers and
/// shapes, and the losses must be finite and fall.
@Suite struct ConvolutionalModelTests {
    @Test func printsTheLayerTableAndALowerTestLoss() throws {
        let result = try ExampleProgram.run("convolutional-model")
        #expect(result.status == 0, "\(result.error)")
        let lines = result.lines

        // The layer table: the input, then one row per described layer with its output shape.
        let table = lines.prefix { !$0.hasPrefix("Code: ") }.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        let expected: [(kind: String, shape: String)] = [
            ("input", "[1, 28, 28]"), ("Conv2D", "[8, 28, 28]"), ("MaxPooling2D", "[8, 14, 14]"),
            ("Conv2D", "[4, 14, 14]"), ("MaxPooling2D", "[4, 7, 7]"), ("Conv2D", "[4, 7, 7]"),
            ("UpSampling2D", "[4, 14, 14]"), ("Conv2D", "[8, 14, 14]"), ("UpSampling2D", "[8, 28, 28]"),
            ("Conv2D", "[1, 28, 28]"),
        ]
        try #require(table.count == expected.count, "\(lines)")
        for (row, want) in zip(table, expected) {
            let text = row.joined(separator: " ")
            #expect(text.contains(want.kind), "\(text)")
            #expect(text.contains(want.shape), "\(text)")
        }
        // A 3x3 convolution of 1 channel to 8 has 8·9 weights and 8 biases; pooling has none.
        #expect(table[1].last == "80")
        #expect(table[2].last == "0")
        #expect(lines.contains("Code: [4, 7, 7] (196 values), relu"))

        let epochs = lines.compactMap { $0.wholeMatch(of: /epoch (\d+): training loss ([0-9.e-]+), test loss ([0-9.e-]+)/) }
        try #require(epochs.count == 2, "\(lines)")
        let testLosses = epochs.compactMap { Double($0.3) }
        #expect(testLosses.count == 2 && testLosses.allSatisfy(\.isFinite))
        #expect(testLosses[1] < testLosses[0])
        // Binary cross-entropy of a constant 0.5 guess is ln 2; training must beat it.
        let final = try #require(lines.compactMap { $0.wholeMatch(of: /Test loss: ([0-9.e-]+) .*/) }.first.flatMap { Double($0.1) })
        #expect(final == testLosses[1])
        #expect(final < log(2.0))
    }

    @Test func refusesAFolderWithoutMNIST() throws {
        let result = try ExampleProgram.run("convolutional-model", ["/nonexistent-mnist-folder"])
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        // One sentence on one line, naming the path.
        #expect(result.error.split(separator: "\n").count == 1, "\(result.error)")
        #expect(result.error.contains("nonexistent-mnist-folder"), "\(result.error)")
    }
}
