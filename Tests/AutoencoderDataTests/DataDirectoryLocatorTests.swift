import Foundation
import Testing
@testable import AutoencoderData

@Suite("Data directory locator")
struct DataDirectoryLocatorTests {
    let variable = DataDirectoryLocator.environmentVariable

    @Test("the option wins over the environment, which wins over the default")
    func precedence() {
        let environment = [variable: "/env/data"]
        #expect(DataDirectoryLocator.candidate(option: "/opt/data", environment: environment, currentDirectory: "/work")
                == DataDirectoryCandidate(source: .option, given: "/opt/data", path: "/opt/data"))
        #expect(DataDirectoryLocator.candidate(option: nil, environment: environment, currentDirectory: "/work")
                == DataDirectoryCandidate(source: .environment, given: "/env/data", path: "/env/data"))
        #expect(DataDirectoryLocator.candidate(option: nil, environment: [:], currentDirectory: "/work")
                == DataDirectoryCandidate(source: .defaultLocation, given: "data/mnist", path: "/work/data/mnist"))
    }

    @Test("empty values count as not given, and relative paths resolve against the current directory")
    func emptyAndRelative() {
        let candidate = DataDirectoryLocator.candidate(option: "", environment: [variable: ""], currentDirectory: "/work/")
        #expect(candidate.source == .defaultLocation && candidate.path == "/work/data/mnist")
        let relative = DataDirectoryLocator.candidate(option: "../fashion", environment: [:], currentDirectory: "/work/run")
        #expect(relative.path == "/work/fashion")
        #expect(relative.label == "--data ../fashion (/work/fashion)")
    }

    @Test("locate returns the chosen directory when it holds all four files")
    func locateFound() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try FileManager.default.createDirectory(atPath: root.file("data/mnist"), withIntermediateDirectories: true)
        try MNIST(training: sampleSet(count: 2), test: sampleSet(count: 1))
            .write(to: root.file("data/mnist"), compressed: true)
        let locator = DataDirectoryLocator()
        #expect(try locator.locate(option: nil, environment: [:], currentDirectory: root.path) == root.file("data/mnist"))
        #expect(try locator.locate(option: nil, environment: [variable: "data/mnist"], currentDirectory: root.path)
                == root.file("data/mnist"))
        #expect(try locator.locate(option: root.file("data/mnist"), environment: [variable: "/nowhere"],
                                   currentDirectory: "/") == root.file("data/mnist"))
    }

    @Test("an explicit choice that is wrong is reported, not replaced by the default")
    func explicitChoiceIsAuthoritative() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try FileManager.default.createDirectory(atPath: root.file("data/mnist"), withIntermediateDirectories: true)
        try MNIST(training: sampleSet(count: 2), test: sampleSet(count: 1)).write(to: root.file("data/mnist"))
        let failure = error(DataDirectoryError.self) {
            try DataDirectoryLocator().locate(option: nil, environment: [variable: "/no/such/dir"],
                                              currentDirectory: root.path)
        }
        #expect(failure?.description == "No MNIST-format data found: looked in $AUTOENCODER_DATA=/no/such/dir,"
                    + " which does not exist or is not a directory (--data DIR was not given).")
    }

    @Test("the error says where it looked and which files were missing")
    func errorText() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let locator = DataDirectoryLocator()

        let noDefault = error(DataDirectoryError.self) {
            try locator.locate(option: nil, environment: [:], currentDirectory: root.path)
        }
        #expect(noDefault?.description == "No MNIST-format data found: looked in ./data/mnist (\(root.path)/data/mnist),"
                    + " which does not exist or is not a directory (--data DIR was not given and"
                    + " $AUTOENCODER_DATA is not set).")

        try MNIST(training: sampleSet(count: 2), test: sampleSet(count: 1)).write(to: root.path, compressed: true)
        try FileManager.default.removeItem(atPath: root.file("train-labels-idx1-ubyte.gz"))
        let oneMissing = error(DataDirectoryError.self) {
            try locator.locate(option: root.path, environment: [variable: "/elsewhere"], currentDirectory: "/")
        }
        #expect(oneMissing?.missingFiles == [.trainingLabels])
        #expect(oneMissing?.description == "No MNIST-format data found: looked in --data \(root.path),"
                    + " which lacks train-labels-idx1-ubyte(.gz).")

        try FileManager.default.removeItem(atPath: root.file("t10k-images-idx3-ubyte.gz"))
        try FileManager.default.removeItem(atPath: root.file("t10k-labels-idx1-ubyte.gz"))
        let threeMissing = error(DataDirectoryError.self) {
            try locator.locate(option: nil, environment: [variable: root.path], currentDirectory: "/")
        }
        #expect(threeMissing?.description == "No MNIST-format data found: looked in $AUTOENCODER_DATA=\(root.path),"
                    + " which lacks train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz) and"
                    + " t10k-labels-idx1-ubyte(.gz) (--data DIR was not given).")
        #expect(threeMissing?.localizedDescription == threeMissing?.description)
    }

    @Test("a locator can require fewer files")
    func fewerFiles() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try IDXWriter.write(IDXArray(dimensions: [1, 1, 1], bytes: [0]), to: root.file("t10k-images-idx3-ubyte"))
        let locator = DataDirectoryLocator(requiredFiles: [.testImages])
        #expect(try locator.locate(option: root.path, environment: [:], currentDirectory: "/") == root.path)
    }
}
