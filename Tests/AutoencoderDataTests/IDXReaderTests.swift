import Foundation
import Testing
@testable import AutoencoderData

@Suite("IDX reader")
struct IDXReaderTests {
    let images = IDXArray(dimensions: [3, 2, 4], bytes: (0..<24).map { UInt8($0 * 10) })
    let labels = IDXArray(dimensions: [5], bytes: [5, 0, 4, 1, 9])

    /// Reads `bytes` written to a file called `name` and returns the error, expecting one; also
    /// checks that reading the same bytes from memory fails in the same words.
    func readError(_ bytes: [UInt8], name: String = "train-images-idx3-ubyte", kind: IDXKind = .images) throws
        -> IDXError? {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write(bytes, to: name)
        let fromFile = error(IDXError.self) { try IDXReader.read(contentsOf: path, as: kind) }
        let fromMemory = error(IDXError.self) { try IDXReader.read(bytes: bytes, named: name, as: kind) }
        #expect(fromMemory?.reason == fromFile?.reason)
        #expect(fromMemory?.description == fromFile?.description)
        return fromFile
    }

    @Test("raw and gzip files round-trip", arguments: [false, true])
    func roundTrip(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (array, kind) in [(images, IDXKind.images), (labels, .labels)] {
            let path = directory.file("file-\(kind.noun)" + (compressed ? ".gz" : ""))
            try IDXWriter.write(array, to: path, compressed: compressed)
            let header = try contents(of: path).prefix(2)
            #expect(Array(header) == (compressed ? [0x1F, 0x8B] : [0, 0]))
            #expect(try IDXReader.read(contentsOf: path, as: kind) == array)
            #expect(try IDXReader.read(bytes: contents(of: path), named: "x", as: kind) == array)
        }
    }

    @Test("gzip in pieces (as for inputs over zlib's 32-bit lengths) gives one stream that reads back")
    func gzipInPieces() throws {
        let bytes = IDXWriter.encode(images)
        for piece in [1, 7, 1000, bytes.count, 1 << 30] {
            let compressed = try IDXWriter.gzip(bytes, path: "x", piece: piece)
            #expect(try IDXReader.read(bytes: compressed, named: "x", as: .images) == images, "piece \(piece)")
        }
        #expect(try IDXWriter.gzip([], path: "x").prefix(2) == [0x1F, 0x8B])
    }

    @Test("a failed write says why, raw or gzip alike, and leaves the earlier file", arguments: [false, true])
    func failedWrite(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.file("missing/labels")
        let error = #expect(throws: IDXError.self) { try IDXWriter.write(labels, to: missing, compressed: compressed) }
        #expect(error?.description == "labels could not be written: No such file or directory (while creating its temporary file).")
        // A folder where the file should go: the earlier contents of the folder stay.
        let taken = directory.file("taken")
        try FileManager.default.createDirectory(atPath: taken + "/inside", withIntermediateDirectories: true)
        #expect(throws: IDXError.self) { try IDXWriter.write(labels, to: taken, compressed: compressed) }
        #expect(FileManager.default.fileExists(atPath: taken + "/inside"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("")).sorted() == ["taken"])
    }

    @Test("gzip from the system's gzip reads, whatever the file is named")
    func gzipDetectedByMagicNotName() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let encoded = IDXWriter.encode(images)
        let gzipNamedRaw = try directory.write(try gzipped(encoded), to: "images-idx3-ubyte")
        let rawNamedGzip = try directory.write(encoded, to: "images-idx3-ubyte.gz")
        #expect(try IDXReader.read(contentsOf: gzipNamedRaw, as: .images) == images)
        #expect(try IDXReader.read(contentsOf: rawNamedGzip, as: .images) == images)
    }

    @Test("concatenated gzip members read as one stream, like gunzip")
    func concatenatedMembers() throws {
        let encoded = IDXWriter.encode(labels)
        let split = 7
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write(try gzipped(Array(encoded[..<split])) + gzipped(Array(encoded[split...])),
                                       to: "labels.gz")
        #expect(try IDXReader.read(contentsOf: path, as: .labels) == labels)
    }

    @Test("empty arrays and arrays of any rank read")
    func otherShapes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for array in [IDXArray(dimensions: [0, 28, 28], bytes: []), IDXArray(dimensions: [2, 1, 3, 2], bytes: Array(0..<12))] {
            let path = directory.file("array")
            try IDXWriter.write(array, to: path)
            #expect(try IDXReader.read(contentsOf: path) == array)
        }
    }

    @Test("a pipe is read like a file, raw or gzip, and named by its whole path", arguments: [false, true])
    func pipes(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let array = IDXArray(dimensions: [3, 1 << 10, 1 << 9], bytes: (0..<(3 << 19)).map { UInt8($0 % 251) })
        try IDXWriter.write(array, to: directory.file("array"))
        var bytes = try contents(of: directory.file("array"))
        if compressed { bytes = try gzipped(bytes) }
        try servePipe(bytes, at: directory.file("pipe"))
        #expect(try IDXReader.read(contentsOf: directory.file("pipe")) == array)

        // An error names the pipe as given: `/dev/fd/63` said only "63".
        try servePipe(Array(bytes.dropLast()), at: directory.file("cut"))
        let failure = error(IDXError.self) { try IDXReader.read(contentsOf: directory.file("cut")) }
        #expect(failure?.fileName == "cut")
        #expect(IDXError(path: "/dev/fd/63", kind: .images, reason: .gzipCut).description
            == "/dev/fd/63 is truncated: its gzip stream stops before its end marker.")
    }

    @Test("a pipe's first look lets through what the reader should judge: more dimensions, a start cut between gzip members")
    func pipesThatAreJudgedByTheReader() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Five dimensions: the reader takes them (the first look filtered on 1-4, and the
        // pipe was then reported as truncated).
        let five = IDXArray(dimensions: [1, 2, 1, 2, 3], bytes: Array(0..<12))
        try IDXWriter.write(five, to: directory.file("five"))
        try servePipe(try contents(of: directory.file("five")), at: directory.file("pipe5"))
        #expect(try IDXReader.read(contentsOf: directory.file("pipe5")) == five)
        // Two gzip members, the first look ending one byte into the second.
        let raw = try contents(of: directory.file("five"))
        let first = try gzipped(Array(raw.prefix(2)))
        let both = first + (try gzipped(Array(raw.dropFirst(2))))
        #expect(IDXReader.mayStart(Array(both.prefix(first.count + 1))))
        #expect(!IDXReader.mayStart(try gzipped([0, 0, 0, 0])))
        #expect(!IDXReader.mayStart([0x1F, 0x8B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]))
        #expect(IDXReader.mayStart([0, 0]) && !IDXReader.mayStart([0, 0, 9]) && IDXReader.mayStart([0, 0, 8, 200]))
    }

    @Test("a pipe of bytes that start neither IDX nor gzip is not read to its end")
    func pipesOfGarbage() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try servePipe([UInt8](repeating: 0xFF, count: 8 << 20), at: directory.file("pipe"))
        let failure = error(IDXError.self) { try IDXReader.read(contentsOf: directory.file("pipe")) }
        #expect(failure?.reason == .notIDX(firstBytes: [0xFF, 0xFF, 0xFF, 0xFF]))
        #expect(writer.finished() < 4 << 20)
    }

    @Test("a missing file is named, with its directory")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("train-images-idx3-ubyte.gz")
        let failure = error(IDXError.self) { try IDXReader.read(contentsOf: path, as: .images) }
        #expect(failure?.reason == .missing)
        #expect(failure?.description == "train-images-idx3-ubyte.gz does not exist in \(directory.path).")
        #expect(failure?.localizedDescription == failure?.description)
    }

    @Test("a directory is unreadable, not missing")
    func directoryIsUnreadable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let failure = error(IDXError.self) { try IDXReader.read(contentsOf: directory.path) }
        guard case .unreadable = failure?.reason else {
            Issue.record("expected unreadable, got \(String(describing: failure))")
            return
        }
    }

    @Test("a header cut short is rejected, raw or gzip", arguments: [false, true])
    func truncatedHeader(compressed: Bool) throws {
        let name = "t10k-images-idx3-ubyte" + (compressed ? ".gz" : "")
        func prepare(_ bytes: [UInt8]) throws -> [UInt8] { compressed ? try gzipped(bytes) : bytes }

        let empty = try readError(try prepare([]), name: name)
        #expect(empty?.reason == .headerTruncated(actual: 0, needed: 4))
        #expect(empty?.description == "\(name) is too short to be an IDX file of images: it has 0 bytes but its header needs 4.")

        let partialSizes = try readError(try prepare(Array(idxHeader([10, 28, 28]).prefix(9))), name: name)
        #expect(partialSizes?.reason == .headerTruncated(actual: 9, needed: 16))
    }

    @Test("a payload cut short is rejected with the declared and real sizes", arguments: [false, true])
    func truncatedPayload(compressed: Bool) throws {
        let name = "train-images-idx3-ubyte" + (compressed ? ".gz" : "")
        let bytes = idxHeader([60000, 28, 28]) + [UInt8](repeating: 7, count: 1200)
        let failure = try readError(compressed ? try gzipped(bytes) : bytes, name: name)
        #expect(failure?.reason == .truncated(dimensions: [60000, 28, 28], declaredBytes: 47_040_000,
                                              actualBytes: 1200, streamCut: false))
        #expect(failure?.description == "\(name) is truncated: the header declares 60000 images of 28x28"
                    + " (47040000 bytes) but only 1200 bytes follow.")
    }

    @Test("a labels file cut short is worded in labels")
    func truncatedLabels() throws {
        let failure = try readError(idxHeader([10]) + [1, 2, 3], name: "t10k-labels-idx1-ubyte", kind: .labels)
        #expect(failure?.description == "t10k-labels-idx1-ubyte is truncated: the header declares 10 labels"
                    + " (10 bytes) but only 3 bytes follow.")
    }

    @Test("bytes after the payload are rejected", arguments: [false, true])
    func trailingBytes(compressed: Bool) throws {
        let name = "train-labels-idx1-ubyte" + (compressed ? ".gz" : "")
        let bytes = IDXWriter.encode(labels) + [0, 0, 0, 0, 0, 0, 0]
        let failure = try readError(compressed ? try gzipped(bytes) : bytes, name: name, kind: .labels)
        #expect(failure?.reason == .trailingBytes(dimensions: [5], count: 7, countIsLowerBound: false))
        #expect(failure?.description == "\(name) has 7 unexpected bytes after the 5 labels its header declares.")
        let array = try readError(bytes, name: "any.idx", kind: .anyArray)
        #expect(array?.description == "any.idx has 7 unexpected bytes after the 5-element array its header declares.")
    }

    @Test("a file that does not start with two zero bytes is not IDX")
    func wrongMagic() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let failure = try readError(png, name: "digits.png")
        #expect(failure?.reason == .notIDX(firstBytes: [0x89, 0x50, 0x4E, 0x47]))
        #expect(failure?.description == "digits.png is not an IDX file: it starts with the bytes 89 50 4E 47 instead of 00 00.")

        let oneOff = try readError([0, 1, 8, 3] + idxHeader([1, 1, 1]).dropFirst(4) + [0])
        #expect(oneOff?.reason == .notIDX(firstBytes: [0, 1, 8, 3]))
    }

    @Test("element types other than unsigned bytes are refused by name")
    func wrongType() throws {
        let floats = try readError(idxHeader([1, 1, 1], type: 0x0D) + [0, 0, 0, 0])
        #expect(floats?.reason == .unsupportedType(0x0D))
        #expect(floats?.description == "train-images-idx3-ubyte holds 32-bit floats (IDX type 0x0D), but only"
                    + " unsigned bytes (type 0x08) are supported.")

        let signed = try readError(idxHeader([1, 1, 1], type: 0x09) + [0])
        #expect(signed?.reason == .unsupportedType(0x09))

        let unknown = try readError(idxHeader([1, 1, 1], type: 0x42) + [0])
        #expect(unknown?.description == "train-images-idx3-ubyte declares the unknown IDX element type 0x42;"
                    + " only unsigned bytes (type 0x08) are supported.")
    }

    @Test("the dimension count must be what the caller expects")
    func wrongDimensionCount() throws {
        let labelsAsImages = try readError(IDXWriter.encode(labels), name: "train-labels-idx1-ubyte")
        #expect(labelsAsImages?.reason == .wrongDimensionCount(actual: 1, expected: 3))
        #expect(labelsAsImages?.description == "train-labels-idx1-ubyte declares 1 dimension, but a file of images"
                    + " must have 3 (count, rows and columns).")

        let imagesAsLabels = try readError(IDXWriter.encode(images), name: "x", kind: .labels)
        #expect(imagesAsLabels?.reason == .wrongDimensionCount(actual: 3, expected: 1))
    }

    @Test("sizes whose product overflows are rejected before allocating")
    func sizeOverflow() throws {
        let failure = try readError(idxHeader([.max, .max, .max]) + [1, 2, 3])
        #expect(failure?.reason == .sizeOverflow(dimensions: [4_294_967_295, 4_294_967_295, 4_294_967_295]))
        // No images, but rows x columns past Int.max: the array is empty, yet a reader that
        // takes the pixels of one image (ImageFile, found by the `images` fuzz target) or
        // MNIST's rows x columns would trap, so it is refused too.
        let empty = try readError(idxHeader([0, 0x807F_80FF, 0xFFFF_FF04]), name: "x")
        #expect(empty?.reason == .sizeOverflow(dimensions: [0, 2_155_839_743, 4_294_967_044]))
        #expect(empty?.description == "x declares the sizes 0x2155839743x4294967044, which add up to more bytes than can exist.")
        #expect(try IDXReader.read(bytes: idxHeader([0, 65_536, 65_536]), named: "x").dimensions == [0, 65_536, 65_536])
    }

    @Test("a huge declared size on a small gzip file fails fast as truncated")
    func hugeDeclaredSizeIsBounded() throws {
        // 4 G pixels declared; the reader must not reserve them for a 60-byte file.
        let bytes = try gzipped(idxHeader([65536, 256, 256]) + [1, 2, 3])
        let failure = try readError(bytes, name: "bomb.gz")
        #expect(failure?.reason == .truncated(dimensions: [65536, 256, 256], declaredBytes: 4_294_967_296,
                                              actualBytes: 3, streamCut: false))
    }

    @Test("a damaged gzip stream is rejected with zlib's reason")
    func corruptGzip() throws {
        let good = try gzipped(IDXWriter.encode(images))

        var badChecksum = good
        badChecksum[badChecksum.count - 8] ^= 0xFF  // the CRC-32 in the trailer
        let checksum = try readError(badChecksum, name: "train-images-idx3-ubyte.gz")
        #expect(checksum?.reason == .corruptGzip("incorrect data check"))
        #expect(checksum?.description == "train-images-idx3-ubyte.gz is not a valid gzip stream: zlib reports"
                    + " \"incorrect data check\".")

        var badBlock = Array(good.prefix(10))  // a valid gzip header ...
        badBlock += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]  // ... then a reserved block type
        guard case .corruptGzip = try readError(badBlock, name: "x.gz")?.reason else {
            Issue.record("expected a corrupt gzip stream")
            return
        }

        var badMethod = good
        badMethod[2] = 0x07  // compression method other than deflate
        guard case .corruptGzip = try readError(badMethod, name: "x.gz")?.reason else {
            Issue.record("expected a corrupt gzip stream")
            return
        }
    }

    @Test("a gzip file cut short is reported as truncated")
    func cutGzip() throws {
        let payload = (0..<24_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let array = IDXArray(dimensions: [30, 40, 20], bytes: payload)
        let good = try gzipped(IDXWriter.encode(array))

        let half = try readError(Array(good.prefix(good.count / 2)), name: "train-images-idx3-ubyte.gz")
        guard case .truncated(_, 24_000, let actual, true) = half?.reason else {
            Issue.record("expected truncation with a cut stream, got \(String(describing: half))")
            return
        }
        #expect(actual < 24_000)
        #expect(half?.description.hasSuffix("bytes follow, and its gzip stream stops before its end.") == true)

        // All of the IDX data is there but the gzip trailer (CRC and length) is not.
        let noTrailer = try readError(Array(good.dropLast(8)), name: "train-images-idx3-ubyte.gz")
        #expect(noTrailer?.reason == .gzipCut)
        #expect(noTrailer?.description == "train-images-idx3-ubyte.gz is truncated: its gzip stream stops before its end marker.")
    }

    @Test("non-gzip bytes after the gzip stream are rejected")
    func dataAfterGzip() throws {
        let bytes = try gzipped(IDXWriter.encode(labels)) + Array("junk".utf8)
        let failure = try readError(bytes, name: "labels.gz", kind: .labels)
        #expect(failure?.reason == .dataAfterGzip)
        #expect(failure?.description == "labels.gz has bytes that are not gzip data after the end of its compressed stream.")
    }
}
