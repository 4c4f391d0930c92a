import Foundation
import Testing
@testable import AutoencoderData

private func npy(_ bytes: [UInt8], channelsFirst: Bool? = nil) throws -> Dataset {
    try NumPyReader.readNPY(bytes: bytes, named: "a.npy", channelsFirst: channelsFirst)
}

private func message(_ bytes: [UInt8], channelsFirst: Bool? = nil) -> String {
    do { _ = try npy(bytes, channelsFirst: channelsFirst); return "no error" } catch { return "\(error)" }
}

@Suite struct NumPyReaderTests {
    @Test func float32RowsAreFeatureVectors() throws {
        let data = try npy(npyBytes(descr: "<f4", shape: [2, 3], data: floatBytes([1, 2, 3, 4, 5, 6])))
        #expect(data.sampleShape == [3])
        #expect(data.scaling == .none)
        #expect(data.samples(in: 0..<2) == [1, 2, 3, 4, 5, 6])
    }

    @Test func bigEndianAndEveryIntegerType() throws {
        #expect(try npy(npyBytes(descr: ">f4", shape: [1, 2], data: floatBytes([1.5, -2], bigEndian: true)))
            .samples(in: 0..<1) == [1.5, -2])
        let doubles = [0.25, -8.0].flatMap { withUnsafeBytes(of: $0.bitPattern.bigEndian) { Array($0) } }
        #expect(try npy(npyBytes(descr: ">f8", shape: [1, 2], data: doubles)).samples(in: 0..<1) == [0.25, -8])
        #expect(try npy(npyBytes(descr: "<i2", shape: [1, 2], data: [0xFF, 0xFF, 0x00, 0x01])).samples(in: 0..<1) == [-1, 256])
        #expect(try npy(npyBytes(descr: ">u2", shape: [1, 1], data: [0x01, 0x00])).samples(in: 0..<1) == [256])
        #expect(try npy(npyBytes(descr: "|i1", shape: [1, 2], data: [0xFF, 5])).samples(in: 0..<1) == [-1, 5])
        #expect(try npy(npyBytes(descr: "<i4", shape: [1, 1], data: [0xFE, 0xFF, 0xFF, 0xFF])).samples(in: 0..<1) == [-2])
        #expect(try npy(npyBytes(descr: "<i8", shape: [1, 1], data: [7, 0, 0, 0, 0, 0, 0, 0])).samples(in: 0..<1) == [7])
        #expect(try npy(npyBytes(descr: "<u4", shape: [1, 1], data: [0, 0, 0, 1])).samples(in: 0..<1) == [16_777_216])
        #expect(try npy(npyBytes(descr: "<u8", shape: [1, 1], data: [9, 0, 0, 0, 0, 0, 0, 0])).samples(in: 0..<1) == [9])
        #expect(try npy(npyBytes(descr: "|b1", shape: [1, 2], data: [0, 1])).samples(in: 0..<1) == [0, 1])
        #expect(try npy(npyBytes(descr: "<f2", shape: [1, 1], data: [0x00, 0x3C])).samples(in: 0..<1) == [1])
    }

    @Test func fortranOrderIsTransposedOnRead() throws {
        // The 2x3 array [[1, 2, 3], [4, 5, 6]] stored column by column.
        let data = try npy(npyBytes(descr: "<f4", fortran: true, shape: [2, 3], data: floatBytes([1, 4, 2, 5, 3, 6])))
        #expect(data.samples(in: 0..<2) == [1, 2, 3, 4, 5, 6])
    }

    @Test func uint8ImagesGetPixelScaling() throws {
        let data = try npy(npyBytes(descr: "|u1", shape: [2, 1, 2], data: [0, 255, 51, 102]))
        #expect(data.sampleShape == [1, 1, 2])
        #expect(data.scaling == .pixels)
        #expect(data.samples(in: 0..<2) == [0, 1, 0.2, 0.4])
        #expect(try npy(npyBytes(descr: "|u1", shape: [1, 2], data: [0, 255])).scaling == .none)
    }

    @Test func channelsLastAndFirstAreTold() throws {
        // One 2x1 image of 3 channels, channels last: pixel 0 = (1, 2, 3), pixel 1 = (4, 5, 6).
        let last = try npy(npyBytes(descr: "|u1", shape: [1, 2, 1, 3], data: [1, 2, 3, 4, 5, 6]))
        #expect(last.sampleShape == [3, 2, 1])
        #expect(last.store.rawValue(sample: 0, feature: 0) == 1)
        var raw = [Float](repeating: 0, count: 6)
        raw.withUnsafeMutableBufferPointer { out in [0].withUnsafeBufferPointer { last.store.copyRawSamples(at: $0, into: out.baseAddress!) } }
        #expect(raw == [1, 4, 2, 5, 3, 6])
        let first = try npy(npyBytes(descr: "|u1", shape: [1, 3, 2, 2], data: Array(1...12)))
        #expect(first.sampleShape == [3, 2, 2])
        #expect(first.samples(in: 0..<1) == (1...12).map { Float($0) / 255 })
        #expect(message(npyBytes(descr: "|u1", shape: [1, 3, 2, 3], data: Array(repeating: 0, count: 18)))
            == "a.npy has the shape (1, 3, 2, 3), whose channel axis cannot be told; give --channels-first for (n, c, h, w) or --channels-last for (n, h, w, c).")
        #expect(try npy(npyBytes(descr: "|u1", shape: [1, 3, 2, 3], data: Array(repeating: 0, count: 18)),
                        channelsFirst: true).sampleShape == [3, 2, 3])
    }

    @Test func badFilesAreOneSentence() {
        #expect(message(npyBytes(descr: "|O", shape: [2, 2], data: [])) ==
            "a.npy holds Python objects (dtype 'O'), not numbers; save it with a numeric dtype.")
        let structured = npyBytes(descr: "", descrLiteral: "[('a', '<f4')]", shape: [1, 1], data: floatBytes([1]))
        #expect(message(structured).contains("structured dtype"))
        #expect(message(npyBytes(descr: "<f4", shape: [2, 3], data: floatBytes([1, 2, 3]))) ==
            "a.npy is truncated: its shape (2, 3) needs 24 data bytes but only 12 follow the header.")
        #expect(message(Array("not numpy".utf8)) ==
            "a.npy is not a NumPy .npy array: it does not start with \\x93NUMPY and a known version.")
        #expect(message(npyBytes(descr: "<f4", shape: [3], data: floatBytes([1, 2, 3]))).contains("needs 2 dimensions"))
        #expect(message(npyBytes(descr: "<c8", shape: [1, 1], data: Array(repeating: 0, count: 8))).contains("'<c8'"))
        #expect(message(Array(npyBytes(descr: "<f4", shape: [1, 1], data: []).prefix(20))).contains("damaged .npy header"))
    }

    @Test func npzWithKerasNamesGivesTrainingAndTest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let archive = storedZIP([
            ("x_train.npy", npyBytes(descr: "|u1", shape: [2, 1, 1], data: [0, 255])),
            ("y_train.npy", npyBytes(descr: "<i8", shape: [2], data: [3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0])),
            ("x_test.npy", npyBytes(descr: "|u1", shape: [1, 1, 1], data: [51])),
            ("y_test.npy", npyBytes(descr: "|u1", shape: [1], data: [9])),
        ])
        let path = try directory.write(archive, to: "mnist.npz")
        let file = try DatasetReader.read(path: path)
        #expect(file.training.labels == [3, 4])
        #expect(file.training.store is ByteSamples)
        #expect(file.training.samples(in: 0..<2) == [0, 1])
        #expect(file.test?.labels == [9])
        #expect(file.test?.samples(in: 0..<1) == [0.2])
    }

    @Test func npzWithOneArrayAndWithoutTheNames() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let single = try directory.write(storedZIP([("arr_0.npy", npyBytes(descr: "<f4", shape: [1, 2], data: floatBytes([1, 2])))]),
                                         to: "one.npz")
        #expect(try NumPyReader.readNPZ(path: single).training.samples(in: 0..<1) == [1, 2])
        let two = try directory.write(storedZIP([("a.npy", npyBytes(descr: "<f4", shape: [1, 1], data: floatBytes([1]))),
                                                 ("b.npy", npyBytes(descr: "<f4", shape: [1, 1], data: floatBytes([1])))]),
                                      to: "two.npz")
        #expect(throws: NumPyError(path: two, reason: .missingArrays(names: ["a", "b"]))) { try NumPyReader.readNPZ(path: two) }
        #expect("\(NumPyError(path: two, reason: .missingArrays(names: ["a", "b"])))"
            == "two.npz holds neither x_train nor a single array; its arrays are \"a\", \"b\".")
    }

    @Test func deflatedNPZFromPython() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let member = npyBytes(descr: "<f4", shape: [2, 2], data: floatBytes([1, 2, 3, 4]))
        let source = try directory.write(member, to: "x_train.npy")
        let target = directory.file("c.npz")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[2],'w',zipfile.ZIP_DEFLATED); z.write(sys.argv[1],'x_train.npy'); z.close()",
                             source, target]
        try process.run()
        process.waitUntilExit()
        #expect(try NumPyReader.readNPZ(path: target).training.samples(in: 0..<2) == [1, 2, 3, 4])
    }

    @Test func aLargeNPYIsMappedNotRead() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // 600 MB of float32 zeros as a sparse file: 150000 samples of 1000 features.
        let samples = 150_000, width = 1000
        let header = npyBytes(descr: "<f4", shape: [samples, width], data: [])
        let path = try directory.write(header, to: "big.npy")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(header.count + samples * width * 4))
        try handle.close()
        let before = residentKilobytes()
        let data = try NumPyReader.readNPY(path: path)
        #expect(data.count == samples)
        var batch = [Float](repeating: 1, count: 1000 * width)
        for start in [0, 70_000, samples - 64] {
            let indices = Array(start..<(start + 64))
            batch.withUnsafeMutableBufferPointer { out in
                indices.withUnsafeBufferPointer { data.copySamples(at: $0, into: out.baseAddress!) }
            }
            #expect(batch.prefix(64 * width).allSatisfy { $0 == 0 })
        }
        #expect(residentKilobytes() - before < 50_000, "resident memory grew by \(residentKilobytes() - before) kB")
        // Reading half the file (300 MB) in batches: still the mapping does not stay resident.
        var start = 0
        while start < samples {
            let indices = Array(start..<min(start + 1000, samples))
            batch.withUnsafeMutableBufferPointer { out in
                indices.withUnsafeBufferPointer { data.store.copyRawSamples(at: $0, into: out.baseAddress!) }
            }
            start += 2000
        }
        #expect(residentKilobytes() - before < 100_000, "resident memory grew by \(residentKilobytes() - before) kB")
    }

    @Test("a large file's samples are read where they are, in every layout and type",
          arguments: [("<f4", false), (">f8", false), ("<i2", false), ("<f4", true)])
    func aLargeNPYIsReadAtItsSamplesOffsets(descr: String, fortran: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A sparse file above the resident limit: zeros except sample 70000, whose values are
        // 1, 2, ..., width (C order), or value j of every sample j + 1 (Fortran order).
        let size = Int(descr.dropFirst(2))!, width = 100
        let samples = MappedArraySamples.residentLimit / (width * size) + 1000
        let header = npyBytes(descr: descr, fortran: fortran, shape: [samples, width], data: [])
        let path = try directory.write(header, to: "big.npy")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(header.count + samples * width * size))
        func encoded(_ value: Int) -> [UInt8] {
            switch descr {
            case "<f4": return floatBytes([Float(value)])
            case ">f8": return withUnsafeBytes(of: Double(value).bitPattern.bigEndian) { Array($0) }
            default: return withUnsafeBytes(of: Int16(value).littleEndian) { Array($0) }
            }
        }
        let sample = 70_000
        for column in 0..<width {
            let element = fortran ? column * samples + sample : sample * width + column
            try handle.seek(toOffset: UInt64(header.count + element * size))
            try handle.write(contentsOf: encoded(column + 1))
        }
        try handle.close()
        let data = try NumPyReader.readNPY(path: path)
        #expect(data.count == samples && data.width == width)
        #expect(data.samples(in: sample..<(sample + 1)) == (1...width).map(Float.init))
        #expect(data.samples(in: (sample - 1)..<sample).allSatisfy { $0 == 0 })
        #expect(data.store.rawValue(sample: sample, feature: 9) == 10)
        // Consecutive samples (a chunk, read in one call where the type allows) around it.
        let chunk = data.samples(in: (sample - 2)..<(sample + 3))
        #expect(chunk.count == 5 * width)
        #expect(Array(chunk[(2 * width)..<(3 * width)]) == (1...width).map(Float.init))
        #expect(chunk[..<(2 * width)].allSatisfy { $0 == 0 } && chunk[(3 * width)...].allSatisfy { $0 == 0 })
        // The last samples of the file: nothing to read ahead after them.
        #expect(data.samples(in: (samples - 3)..<samples).allSatisfy { $0 == 0 })
        // Chunks of over a megabyte (read past the file cache where the type allows it, from
        // an offset that is not a disk block's): around the sample, and up to the file's end.
        let long = 3000, around = data.samples(in: (sample - long / 2)..<(sample + long / 2))
        #expect(Array(around[((long / 2) * width)..<((long / 2 + 1) * width)]) == (1...width).map(Float.init))
        #expect(around.enumerated().allSatisfy { $0.offset / width == long / 2 || $0.element == 0 })
        #expect(data.samples(in: (samples - long)..<samples).allSatisfy { $0 == 0 })
    }

    @Test("reads past the file cache return the file's bytes at any offset, up to its end")
    func readsPastTheFileCacheAtAnyOffset() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bytes = (0..<(3 << 20) + 1234).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        let path = try directory.write(bytes, to: "bytes.bin")
        let file = try MappedFile(path: path) { _, why in NSError(domain: why, code: 1) }
        let descriptor = file.openUncached()
        guard descriptor >= 0 else { return }   // a file system without O_DIRECT (tmpfs)
        defer { close(descriptor) }
        for (offset, count) in [(0, 4096), (1, 1 << 20), (4095, 5000), (4097, 2 << 20), (bytes.count - 70_000, 70_000),
                                (bytes.count - 1, 1)] {
            var read = [UInt8](repeating: 0, count: count)
            let done = read.withUnsafeMutableBytes {
                MappedArraySamples.readPastCache(descriptor, into: $0.baseAddress!, count: count, at: offset)
            }
            #expect(done, "offset \(offset)")
            #expect(read == Array(bytes[offset..<(offset + count)]), "offset \(offset)")
        }
        // Past the end, or with no descriptor: nothing, and the caller reads through the cache.
        var read = [UInt8](repeating: 0, count: 10)
        #expect(!read.withUnsafeMutableBytes {
            MappedArraySamples.readPastCache(descriptor, into: $0.baseAddress!, count: 10, at: bytes.count - 5)
        })
        #expect(!read.withUnsafeMutableBytes { MappedArraySamples.readPastCache(-1, into: $0.baseAddress!, count: 10, at: 0) })
    }
}
