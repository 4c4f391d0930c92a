import Autoencoder
import Foundation

/// Shared test data: the bundled MNIST, loaded once per test process.
enum Fixtures {
    /// The repository's `data/mnist` folder.
    static let mnistFolder: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/mnist").path

    /// The full bundled MNIST.
    static let mnist: MNIST = try! MNIST.load(from: mnistFolder)

    /// A small slice of it: enough to see learning in a few debug-build seconds.
    static func small(training: Int = 2048, test: Int = 200) -> MNIST {
        MNIST(training: mnist.training.prefix(training), test: mnist.test.prefix(test))
    }

    /// A fresh empty temporary folder.
    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("autoencoder-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
