import Foundation
import Testing
@testable import AutoencoderSerialization

/// One test per rule of the format: each broken file must fail with its own message.
@Suite("safetensors: every violation of the format is rejected with its own message")
struct SafeTensorsViolationTests {
    let prefix = "The safetensors file 'bad.safetensors' is invalid: "

    /// A header with one F32 tensor "w" whose entry is `entry`.
    func oneTensor(_ entry: String) -> String { #"{"w":"# + entry + "}" }

    @Test func fileShorterThanLengthField() {
        expectSafeTensorsFailure([1, 2, 3], .fileTooShort(byteCount: 3),
            prefix + "it is 3 bytes long, shorter than the 8-byte header length field.")
        expectSafeTensorsFailure([], .fileTooShort(byteCount: 0),
            prefix + "it is 0 bytes long, shorter than the 8-byte header length field.")
    }

    @Test func headerLengthOverLimit() {
        expectSafeTensorsFailure(safeTensorsBytes(header: "{}      ", declaredLength: 100_000_001),
            .headerLengthOverLimit(length: 100_000_001, limit: 100_000_000),
            prefix + "its header length 100000001 exceeds the format's limit of 100000000 bytes.")
        expectSafeTensorsFailure(safeTensorsBytes(header: "{}", declaredLength: .max),
            .headerLengthOverLimit(length: .max, limit: 100_000_000),
            prefix + "its header length 18446744073709551615 exceeds the format's limit of 100000000 bytes.")
    }

    @Test func headerLengthBeyondFile() {
        expectSafeTensorsFailure(safeTensorsBytes(header: "{}", declaredLength: 3),
            .headerLengthBeyondFile(length: 3, available: 2),
            prefix + "its header length 3 exceeds the 2 bytes that follow the length field.")
    }

    @Test func headerNotUTF8() {
        // A broken two-byte sequence, an overlong form, a surrogate, a truncated sequence.
        for bad: [UInt8] in [[0xC3, 0x28], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82]] {
            expectSafeTensorsFailure(safeTensorsBytes(headerBytes: [0x7B, 0x22] + bad + [0x22, 0x7D]),
                .headerNotUTF8, prefix + "its header is not valid UTF-8.")
        }
    }

    @Test func headerNotAnObject() {
        for header in ["[]", " {}", "", "\"x\"", "null"] {
            expectSafeTensorsFailure(safeTensorsBytes(header: header), .headerNotObject,
                prefix + "its header does not start with a JSON object.")
        }
    }

    @Test func headerNotJSON() {
        expectSafeTensorsFailure(safeTensorsBytes(header: #"{"w":}"#),
            .headerNotJSON(detail: "unexpected character", offset: 5),
            prefix + "its header is not valid JSON (unexpected character at byte 5 of the header).")
        expectSafeTensorsFailure(safeTensorsBytes(header: #"{"w""#),
            .headerNotJSON(detail: "expected ':' after an object key", offset: 4),
            prefix + "its header is not valid JSON (expected ':' after an object key at byte 4 of the header).")
        expectSafeTensorsFailure(safeTensorsBytes(header: "{\"a\tb\":1}"),
            .headerNotJSON(detail: "control character in a string", offset: 3),
            prefix + "its header is not valid JSON (control character in a string at byte 3 of the header).")
        expectSafeTensorsFailure(safeTensorsBytes(header: #"{"\ud800":1}"#),
            .headerNotJSON(detail: "unpaired surrogate in a \\u escape", offset: 8),
            prefix + "its header is not valid JSON (unpaired surrogate in a \\u escape at byte 8 of the header).")
        expectSafeTensorsFailure(safeTensorsBytes(header: #"{"a":01}"#),
            .headerNotJSON(detail: "expected ',' or '}' in an object", offset: 6),
            prefix + "its header is not valid JSON (expected ',' or '}' in an object at byte 6 of the header).")
        let deep = "{\"a\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        expectSafeTensorsFailure(safeTensorsBytes(header: deep),
            .headerNotJSON(detail: "nesting too deep", offset: 68),
            prefix + "its header is not valid JSON (nesting too deep at byte 68 of the header).")
    }

    @Test func onlySpacesMayFollowTheObject() {
        expectSafeTensorsFailure(safeTensorsBytes(header: "{}  \n"), .headerTrailingBytes(offset: 4),
            prefix + "its header has bytes other than space padding after the JSON object, at byte 4 of the header.")
        expectSafeTensorsFailure(safeTensorsBytes(header: "{}\0"), .headerTrailingBytes(offset: 2),
            prefix + "its header has bytes other than space padding after the JSON object, at byte 2 of the header.")
    }

    @Test func duplicateKeys() {
        let entry = #"{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#
        expectSafeTensorsFailure(safeTensorsBytes(header: #"{"w":"# + entry + #","w":"# + entry + "}", data: floatBytes([1])),
            .duplicateKey("w"), prefix + "its header repeats the key 'w'.")
        expectSafeTensorsFailure(
            safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}"#),
                             data: floatBytes([1])),
            .duplicateKey("dtype"), prefix + "its header repeats the key 'dtype'.")
        expectSafeTensorsFailure(safeTensorsBytes(header: #"{"__metadata__":{"a":"1","a":"2"}}"#),
            .duplicateKey("a"), prefix + "its header repeats the key 'a'.")
    }

    @Test func metadataMustBeAnObjectOfStrings() {
        expectSafeTensorsFailure(safeTensorsBytes(header: #"{"__metadata__":["a"]}"#), .metadataNotObject,
            prefix + "its '__metadata__' entry is not a JSON object.")
        expectSafeTensorsFailure(safeTensorsBytes(header: #"{"__metadata__":{"epochs":12}}"#),
            .metadataValueNotString(key: "epochs"), prefix + "its metadata value for 'epochs' is not a string.")
    }

    @Test func tensorEntryMustBeAnObject() {
        expectSafeTensorsFailure(safeTensorsBytes(header: oneTensor("[0,4]")), .tensorEntryNotObject(tensor: "w"),
            prefix + "the entry of tensor 'w' is not a JSON object.")
    }

    @Test func everyFieldIsRequired() {
        expectSafeTensorsFailure(safeTensorsBytes(header: oneTensor(#"{"shape":[1],"data_offsets":[0,4]}"#)),
            .missingField(tensor: "w", field: "dtype"), prefix + "tensor 'w' has no 'dtype' field.")
        expectSafeTensorsFailure(safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","data_offsets":[0,4]}"#)),
            .missingField(tensor: "w", field: "shape"), prefix + "tensor 'w' has no 'shape' field.")
        expectSafeTensorsFailure(safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","shape":[1]}"#)),
            .missingField(tensor: "w", field: "data_offsets"), prefix + "tensor 'w' has no 'data_offsets' field.")
    }

    @Test func unknownFieldsAreRejected() {
        expectSafeTensorsFailure(
            safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","shape":[1],"data_offsets":[0,4],"stride":[1]}"#)),
            .unknownField(tensor: "w", field: "stride"), prefix + "tensor 'w' has an unknown field 'stride'.")
    }

    @Test func dtypeMustBeKnown() {
        expectSafeTensorsFailure(safeTensorsBytes(header: oneTensor(#"{"dtype":"F33","shape":[1],"data_offsets":[0,4]}"#)),
            .unknownDType(tensor: "w", dtype: "F33"),
            prefix + "tensor 'w' has the unknown or unsupported dtype 'F33'.")
        expectSafeTensorsFailure(safeTensorsBytes(header: oneTensor(#"{"dtype":"f32","shape":[1],"data_offsets":[0,4]}"#)),
            .unknownDType(tensor: "w", dtype: "f32"),
            prefix + "tensor 'w' has the unknown or unsupported dtype 'f32'.")
        expectSafeTensorsFailure(safeTensorsBytes(header: oneTensor(#"{"dtype":4,"shape":[1],"data_offsets":[0,4]}"#)),
            .dtypeNotString(tensor: "w"), prefix + "the dtype of tensor 'w' is not a string.")
    }

    @Test func shapeMustBeNonNegativeIntegers() {
        let message = prefix + "the shape of tensor 'w' is not an array of non-negative integers."
        for shape in ["[-1]", "[1.0]", "[1e0]", #"["1"]"#, "1", "[18446744073709551616]", "[9223372036854775808]", "[null]", "[true]"] {
            expectSafeTensorsFailure(
                safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","shape":"# + shape + #","data_offsets":[0,4]}"#),
                                 data: floatBytes([1])),
                .invalidShape(tensor: "w"), message)
        }
    }

    @Test func dataOffsetsMustBeTwoNonNegativeIntegers() {
        let message = prefix + "the data_offsets of tensor 'w' are not an array of two non-negative integers."
        for offsets in ["[4]", "[0,4,4]", "[-1,4]", "[0,4.0]", "4", #"["0","4"]"#, "[]"] {
            expectSafeTensorsFailure(
                safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","shape":[1],"data_offsets":"# + offsets + "}"),
                                 data: floatBytes([1])),
                .invalidDataOffsets(tensor: "w"), message)
        }
    }

    @Test func beginMustNotExceedEnd() {
        expectSafeTensorsFailure(
            safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","shape":[1],"data_offsets":[8,4]}"#), data: floatBytes([1, 2])),
            .dataOffsetsReversed(tensor: "w", begin: 8, end: 4),
            prefix + "the data of tensor 'w' ends (4) before it begins (8).")
    }

    @Test func sizeMustNotOverflow() {
        let message = prefix + "the byte size of tensor 'w' overflows 64 bits."
        for shape in ["[4294967296,4294967296]", "[4611686018427387904]", "[9223372036854775807,2,0]"] {
            expectSafeTensorsFailure(
                safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","shape":"# + shape + #","data_offsets":[0,0]}"#)),
                .sizeOverflow(tensor: "w"), message)
        }
    }

    @Test func sizeMustMatchShapeAndDType() {
        expectSafeTensorsFailure(
            safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[0,4]}"#), data: floatBytes([1])),
            .sizeMismatch(tensor: "w", expected: 8, actual: 4),
            prefix + "tensor 'w' needs 8 bytes for its shape and dtype but its data_offsets span 4.")
        expectSafeTensorsFailure(
            safeTensorsBytes(header: oneTensor(#"{"dtype":"F64","shape":[],"data_offsets":[0,4]}"#), data: floatBytes([1])),
            .sizeMismatch(tensor: "w", expected: 8, actual: 4),
            prefix + "tensor 'w' needs 8 bytes for its shape and dtype but its data_offsets span 4.")
    }

    @Test func offsetsMustStayInTheBuffer() {
        expectSafeTensorsFailure(
            safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#), data: floatBytes([1])),
            .dataOffsetsOutOfBounds(tensor: "w", end: 8, bufferSize: 4),
            prefix + "the data of tensor 'w' ends at byte 8, past the 4-byte data buffer.")
        expectSafeTensorsFailure(
            safeTensorsBytes(header: oneTensor(#"{"dtype":"U8","shape":[0],"data_offsets":[18446744073709551615,18446744073709551615]}"#)),
            .dataOffsetsOutOfBounds(tensor: "w", end: .max, bufferSize: 0),
            prefix + "the data of tensor 'w' ends at byte 18446744073709551615, past the 0-byte data buffer.")
    }

    @Test func noGapBetweenTensors() {
        let header = """
            {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},\
            "b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}
            """
        expectSafeTensorsFailure(safeTensorsBytes(header: header, data: floatBytes([1, 2, 3])),
            .gapBeforeTensor(tensor: "b", expectedBegin: 4, begin: 8),
            prefix + "the data buffer has unused bytes 4..<8 before tensor 'b'.")
        expectSafeTensorsFailure(
            safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","shape":[1],"data_offsets":[4,8]}"#), data: floatBytes([1, 2])),
            .gapBeforeTensor(tensor: "w", expectedBegin: 0, begin: 4),
            prefix + "the data buffer has unused bytes 0..<4 before tensor 'w'.")
    }

    @Test func noOverlapBetweenTensors() {
        let header = """
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
            "b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}
            """
        expectSafeTensorsFailure(safeTensorsBytes(header: header, data: floatBytes([1, 2, 3])),
            .overlappingTensor(tensor: "b", begin: 4, previousEnd: 8),
            prefix + "the data of tensor 'b' begins at byte 4, inside the previous tensor which ends at 8.")
        let zeroInside = """
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
            "z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}
            """
        expectSafeTensorsFailure(safeTensorsBytes(header: zeroInside, data: floatBytes([1, 2])),
            .overlappingTensor(tensor: "z", begin: 4, previousEnd: 8),
            prefix + "the data of tensor 'z' begins at byte 4, inside the previous tensor which ends at 8.")
        let same = """
            {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},\
            "b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}
            """
        expectSafeTensorsFailure(safeTensorsBytes(header: same, data: floatBytes([1])),
            .overlappingTensor(tensor: "b", begin: 0, previousEnd: 4),
            prefix + "the data of tensor 'b' begins at byte 0, inside the previous tensor which ends at 4.")
    }

    @Test func noTrailingBytes() {
        expectSafeTensorsFailure(
            safeTensorsBytes(header: oneTensor(#"{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#), data: floatBytes([1]) + [0]),
            .trailingBytes(count: 1), prefix + "its last 1 bytes belong to no tensor.")
        var withExtra = ReferenceFiles.tinySafeTensors
        withExtra.append(0)
        expectSafeTensorsFailure(withExtra, .trailingBytes(count: 1), prefix + "its last 1 bytes belong to no tensor.")
        expectSafeTensorsFailure(safeTensorsBytes(header: "{}", data: [0, 0]),
            .trailingBytes(count: 2), prefix + "its last 2 bytes belong to no tensor.")
    }

    @Test func lookupFailures() throws {
        let file = try SafeTensorsFile(bytes: ReferenceFiles.tinySafeTensors, file: "tiny.safetensors")
        #expect(throws: SafeTensorsError(file: "tiny.safetensors", problem: .tensorNotFound(name: "gamma"))) {
            try file.tensor(named: "gamma")
        }
        #expect(SafeTensorsError(file: "tiny.safetensors", problem: .tensorNotFound(name: "gamma")).description
            == "Cannot take the requested tensor from the safetensors file 'tiny.safetensors': there is no tensor named 'gamma'.")
        let bytes = safeTensorsBytes(header: oneTensor(#"{"dtype":"I32","shape":[1],"data_offsets":[0,4]}"#), data: [1, 0, 0, 0])
        let integers = try SafeTensorsFile(bytes: bytes, file: "i.safetensors").tensor(named: "w")
        do {
            _ = try integers.floats()
            Issue.record("integers were converted")
        } catch {
            #expect(error.problem == .notFloatingPoint(tensor: "w", dtype: .int32))
            #expect(error.description
                == "Cannot take the requested tensor from the safetensors file 'i.safetensors': tensor 'w' has dtype I32, which is not a floating-point type.")
        }
    }

    @Test("reading from disk names the file's path in the message")
    func messageNamesThePath() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("short.safetensors")
        try Data([1, 2]).write(to: url)
        #expect {
            try SafeTensors.read(from: url)
        } throws: { error in
            (error as? SafeTensorsError)?.description
                == "The safetensors file '\(url.path)' is invalid: it is 2 bytes long, shorter than the 8-byte header length field."
        }
        let missing = folder.url.appendingPathComponent("missing.safetensors")
        #expect {
            try SafeTensors.read(from: missing)
        } throws: { error in
            (error as? FileAccessError)?.description
                == "Could not access the file '\(missing.path)' while opening it for reading: No such file or directory."
        }
    }
}
