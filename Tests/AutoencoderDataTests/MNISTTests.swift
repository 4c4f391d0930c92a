import Foundation
import Testing
@testable import AutoencoderData

@Suite("MNIST loader")
struct MNISTTests {
    let sample = MNIST(training: sampleSet(count: 12), test: sampleSet(count: 5, labelOffset: 3))

    @Test("a written set loads back, raw or gzip", arguments: [false, true])
    func roundTrip(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try sample.write(to: directory.path, compressed: compressed)
        #expect(FileManager.default.fileExists(atPath: directory.file("t10k-labels-idx1-ubyte" + (compressed ? ".gz" : ""))))
        let loaded = try MNIST.load(from: directory.path)
        #expect(loaded == sample)
        #expect(loaded.training.rows == 3 && loaded.training.columns == 2)
    }

    @Test("raw and gzip names may be mixed; both copies of a file are read, and must agree")
    func mixedNames() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try sample.write(to: directory.path, compressed: true)
        // The same labels raw beside the .gz (what `gunzip -k` leaves): fine.
        try IDXWriter.write(IDXArray(dimensions: [12], bytes: sample.training.labels),
                            to: directory.file("train-labels-idx1-ubyte"))
        #expect(MNISTFile.trainingLabels.paths(in: directory.path)
                == [directory.file("train-labels-idx1-ubyte"), directory.file("train-labels-idx1-ubyte.gz")])
        #expect(try MNIST.load(from: directory.path) == sample)
        // Other labels raw beside the .gz: which set was meant cannot be told (the raw copy
        // used to win silently).
        let other = MNIST(training: sampleSet(count: 12, labelOffset: 5), test: sample.test)
        try IDXWriter.write(IDXArray(dimensions: [12], bytes: other.training.labels),
                            to: directory.file("train-labels-idx1-ubyte"))
        let failure = error(MNISTError.self) { try MNIST.load(from: directory.path) }
        #expect(failure == .conflictingCopies(raw: directory.file("train-labels-idx1-ubyte"),
                                              gzip: directory.file("train-labels-idx1-ubyte.gz")))
        #expect(failure?.description == "\(directory.path) holds both train-labels-idx1-ubyte and train-labels-idx1-ubyte.gz,"
                + " and they differ; remove the one that should not be used.")
        try FileManager.default.removeItem(atPath: directory.file("train-labels-idx1-ubyte.gz"))
        #expect(try MNIST.load(from: directory.path) == other)
    }

    @Test("a missing file is named with both accepted names")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try sample.write(to: directory.path, compressed: true)
        try FileManager.default.removeItem(atPath: directory.file("t10k-images-idx3-ubyte.gz"))
        let failure = error(MNISTError.self) { try MNIST.load(from: directory.path) }
        #expect(failure == .missingFile(.testImages, directory: directory.path))
        #expect(failure?.description == "Neither t10k-images-idx3-ubyte nor t10k-images-idx3-ubyte.gz exists in \(directory.path).")
    }

    @Test("images and labels must agree in count, and the error names both files")
    func countMismatch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try sample.write(to: directory.path, compressed: true)
        try IDXWriter.write(IDXArray(dimensions: [11], bytes: Array(sample.training.labels.prefix(11))),
                            to: directory.file("train-labels-idx1-ubyte.gz"), compressed: true)
        let failure = error(MNISTError.self) { try MNIST.load(from: directory.path) }
        #expect(failure?.description == "train-images-idx3-ubyte.gz holds 12 images but train-labels-idx1-ubyte.gz"
                    + " holds 11 labels; they must match one to one.")
    }

    @Test("labels above 9 load (EMNIST's letters are 1 to 26), any byte")
    func labelsBeyondDigits() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try sample.write(to: directory.path)
        var labels = sample.test.labels
        (labels[3], labels[4]) = (26, 255)
        try IDXWriter.write(IDXArray(dimensions: [5], bytes: labels), to: directory.file("t10k-labels-idx1-ubyte"))
        #expect(try MNIST.load(from: directory.path).test.labels == labels)
    }

    @Test("training and test images must be the same size")
    func imageSizeMismatch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try MNIST(training: sample.training, test: sampleSet(count: 5, rows: 4, columns: 4)).write(to: directory.path)
        let failure = error(MNISTError.self) { try MNIST.load(from: directory.path) }
        #expect(failure?.description == "t10k-images-idx3-ubyte holds images of 4x4 but train-images-idx3-ubyte"
                    + " holds images of 3x2; both sets must have one image size.")
    }

    @Test("a bad file inside the directory surfaces as the reader's error")
    func badFileInside() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try sample.write(to: directory.path, compressed: true)
        try directory.write(idxHeader([12, 3, 2]) + [1, 2], to: "train-images-idx3-ubyte.gz")
        let failure = error(IDXError.self) { try MNIST.load(from: directory.path) }
        #expect(failure?.description == "train-images-idx3-ubyte.gz is truncated: the header declares 12 images"
                    + " of 3x2 (72 bytes) but only 2 bytes follow.")
    }

    @Test("the bundled MNIST loads: 60000 + 10000 images of 28x28, labels 5 and 7 first")
    func bundledMNIST() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let mnist = try MNIST.load(from: packageRoot + "/data/mnist")
        let elapsed = clock.now - start
        #expect(mnist.training.count == 60000)
        #expect(mnist.test.count == 10000)
        #expect(mnist.training.rows == 28 && mnist.training.columns == 28)
        #expect(mnist.test.rows == 28 && mnist.test.columns == 28)
        #expect(mnist.training.pixels.count == 60000 * 784)
        #expect(mnist.training.labels.first == 5)
        #expect(mnist.test.labels.first == 7)
        #expect(elapsed < .seconds(5), "loading took \(elapsed)")
        // A quick sanity check that the pixels are digits: mostly background, some full ink.
        let firstImage = mnist.training.image(at: 0)
        #expect(firstImage.filter { $0 == 0 }.count > 500)
        #expect(firstImage.max() == 255)
    }

    @Test("Debian's Fashion-MNIST loads through the same code, when installed",
          .enabled(if: FileManager.default.fileExists(
              atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")))
    func fashionMNIST() throws {
        let fashion = try MNIST.load(from: "/usr/share/datasets/fashion-mnist")
        #expect(fashion.training.count == 60000 && fashion.test.count == 10000)
        #expect(fashion.training.labels.first == 9)  // an ankle boot
        #expect(fashion.test.labels.first == 9)
    }
}
