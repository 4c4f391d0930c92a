import Foundation
import Testing
@testable import AutoencoderData

/// Data sets found on the machine, the standard catalog's pins, and CIFAR-10's archive and reader.
@Suite struct CatalogLocalTests {
    /// A tiny MNIST-format data set written into `folder`.
    static func writeTinyMNIST(to folder: String) throws {
        let images = LabeledImages(rows: 2, columns: 2, pixels: [0, 1, 2, 3, 4, 5, 6, 7], labels: [1, 2])
        try MNIST(training: images, test: images).write(to: folder, compressed: true)
    }

    @Test func localDataIsFoundWithoutAnyRequest() throws {
        let server = try CatalogTestServer(files: [:])
        let local = try TemporaryDirectory(), cacheFolder = try TemporaryDirectory()
        defer { server.stop(); local.remove(); cacheFolder.remove() }
        try Self.writeTinyMNIST(to: local.path)
        let entry = DatasetEntry(name: "local-idx", summary: "", format: .idx,
                                 files: [CatalogFile(name: "train-images-idx3-ubyte.gz", size: 1, sha256: "")],
                                 mirrors: [server.url], localFolders: ["/nonexistent/folder", local.path])
        let cache = DatasetCache(catalog: DatasetCatalog(entries: [entry]), folder: URL(fileURLWithPath: cacheFolder.path),
                                 environment: [:], currentDirectory: cacheFolder.path)
        #expect(cache.location(of: "local-idx") == .onMachine(URL(fileURLWithPath: local.path)))
        #expect(try cache.fetch("local-idx").standardizedFileURL.path == local.path)
        #expect(server.requests.isEmpty)
    }

    @Test func filesThatAreNotIDXAreNotTakenForALocalCopy() throws {
        let local = try TemporaryDirectory()
        defer { local.remove() }
        for file in MNISTFile.allCases { try local.write(Array("not idx".utf8), to: file.baseName) }
        #expect(!DatasetFiles.areReadable(DatasetCatalog.mnist, in: local.path))
        try Self.writeTinyMNIST(to: local.path)
        for file in MNISTFile.allCases { try FileManager.default.removeItem(atPath: local.file(file.baseName)) }
        #expect(DatasetFiles.areReadable(DatasetCatalog.mnist, in: local.path))
    }

    @Test func mnistIsTheProjectsDataFolder() throws {
        let data = try TemporaryDirectory(), cacheFolder = try TemporaryDirectory()
        defer { data.remove(); cacheFolder.remove() }
        try Self.writeTinyMNIST(to: data.path)
        let cache = DatasetCache(folder: URL(fileURLWithPath: cacheFolder.path),
                                 environment: ["AUTOENCODER_DATA": data.path], currentDirectory: "/")
        #expect(cache.localPath(for: "mnist")?.standardizedFileURL.path == data.path)
        #expect(cache.localPath(for: "kmnist") == nil)
    }

    @Test func theCacheFolderFollowsTheEnvironment() {
        #expect(DatasetCache.defaultFolder(environment: ["AUTOENCODER_CACHE": "/a", "XDG_CACHE_HOME": "/b", "HOME": "/c"]).path == "/a")
        #expect(DatasetCache.defaultFolder(environment: ["XDG_CACHE_HOME": "/b", "HOME": "/c"]).path == "/b/swift-autoencoder")
        #expect(DatasetCache.defaultFolder(environment: ["HOME": "/c"]).path == "/c/.cache/swift-autoencoder")
    }

    @Test func theStandardCatalogPinsEveryFile() {
        let names = DatasetCatalog.standard.entries.map(\.name)
        #expect(names == ["mnist", "fashion-mnist", "kmnist", "cifar10"])
        for entry in DatasetCatalog.standard.entries {
            #expect(entry.mirrors.count >= 2)
            #expect(entry.files.allSatisfy { $0.sha256.count == 64 && $0.sha256.allSatisfy(\.isHexDigit) && $0.size > 0 })
        }
        #expect(DatasetCatalog.standard.entry(named: "Fashion-MNIST") == DatasetCatalog.fashionMNIST)
    }

    /// One CIFAR-10 batch of `count` records: label `i % 10`, pixels from `seed`.
    static func batch(count: Int, seed: Int) -> [UInt8] {
        (0..<count).flatMap { index in
            [UInt8(index % 10)] + (0..<CIFAR10.pixelsPerImage).map { UInt8(truncatingIfNeeded: $0 &+ index &* 31 &+ seed) }
        }
    }

    /// A `cifar-10-binary.tar.gz` like the real one (its files under `cifar-10-batches-bin/`),
    /// made by the system's tar; returns its path.
    static func makeArchive(in folder: TemporaryDirectory) throws -> String {
        try FileManager.default.createDirectory(atPath: folder.file("cifar-10-batches-bin"), withIntermediateDirectories: true)
        for (index, name) in CIFAR10.fileNames.enumerated() {
            try folder.write(batch(count: 3, seed: index), to: "cifar-10-batches-bin/" + name)
        }
        try folder.write(Array("airplane\n".utf8), to: "cifar-10-batches-bin/batches.meta.txt")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/tar")
        process.arguments = ["-czf", folder.file("cifar-10-binary.tar.gz"), "-C", folder.path, "cifar-10-batches-bin"]
        try process.run()
        process.waitUntilExit()
        return folder.file("cifar-10-binary.tar.gz")
    }

    @Test func cifar10IsFetchedUnpackedAndRead() throws {
        let source = try TemporaryDirectory(), cacheFolder = try TemporaryDirectory()
        defer { source.remove(); cacheFolder.remove() }
        let archive = try Self.makeArchive(in: source)
        let bytes = try contents(of: archive)
        let server = try CatalogTestServer(files: ["cifar-10-binary.tar.gz": bytes])
        defer { server.stop() }
        var entry = DatasetCatalog.cifar10
        entry.files = [CatalogFile(name: "cifar-10-binary.tar.gz", size: bytes.count, sha256: try FileDigest.sha256(ofFileAt: archive))]
        entry.mirrors = [server.url]
        let cache = DatasetCache(catalog: DatasetCatalog(entries: [entry]), folder: URL(fileURLWithPath: cacheFolder.path),
                                 environment: [:], currentDirectory: cacheFolder.path)
        let folder = try cache.fetch("cifar10")
        #expect(cache.location(of: "cifar10") == .cached(folder))
        let images = try CIFAR10.loadImages(from: folder)
        #expect(images.training.count == 15 && images.test.count == 3)
        #expect(images.training.pixels.count == 15 * 3 * 32 * 32)
        #expect(images.training.labels == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
        #expect(Array(images.test.pixels.prefix(3072)) == Array(Self.batch(count: 1, seed: 5).dropFirst()))
        let data = try CIFAR10.load(from: folder)
        #expect(data.training.count == 15 && data.test.count == 3)
        #expect(data.training.sampleShape == [3, 32, 32])
        #expect(data.training.labels == images.training.labels.map(Int.init))
        #expect(data.test.samples(in: 0..<1) == images.test.pixels.prefix(3072).map { Float($0) / 255 })
        #expect(data.training.classNames == ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"])
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("batches.meta.txt").path))
    }

    @Test func aBatchOfPartRecordsIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try folder.write([UInt8](repeating: 1, count: 3074), to: "test_batch.bin")
        let error = #expect(throws: DatasetError.self) { try CIFAR10.readBatch(path) }
        #expect(error?.description == "Cannot use \(path): its 3074 bytes are not whole records of 3073 (a label and 3x32x32 pixels).")
    }

    @Test func anArchiveLackingAFileIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let archive = try Self.makeArchive(in: folder)
        let error = #expect(throws: DatasetError.self) {
            try TarGzArchive.extract(archive, files: ["data_batch_1.bin", "data_batch_9.bin"], into: folder.path)
        }
        #expect(error?.description == "Cannot use \(archive): the archive holds no data_batch_9.bin.")
    }
}
