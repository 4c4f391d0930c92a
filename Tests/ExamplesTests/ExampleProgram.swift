import Foundation

/// Runs one of the built example executables from the repository's folder (where
/// `data/mnist` is) and captures what it prints.
enum ExampleProgram {
    /// The repository: the examples read `data/mnist` relative to it.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// What a run printed and how it ended.
    struct Result {
        var status: Int32
        var output: String
        var error: String
        /// The printed lines.
        var lines: [String] { output.split(separator: "\n").map(String.init) }
    }

    /// The executable `name` in the build products folder, beside the test bundle.
    static func url(of name: String) -> URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Runs the executable `name` with `arguments` and waits for it.
    static func run(_ name: String, _ arguments: [String] = []) throws -> Result {
        let process = Process()
        process.executableURL = url(of: name)
        process.arguments = arguments
        process.currentDirectoryURL = repository
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // The examples write little to standard error, so reading it second cannot stall them.
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        let errorData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      error: String(decoding: errorData, as: UTF8.self))
    }
}
