import AutoencoderErrors
import Foundation

/// Where a candidate data directory came from, in order of precedence.
public enum DataDirectorySource: Sendable, Equatable, CaseIterable {
    /// The `--data DIR` command-line option.
    case option
    /// The `$AUTOENCODER_DATA` environment variable.
    case environment
    /// The default, `./data/mnist` under the current directory.
    case defaultLocation
}

/// The data directory chosen from the option, the environment and the default, before the
/// file system has been consulted.
public struct DataDirectoryCandidate: Sendable, Equatable {
    /// Which of the three places the directory came from.
    public let source: DataDirectorySource
    /// The directory as the user wrote it (or `data/mnist` for the default).
    public let given: String
    /// The directory made absolute against the current directory.
    public let path: String

    /// Creates a candidate; `path` is `given` resolved against the current directory.
    public init(source: DataDirectorySource, given: String, path: String) {
        self.source = source
        self.given = given
        self.path = path
    }

    /// How error messages name the place, e.g. `$AUTOENCODER_DATA=/data/fashion` or
    /// `./data/mnist (/home/me/data/mnist)`.
    public var label: String {
        switch source {
        case .option:
            return "--data \(given)" + (given == path ? "" : " (\(path))")
        case .environment:
            return "$\(DataDirectoryLocator.environmentVariable)=\(given)" + (given == path ? "" : " (\(path))")
        case .defaultLocation:
            return "./\(given) (\(path))"
        }
    }
}

/// Finds the directory that holds the MNIST-format files.
///
/// Precedence: `--data DIR` if given, else `$AUTOENCODER_DATA` if set and not empty, else
/// `./data/mnist` relative to the current directory. The first place that is *given* is the
/// only one used: an explicit choice that is wrong is reported rather than silently replaced
/// by another data set. The error says where it looked, what was missing there, and which
/// other places were not given.
public struct DataDirectoryLocator: Sendable {
    /// The environment variable that names a data directory: `AUTOENCODER_DATA`.
    public static let environmentVariable = "AUTOENCODER_DATA"
    /// The default data directory, relative to the current directory: `data/mnist`.
    public static let defaultDirectory = "data/mnist"

    /// The files the directory must hold (each raw or `.gz`); all four MNIST files by default.
    public var requiredFiles: [MNISTFile]

    /// Creates a locator that requires `requiredFiles`.
    public init(requiredFiles: [MNISTFile] = MNISTFile.allCases) {
        self.requiredFiles = requiredFiles
    }

    /// Chooses the directory to use from the explicit option, the environment and the current
    /// directory, without touching the file system.
    public static func candidate(option: String?, environment: [String: String],
                                 currentDirectory: String) -> DataDirectoryCandidate {
        func resolve(_ given: String) -> String {
            let path = given.hasPrefix("/") ? given : joinPath(currentDirectory, given)
            return (path as NSString).standardizingPath
        }
        if let option, !option.isEmpty {
            return DataDirectoryCandidate(source: .option, given: option, path: resolve(option))
        }
        if let value = environment[environmentVariable], !value.isEmpty {
            return DataDirectoryCandidate(source: .environment, given: value, path: resolve(value))
        }
        return DataDirectoryCandidate(source: .defaultLocation, given: defaultDirectory,
                                      path: resolve(defaultDirectory))
    }

    /// Returns the absolute path of the data directory chosen by
    /// ``candidate(option:environment:currentDirectory:)``, after checking that it holds
    /// every required file.
    ///
    /// - Throws: ``DataDirectoryError`` listing where it looked and what was missing.
    public func locate(option: String?, environment: [String: String], currentDirectory: String) throws -> String {
        let candidate = Self.candidate(option: option, environment: environment, currentDirectory: currentDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
              isDirectory.boolValue
        else {
            throw DataDirectoryError(candidate: candidate, directoryExists: false, missingFiles: requiredFiles)
        }
        let missing = requiredFiles.filter { $0.path(in: candidate.path) == nil }
        guard missing.isEmpty else {
            throw DataDirectoryError(candidate: candidate, directoryExists: true, missingFiles: missing)
        }
        return candidate.path
    }

    /// ``locate(option:environment:currentDirectory:)`` with this process's environment and
    /// current directory: what the command line calls.
    public func locate(option: String?) throws -> String {
        try locate(option: option, environment: ProcessInfo.processInfo.environment,
                   currentDirectory: FileManager.default.currentDirectoryPath)
    }
}

/// No usable data directory: says where the locator looked and what it did not find there.
public struct DataDirectoryError: Error, AutoencoderError, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The place that was looked at.
    public let candidate: DataDirectoryCandidate
    /// Whether that directory exists at all.
    public let directoryExists: Bool
    /// The required files found under neither accepted name (all of them if the directory is missing).
    public let missingFiles: [MNISTFile]

    /// Creates the error for `candidate`.
    public init(candidate: DataDirectoryCandidate, directoryExists: Bool, missingFiles: [MNISTFile]) {
        self.candidate = candidate
        self.directoryExists = directoryExists
        self.missingFiles = missingFiles
    }

    /// One sentence: the place looked, what was wrong with it, and the places not given.
    public var description: String {
        let problem: String
        if directoryExists {
            let names = missingFiles.map { "\($0.baseName)(.gz)" }
            let list = names.count <= 2
                ? names.joined(separator: " and ")
                : names.dropLast().joined(separator: ", ") + " and " + names.last!
            problem = "which lacks \(list)"
        } else {
            problem = "which does not exist or is not a directory"
        }
        let notGiven: String
        switch candidate.source {
        case .option:
            notGiven = ""
        case .environment:
            notGiven = " (--data DIR was not given)"
        case .defaultLocation:
            notGiven = " (--data DIR was not given and $\(DataDirectoryLocator.environmentVariable) is not set)"
        }
        return "No MNIST-format data found: looked in \(candidate.label), \(problem)\(notGiven)."
    }

    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}
