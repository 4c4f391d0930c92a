import Foundation
import Testing
@testable import AutoencoderData

/// Fetching against servers the tests start on 127.0.0.1 (never the internet), with a small
/// catalog entry of made-up files.
@Suite struct CatalogDownloadTests {
    /// Two files of made-up bytes, big enough to be cut in half and resumed.
    static let files: [String: [UInt8]] = [
        "first.bin": (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) },
        "second.bin": (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 13) },
    ]

    /// An entry of ``files`` served by `mirrors`.
    static func entry(mirrors: [URL]) throws -> DatasetEntry {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let described = try files.keys.sorted().map { name in
            let path = try folder.write(files[name]!, to: name)
            return CatalogFile(name: name, size: files[name]!.count, sha256: try FileDigest.sha256(ofFileAt: path))
        }
        return DatasetEntry(name: "tiny", summary: "test data", format: .idx, files: described, mirrors: mirrors)
    }

    /// A cache over one `entry` in a fresh folder.
    static func cache(_ entry: DatasetEntry, in folder: TemporaryDirectory) -> DatasetCache {
        var cache = DatasetCache(catalog: DatasetCatalog(entries: [entry]), folder: URL(fileURLWithPath: folder.path),
                                 environment: [:], currentDirectory: folder.path)
        cache.timeout = 10
        return cache
    }

    /// The fetched files' bytes by name.
    static func contents(in folder: URL) throws -> [String: [UInt8]] {
        try Dictionary(uniqueKeysWithValues: files.keys.map { ($0, try AutoencoderDataTests.contents(of: folder.appendingPathComponent($0).path)) })
    }

    @Test func correctDownloadIsVerifiedAndCachedSoASecondFetchAsksNothing() throws {
        let server = try CatalogTestServer(files: Self.files)
        let folder = try TemporaryDirectory()
        defer { folder.remove(); server.stop() }
        let cache = Self.cache(try Self.entry(mirrors: [server.url]), in: folder)
        #expect(cache.localPath(for: "tiny") == nil)
        let fetched = try cache.fetch("tiny")
        #expect(try Self.contents(in: fetched) == Self.files)
        #expect(server.requests.count == 2)
        #expect(cache.location(of: "tiny") == .cached(fetched))
        #expect(try cache.fetch("tiny") == fetched)
        #expect(try cache.resolve("tiny") == fetched)
        #expect(server.requests.count == 2)
        #expect(try cache.resolve("./not-a-name") == nil)
    }

    @Test func corruptDownloadIsDeletedAndTheNextMirrorUsed() throws {
        let bad = try CatalogTestServer(files: Self.files, behaviour: .corrupt)
        let good = try CatalogTestServer(files: Self.files)
        let folder = try TemporaryDirectory()
        defer { folder.remove(); bad.stop(); good.stop() }
        let cache = Self.cache(try Self.entry(mirrors: [bad.url, good.url]), in: folder)
        let events = EventLog()
        let fetched = try cache.fetch("tiny", progress: events.record)
        #expect(try Self.contents(in: fetched) == Self.files)
        let failures = events.events.compactMap { event -> MirrorFailure? in
            if case .mirrorFailed(_, let failure) = event { return failure } else { return nil }
        }
        #expect(failures.count == 2)
        #expect(failures.allSatisfy { $0.reason == "SHA-256 mismatch (the corrupt copy was deleted)" && $0.mirror == bad.url })
        #expect(good.requests.allSatisfy { $0.range == nil })
        #expect(!FileManager.default.fileExists(atPath: fetched.appendingPathComponent("first.bin.part").path))
    }

    @Test func onlyCorruptMirrorsAreReportedInOneSentence() throws {
        let bad = try CatalogTestServer(files: Self.files, behaviour: .corrupt)
        let missing = try CatalogTestServer(files: Self.files, behaviour: .notFound)
        let folder = try TemporaryDirectory()
        defer { folder.remove(); bad.stop(); missing.stop() }
        let cache = Self.cache(try Self.entry(mirrors: [bad.url, missing.url]), in: folder)
        let error = #expect(throws: DatasetError.self) { try cache.fetch("tiny") }
        #expect(error?.description == "Could not download tiny: no mirror gave a good copy of first.bin "
            + "(127.0.0.1:\(bad.port): SHA-256 mismatch (the corrupt copy was deleted); 127.0.0.1:\(missing.port): HTTP 404); "
            + "give --mirror URL with a good copy.")
        #expect(!FileManager.default.fileExists(atPath: folder.file("tiny/first.bin.part")))
    }

    @Test func deadFirstMirrorFallsOverToTheSecond() throws {
        let dead = URL(string: "http://127.0.0.1:\(try CatalogTestServer.closedPort())/data/")!
        let good = try CatalogTestServer(files: Self.files)
        let folder = try TemporaryDirectory()
        defer { folder.remove(); good.stop() }
        let cache = Self.cache(try Self.entry(mirrors: [dead, good.url]), in: folder)
        let events = EventLog()
        let fetched = try cache.fetch("tiny", progress: events.record)
        #expect(try Self.contents(in: fetched) == Self.files)
        #expect(events.events.contains(.mirrorFailed(file: "first.bin", MirrorFailure(mirror: dead, reason: "connection refused", answered: false))))
        #expect(events.events.contains(.verified(file: "first.bin", mirror: good.url)))
    }

    @Test func aPartialDownloadResumesWithARangeRequest() throws {
        let server = try CatalogTestServer(files: Self.files)
        let folder = try TemporaryDirectory()
        defer { folder.remove(); server.stop() }
        let cache = Self.cache(try Self.entry(mirrors: [server.url]), in: folder)
        try FileManager.default.createDirectory(atPath: folder.file("tiny"), withIntermediateDirectories: true)
        try folder.write(Array(Self.files["first.bin"]!.prefix(12_345)), to: "tiny/first.bin.part")
        let events = EventLog()
        let fetched = try cache.fetch("tiny", progress: events.record)
        #expect(try Self.contents(in: fetched) == Self.files)
        #expect(server.requests.contains(CatalogTestServer.Request(path: "/data/first.bin", range: "bytes=12345-")))
        let last = events.events.last { if case .progress(let p) = $0 { p.fileName == "first.bin" } else { false } }
        if case .progress(let progress)? = last {
            #expect(progress.resumedFrom == 12_345 && progress.bytes == 50_000 && progress.totalBytes == 50_000)
        }
    }

    @Test func aCutDownloadIsResumedFromTheNextMirror() throws {
        let cutting = try CatalogTestServer(files: Self.files, behaviour: .cutHalfway)
        let good = try CatalogTestServer(files: Self.files)
        let folder = try TemporaryDirectory()
        defer { folder.remove(); cutting.stop(); good.stop() }
        let cache = Self.cache(try Self.entry(mirrors: [cutting.url, good.url]), in: folder)
        let fetched = try cache.fetch("tiny")
        #expect(try Self.contents(in: fetched) == Self.files)
        #expect(good.requests.contains(CatalogTestServer.Request(path: "/data/first.bin", range: "bytes=25000-")))
    }

    @Test func aServerIgnoringTheRangeRestartsTheFile() throws {
        let server = try CatalogTestServer(files: Self.files, behaviour: .ignoreRange)
        let folder = try TemporaryDirectory()
        defer { folder.remove(); server.stop() }
        let cache = Self.cache(try Self.entry(mirrors: [server.url]), in: folder)
        try FileManager.default.createDirectory(atPath: folder.file("tiny"), withIntermediateDirectories: true)
        try folder.write(Array(Self.files["first.bin"]!.prefix(999)), to: "tiny/first.bin.part")
        let fetched = try cache.fetch("tiny")
        #expect(try Self.contents(in: fetched) == Self.files)
        #expect(server.requests.contains(CatalogTestServer.Request(path: "/data/first.bin", range: "bytes=999-")))
    }

    @Test func noServerAtAllIsOneSentence() throws {
        let first = try CatalogTestServer.closedPort(), second = try CatalogTestServer.closedPort()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cache = Self.cache(try Self.entry(mirrors: [URL(string: "http://127.0.0.1:\(first)/")!,
                                                        URL(string: "http://127.0.0.1:\(second)/")!]), in: folder)
        let error = #expect(throws: DatasetError.self) { try cache.fetch("tiny") }
        #expect(error?.description == "Could not download tiny: no mirror answered (127.0.0.1:\(first): connection refused; "
            + "127.0.0.1:\(second): connection refused); check the network or give --mirror URL.")
    }

    @Test func theUsersMirrorIsTriedFirst() throws {
        let server = try CatalogTestServer(files: Self.files)
        let folder = try TemporaryDirectory()
        defer { folder.remove(); server.stop() }
        let dead = URL(string: "http://127.0.0.1:\(try CatalogTestServer.closedPort())/")!
        var cache = Self.cache(try Self.entry(mirrors: [dead]), in: folder)
        // Without the trailing slash: the file name is still appended as a path component.
        cache.firstMirror = URL(string: "http://127.0.0.1:\(server.port)/data")!
        #expect(cache.mirrors(for: cache.catalog.entries[0]).first == cache.firstMirror)
        let fetched = try cache.fetch("tiny")
        #expect(try Self.contents(in: fetched) == Self.files)
        let fromEnvironment = DatasetCache(environment: ["AUTOENCODER_MIRROR": "http://example.invalid/m/"])
        #expect(fromEnvironment.firstMirror == URL(string: "http://example.invalid/m/"))
    }

    @Test func anUnknownNameIsOneSentence() {
        let error = #expect(throws: DatasetError.self) { try DatasetCache(folder: URL(fileURLWithPath: "/nonexistent")).fetch("imagenet") }
        #expect(error?.description == "There is no data set named 'imagenet'; the known ones are mnist, fashion-mnist, kmnist and cifar10.")
    }
}

/// Collects a fetch's events (they arrive from URLSession's queue).
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [FetchEvent] = []

    var events: [FetchEvent] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func record(_ event: FetchEvent) {
        lock.lock()
        recorded.append(event)
        lock.unlock()
    }
}
