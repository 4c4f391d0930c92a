import Foundation
import Testing
@testable import AutoencoderSerialization

@Suite(".npy: writing, reading and NumPy's own files")
struct NPYRoundTripTests {
    @Test("encoding matches np.save byte for byte")
    func encodingMatchesNumPy() throws {
        #expect(try NPY.encode([1.5, -2.0, 0.125, 4.0, 1e-3, -7.25], shape: [2, 3]) == ReferenceFiles.tinyNPY)
        #expect(try NPY.encode([3], shape: []) == ReferenceFiles.scalarNPY)
    }

    @Test("files written by NumPy read back")
    func readsNumPyFiles() throws {
        let tiny = try NPYArray(bytes: ReferenceFiles.tinyNPY)
        #expect(tiny.dtype == .float32 && tiny.shape == [2, 3] && tiny.elementCount == 6)
        #expect(tiny.floats() == [1.5, -2.0, 0.125, 4.0, 1e-3, -7.25])

        let scalar = try NPYArray(bytes: ReferenceFiles.scalarNPY)
        #expect(scalar.shape == [] && scalar.floats() == [3])

        let doubles = try NPYArray(bytes: ReferenceFiles.vectorFloat64NPY)
        #expect(doubles.dtype == .float64 && doubles.shape == [3])
        #expect(doubles.floats() == [1.0, 2.5, Float(-3.0e-2 as Double)])

        let bytes = try NPYArray(bytes: ReferenceFiles.uint8NPY)
        #expect(bytes.dtype == .uint8 && bytes.shape == [2, 2, 3])
        #expect(try bytes.uint8Values() == Array(0..<12))
        #expect(bytes.floats() == (0..<12).map(Float.init))
    }

    @Test("write then read through a file, for several ranks")
    func roundTripThroughFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let shapes: [[Int]] = [[], [0], [5], [2, 3], [2, 0, 4], [1, 2, 3, 4], [3, 1, 1, 1, 2]]
        for (index, shape) in shapes.enumerated() {
            let count = shape.reduce(1, *)
            let values = (0..<count).map { Float($0) * 0.75 - 3 }
            let url = folder.url.appendingPathComponent("array\(index).npy")
            try NPY.write(values, shape: shape, to: url)
            let array = try NPY.read(from: url)
            #expect(array.shape == shape)
            #expect(array.floats() == values)
            #expect(array.file == url.path)
        }
        #expect(try folder.entries().count == shapes.count)
    }

    @Test("the header is aligned to 64 bytes even for long shapes")
    func alignment() throws {
        for rank in 0...12 {
            let shape = Array(repeating: 1, count: rank)
            let bytes = try NPY.encode([0], shape: shape)
            #expect((bytes.count - 4) % 64 == 0)
            #expect(bytes[bytes.count - 5] == 0x0A)
            _ = try NPYArray(bytes: bytes)
        }
    }

    @Test("headers in other spellings that NumPy accepts are read")
    func tolerantSpellings() throws {
        let data = floatBytes([1, 2])
        for header in [
            "{'shape': (2,), 'descr': '<f4', 'fortran_order': False}",
            #"{"descr":"<f4","fortran_order":False,"shape":(2,),}"#,
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, ), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2,), }",
        ] {
            let array = try NPYArray(bytes: npyBytes(header: header, data: data))
            #expect(array.floats() == [1, 2])
        }
        let version2 = try NPYArray(bytes: npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data: data, major: 2))
        #expect(version2.shape == [2])
        let version3 = try NPYArray(bytes: npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data: data, major: 3))
        #expect(version3.shape == [2])
    }

    @Test("writing rejects a shape that does not match the values, leaving nothing behind")
    func writerInputChecks() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("bad.npy")
        #expect(throws: WriteRequestError(file: url.path, problem: .shapeMismatch(tensor: nil, shape: [2, 2], valueCount: 3))) {
            try NPY.write([1, 2, 3], shape: [2, 2], to: url)
        }
        #expect(WriteRequestError(file: url.path, problem: .shapeMismatch(tensor: nil, shape: [2, 2], valueCount: 3)).description
            == "Cannot write the file '\(url.path)': the array has the shape [2, 2] but 3 values.")
        #expect(throws: WriteRequestError(file: url.path, problem: .negativeDimension(tensor: nil, shape: [-2]))) {
            try NPY.write([], shape: [-2], to: url)
        }
        #expect(try folder.entries().isEmpty)
    }

    /// A file with no size known beforehand (a pipe, a device) is read until it ends, but no
    /// further than the limit: `/dev/zero` given as a `.npy` file used to grow without end.
    @Test func endlessFilesStopAtTheLimit() throws {
        #expect(throws: FileAccessError(path: "/dev/zero", step: .reading, code: EFBIG)) {
            try FileBytes.read(path: "/dev/zero", streamLimit: 3 << 20)
        }
        #expect(FileAccessError(path: "/dev/zero", step: .reading, code: EFBIG).description
            == "Could not access the file '/dev/zero' while reading it: File too large.")
        #expect(try FileBytes.read(path: "/dev/null", streamLimit: 0) == [])
    }
}

/// One test per rule of the format: each broken file must fail with its own message.
@Suite(".npy: every violation of the format is rejected with its own message")
struct NPYViolationTests {
    let invalid = "The .npy file 'bad.npy' is invalid: "
    let unsupported = "The .npy file 'bad.npy' is not supported: "
    let validHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"

    @Test func fileTooShort() {
        expectNPYFailure(Array(ReferenceFiles.tinyNPY.prefix(9)), .fileTooShort(byteCount: 9),
            invalid + "it is 9 bytes long, too short for the .npy preamble.")
        expectNPYFailure([0x93] + Array("NUMPY".utf8) + [2, 0, 0, 0], .fileTooShort(byteCount: 10),
            invalid + "it is 10 bytes long, too short for the .npy preamble.")
    }

    @Test func badMagic() {
        var bytes = ReferenceFiles.tinyNPY
        bytes[0] = 0x92
        expectNPYFailure(bytes, .badMagic, invalid + "it does not start with the .npy magic string \\x93NUMPY.")
    }

    @Test func unsupportedVersion() {
        var bytes = ReferenceFiles.tinyNPY
        bytes[6] = 4
        expectNPYFailure(bytes, .unsupportedVersion(major: 4, minor: 0),
            unsupported + "its format version 4.0 is not 1.0, 2.0 or 3.0.")
        bytes[6] = 1
        bytes[7] = 1
        expectNPYFailure(bytes, .unsupportedVersion(major: 1, minor: 1),
            unsupported + "its format version 1.1 is not 1.0, 2.0 or 3.0.")
    }

    @Test func headerLengthBeyondFile() {
        var bytes = Array(ReferenceFiles.tinyNPY.prefix(100))
        bytes[8] = 0xFF
        expectNPYFailure(bytes, .headerLengthBeyondFile(length: 0xFF, available: 90),
            invalid + "its header length 255 exceeds the 90 bytes that follow the preamble.")
    }

    @Test func headerMustBeAligned() {
        let bytes = npyBytes(header: validHeader + "  \n", data: floatBytes([1, 2]), pad: false)
        expectNPYFailure(bytes, .misalignedHeader(totalLength: 70),
            invalid + "its preamble and header take 70 bytes, not a multiple of 16.")
    }

    @Test func headerMustBeText() {
        var bytes = npyBytes(header: validHeader, data: floatBytes([1, 2]))
        bytes[70] = 0xE9
        expectNPYFailure(bytes, .headerNotText, invalid + "its header is not valid text.")
        // Version 3 allows UTF-8 (here "é" gets past the text check to the dict check),
        // but only well-formed UTF-8.
        var version3 = npyBytes(header: validHeader, data: floatBytes([1, 2]), major: 3)
        version3[70] = 0xC3
        version3[71] = 0xA9
        expectNPYFailure(version3, .headerSyntax(detail: "unexpected text after the dict", offset: 58),
            invalid + "its header is not a valid dict literal (unexpected text after the dict at byte 58 of the header).")
        version3[71] = 0x20
        expectNPYFailure(version3, .headerNotText, invalid + "its header is not valid text.")
    }

    @Test func headerMustEndWithNewline() {
        var bytes = npyBytes(header: validHeader, data: floatBytes([1, 2]))
        #expect(bytes[bytes.count - 9] == 0x0A)
        bytes[bytes.count - 9] = 0x20
        expectNPYFailure(bytes, .headerNotTerminated, invalid + "its header does not end with a newline.")
    }

    @Test func headerSyntax() {
        let cases: [(String, String, Int)] = [
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", "expected ',' in a one-element tuple", 52),
            ("{'descr': '<f4' 'fortran_order': False, 'shape': (2,), }", "expected ',' or '}'", 16),
            ("{'descr': '<f4', 'fortran_order': false, 'shape': (2,), }", "unexpected character", 34),
            ("{'descr': '<f4', 'fortran_order': Falsey, 'shape': (2,), }", "unexpected word", 39),
            ("{'descr': '<\\f4', 'fortran_order': False, 'shape': (2,), }", "escape sequences are not supported", 12),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", "unexpected text after the dict", 58),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,3.0), }", "expected ',' or ')' in the tuple", 54),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "integer too large", 51),
            ("['descr']", "expected '{'", 0),
        ]
        for (header, detail, offset) in cases {
            expectNPYFailure(npyBytes(header: header, data: floatBytes([1, 2])), .headerSyntax(detail: detail, offset: offset),
                invalid + "its header is not a valid dict literal (\(detail) at byte \(offset) of the header).")
        }
    }

    @Test func duplicateKey() {
        expectNPYFailure(
            npyBytes(header: "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data: floatBytes([1, 2])),
            .duplicateKey("descr"), invalid + "its header repeats the key 'descr'.")
    }

    @Test func missingAndUnknownKeys() {
        expectNPYFailure(npyBytes(header: "{'descr': '<f4', 'shape': (2,), }", data: floatBytes([1, 2])),
            .missingKey("fortran_order"), invalid + "its header has no 'fortran_order' key.")
        expectNPYFailure(npyBytes(header: "{'fortran_order': False, 'shape': (2,), }", data: floatBytes([1, 2])),
            .missingKey("descr"), invalid + "its header has no 'descr' key.")
        expectNPYFailure(npyBytes(header: "{'descr': '<f4', 'fortran_order': False}", data: floatBytes([1, 2])),
            .missingKey("shape"), invalid + "its header has no 'shape' key.")
        expectNPYFailure(
            npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", data: floatBytes([1, 2])),
            .unknownKey("extra"), invalid + "its header has the unexpected key 'extra'.")
    }

    @Test func valueTypes() {
        expectNPYFailure(npyBytes(header: "{'descr': 4, 'fortran_order': False, 'shape': (2,), }", data: floatBytes([1, 2])),
            .wrongValueType(key: "descr", expected: "a string"), invalid + "its header's 'descr' is not a string.")
        expectNPYFailure(npyBytes(header: "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", data: floatBytes([1, 2])),
            .wrongValueType(key: "fortran_order", expected: "True or False"),
            invalid + "its header's 'fortran_order' is not True or False.")
        expectNPYFailure(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': 2, }", data: floatBytes([1, 2])),
            .wrongValueType(key: "shape", expected: "a tuple of integers"),
            invalid + "its header's 'shape' is not a tuple of integers.")
    }

    @Test func unsupportedDType() {
        for descr in [">f4", "<i4", "<f2", "u1", "<u1"] {
            expectNPYFailure(
                npyBytes(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (2,), }", data: floatBytes([1, 2])),
                .unsupportedDType(descr),
                unsupported + "its dtype '\(descr)' is not one of the supported '<f4', '<f8' and '|u1'.")
        }
    }

    @Test func fortranOrderIsRejected() {
        expectNPYFailure(ReferenceFiles.fortranNPY, .fortranOrder,
            unsupported + "it stores the array in Fortran order, and only C order is supported.")
    }

    @Test func negativeDimension() {
        expectNPYFailure(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }"),
            .negativeDimension(shape: [2, -1]), invalid + "its shape [2, -1] has a negative dimension.")
    }

    @Test func sizeOverflow() throws {
        expectNPYFailure(
            npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"),
            .sizeOverflow, invalid + "the byte size of its shape overflows.")
        // An empty array whose other dimensions overflow, refused as NumPy refuses it ("array
        // is too big"): a reader taking the size of one row would trap (found by the `images`
        // fuzz target).
        expectNPYFailure(
            npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4294967296, 4294967296), }"),
            .sizeOverflow, invalid + "the byte size of its shape overflows.")
        #expect(try NPYArray(bytes: npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 65536, 65536), }"))
                    .shape == [0, 65536, 65536])
    }

    @Test func exactDataSize() {
        var short = ReferenceFiles.tinyNPY
        short.removeLast()
        expectNPYFailure(short, .dataSizeMismatch(expected: 24, actual: 23),
            invalid + "its shape and dtype need 24 data bytes but the file holds 23.")
        var long = ReferenceFiles.tinyNPY
        long.append(0)
        expectNPYFailure(long, .dataSizeMismatch(expected: 24, actual: 25),
            invalid + "its shape and dtype need 24 data bytes but the file holds 25.")
    }

    @Test func uint8ValuesOnlyForUInt8() throws {
        let array = try NPYArray(bytes: ReferenceFiles.tinyNPY, file: "tiny.npy")
        #expect(throws: NPYError(file: "tiny.npy", problem: .notUInt8(dtype: .float32))) {
            try array.uint8Values()
        }
        #expect(NPYError(file: "tiny.npy", problem: .notUInt8(dtype: .float32)).description
            == "The .npy file 'tiny.npy' is not supported: its dtype is '<f4', not '|u1', so it has no uint8 values.")
    }
}
