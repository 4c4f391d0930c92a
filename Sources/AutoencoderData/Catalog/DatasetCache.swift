import Foundation

/// Finds data sets by name on the machine or in the cache folder, and fetches the missing
/// ones from their mirrors, each file verified against its pinned SHA-256.
///
/// The cache folder is `--cache DIR` when given, else `$AUTOENCODER_CACHE`, else
/// `$XDG_CACHE_HOME/swift-autoencoder`, else `~/.cache/swift-autoencoder`; each data set
/// gets a folder of its name in it. A file being downloaded is kept as `NAME.part` and
/// resumed from where it stopped; it gets its real name only once its SHA-256 matches.
public struct DatasetCache: Sendable {
    /// The environment variable naming the cache folder: `AUTOENCODER_CACHE`.
    public static let cacheEnvironmentVariable = "AUTOENCODER_CACHE"
    /// The environment variable naming a mirror tried before the catalog's: `AUTOENCODER_MIRROR`.
    public static let mirrorEnvironmentVariable = "AUTOENCODER_MIRROR"

    /// The data sets known by name.
    public var catalog: DatasetCatalog
    /// The folder that holds one folder per fetched data set.
    public var folder: URL
    /// A mirror tried before each entry's own (a user's copy), the file name appended to it.
    public var firstMirror: URL?
    /// The environment the project's data folder is found in (`$AUTOENCODER_DATA`).
    public var environment: [String: String]
    /// The folder `./data/mnist` is relative to.
    public var currentDirectory: String
    /// Seconds a mirror may stay silent before it counts as failed.
    public var timeout: TimeInterval = 30

    /// Creates a cache over `catalog`. `folder` and `mirror` default to the environment's
    /// (see ``defaultFolder(environment:)`` and ``mirrorEnvironmentVariable``).
    public init(catalog: DatasetCatalog = .standard, folder: URL? = nil, mirror: URL? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                currentDirectory: String = FileManager.default.currentDirectoryPath) {
        self.catalog = catalog
        self.folder = folder ?? Self.defaultFolder(environment: environment)
        self.firstMirror = mirror ?? environment[Self.mirrorEnvironmentVariable].flatMap { $0.isEmpty ? nil : URL(string: $0) }
        self.environment = environment
        self.currentDirectory = currentDirectory
    }

    /// `$AUTOENCODER_CACHE`, else `$XDG_CACHE_HOME/swift-autoencoder`, else
    /// `~/.cache/swift-autoencoder`.
    public static func defaultFolder(environment: [String: String]) -> URL {
        if let folder = environment[cacheEnvironmentVariable], !folder.isEmpty {
            return URL(fileURLWithPath: folder)
        }
        if let folder = environment["XDG_CACHE_HOME"], !folder.isEmpty {
            return URL(fileURLWithPath: folder).appendingPathComponent("swift-autoencoder")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/swift-autoencoder")
    }

    /// The entry named `name`, or ``DatasetError/unknownName(_:known:)``.
    public func entry(named name: String) throws -> DatasetEntry {
        guard let entry = catalog.entry(named: name) else {
            throw DatasetError.unknownName(name, known: catalog.entries.map(\.name))
        }
        return entry
    }

    /// The folder a fetch of `entry` fills: `<cache>/<name>`.
    public func cacheFolder(for entry: DatasetEntry) -> URL {
        folder.appendingPathComponent(entry.name, isDirectory: true)
    }

    /// Where `name` is without downloading: a copy on the machine, else a complete copy in
    /// the cache; `nil` when it is in neither or is no catalog name.
    public func location(of name: String) -> DatasetLocation? {
        guard let entry = catalog.entry(named: name) else { return nil }
        for candidate in localCandidates(for: entry) where DatasetFiles.areReadable(entry, in: candidate) {
            return .onMachine(URL(fileURLWithPath: candidate))
        }
        let cached = cacheFolder(for: entry)
        return DatasetFiles.areComplete(entry, in: cached.path) ? .cached(cached) : nil
    }

    /// The folder holding `name`'s files when it is on the machine or cached, else `nil`.
    public func localPath(for name: String) -> URL? {
        location(of: name)?.folder
    }

    /// The folder holding `name`'s files: found on the machine or in the cache, else
    /// downloaded into the cache (every file, each verified; an archive unpacked).
    ///
    /// - Throws: ``DatasetError`` for an unknown name, a download that failed at every
    ///   mirror, or a cache folder that cannot be written.
    @discardableResult
    public func fetch(_ name: String, progress: @escaping (FetchEvent) -> Void = { _ in }) throws -> URL {
        let entry = try entry(named: name)
        if let found = location(of: name) { return found.folder }
        let target = cacheFolder(for: entry)
        do {
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.unusableFile(path: target.path, reason: "the cache folder cannot be made (give another with --cache DIR)")
        }
        for file in entry.files {
            try download(file, of: entry, into: target, progress: progress)
        }
        if entry.format == .cifar10Binary, let archive = entry.files.first {
            try TarGzArchive.extract(target.appendingPathComponent(archive.name).path, files: CIFAR10.fileNames, into: target.path)
            progress(.unpacked(archive: archive.name, folder: target.path))
        }
        return target
    }

    /// The folder of the data set `name` when it is a catalog name (fetching it when it is not
    /// here yet), `nil` when it is not: what lets `--data NAME` stand where a folder is accepted.
    public func resolve(_ name: String, progress: @escaping (FetchEvent) -> Void = { _ in }) throws -> URL? {
        guard catalog.entry(named: name) != nil else { return nil }
        return try fetch(name, progress: progress)
    }

    /// The mirrors of `entry` in the order tried: the user's first, then the entry's.
    public func mirrors(for entry: DatasetEntry) -> [URL] {
        (firstMirror.map { [$0] } ?? []) + entry.mirrors
    }

    /// The folders where a copy of `entry` may already be: the project's data folder for
    /// MNIST ($AUTOENCODER_DATA, else ./data/mnist), then the entry's own.
    func localCandidates(for entry: DatasetEntry) -> [String] {
        var folders = entry.localFolders
        if entry.name == DatasetCatalog.mnist.name {
            let candidate = DataDirectoryLocator.candidate(option: nil, environment: environment,
                                                           currentDirectory: currentDirectory)
            folders.insert(candidate.path, at: 0)
        }
        return folders
    }

    /// Downloads `file` into `folder` unless it is there, trying each mirror in order.
    private func download(_ file: CatalogFile, of entry: DatasetEntry, into folder: URL,
                          progress: @escaping (FetchEvent) -> Void) throws {
        let final = folder.appendingPathComponent(file.name).path
        if FileManager.default.fileExists(atPath: final) { return }
        let part = final + ".part"
        var failures: [MirrorFailure] = []
        for mirror in mirrors(for: entry) {
            // A complete part left by an earlier run is checked before anything is asked.
            let partSize = (try? FileManager.default.attributesOfItem(atPath: part)[.size] as? Int) ?? 0
            if partSize > file.size { try? FileManager.default.removeItem(atPath: part) }
            if partSize != file.size {
                let base = mirror.absoluteString.hasSuffix("/") ? mirror.absoluteString : mirror.absoluteString + "/"
                guard let url = URL(string: base + file.name) else {
                    failures.append(MirrorFailure(mirror: mirror, reason: "not a valid address", answered: false))
                    continue
                }
                if let failure = PartFileDownload.run(url: url, mirror: mirror, partPath: part, fileName: file.name,
                                                      totalBytes: file.size, timeout: timeout,
                                                      onProgress: { progress(.progress($0)) }) {
                    // What arrived stays to be resumed; an empty part is not kept.
                    if (try? FileManager.default.attributesOfItem(atPath: part)[.size] as? Int) == 0 {
                        try? FileManager.default.removeItem(atPath: part)
                    }
                    failures.append(failure)
                    progress(.mirrorFailed(file: file.name, failure))
                    continue
                }
            }
            let sum = try FileDigest.sha256(ofFileAt: part)
            guard sum == file.sha256 else {
                try? FileManager.default.removeItem(atPath: part)
                let failure = MirrorFailure(mirror: mirror, reason: "SHA-256 mismatch (the corrupt copy was deleted)", answered: true)
                failures.append(failure)
                progress(.mirrorFailed(file: file.name, failure))
                continue
            }
            do {
                try FileManager.default.moveItem(atPath: part, toPath: final)
            } catch {
                throw DatasetError.unusableFile(path: final, reason: "the verified download cannot be renamed to it")
            }
            progress(.verified(file: file.name, mirror: mirror))
            return
        }
        throw DatasetError.downloadFailed(dataset: entry.name, file: file.name, failures: failures)
    }
}
