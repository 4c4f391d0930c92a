import Foundation
import Testing
@testable import AutoencoderSerialization

@Suite("safetensors: writing, reading and the reference implementation")
struct SafeTensorsRoundTripTests {
    let referenceTensors = [
        NamedFloatTensor(name: "weight", shape: [2, 3], values: [0.5, -1.25, 2.0, 3.5, -0.0, 1e-3]),
        NamedFloatTensor(name: "bias", shape: [2], values: [0.25, -8.0]),
    ]
    let referenceMetadata = ["description": "tiny \"fixture\"\né/"]

    @Test("encoding matches Python safetensors byte for byte")
    func encodingMatchesReference() throws {
        let bytes = try SafeTensors.encode(referenceTensors, metadata: referenceMetadata)
        #expect(bytes == ReferenceFiles.tinySafeTensors)
    }

    @Test("the file written by Python reads back with its values and metadata")
    func readsReferenceFile() throws {
        let file = try SafeTensorsFile(bytes: ReferenceFiles.tinySafeTensors)
        #expect(file.tensorNames == ["bias", "weight"])
        #expect(file.metadata == referenceMetadata)
        let weight = try file.tensor(named: "weight")
        #expect(weight.dtype == .float32)
        #expect(weight.shape == [2, 3])
        #expect(weight.elementCount == 6)
        #expect(try weight.floats() == [0.5, -1.25, 2.0, 3.5, -0.0, 1e-3])
        #expect(try weight.floats()[4].sign == .minus)
        #expect(try file.tensor(named: "bias").floats() == [0.25, -8.0])
        #expect(file.tensors.map(\.name) == ["bias", "weight"])
    }

    @Test("write then read through a file keeps everything, and leaves no temporary file")
    func roundTripThroughFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("model.safetensors")
        let tensors = [
            NamedFloatTensor(name: "encoder.0.weight", shape: [3, 4], values: (0..<12).map { Float($0) * 0.5 - 2 }),
            NamedFloatTensor(name: "encoder.0.bias", shape: [3], values: [.infinity, -.infinity, .leastNonzeroMagnitude]),
            NamedFloatTensor(name: "scalar", shape: [], values: [42]),
            NamedFloatTensor(name: "empty", shape: [0, 5], values: []),
            NamedFloatTensor(name: "ünïcode \"name\"", shape: [1], values: [7]),
        ]
        let metadata = ["format": "pt", "epochs": "12", "note": "tab\there, quote \" and backslash \\"]
        try SafeTensors.write(tensors, metadata: metadata, to: url)
        #expect(try folder.entries() == ["model.safetensors"])

        let file = try SafeTensors.read(from: url)
        #expect(file.file == url.path)
        #expect(file.metadata == metadata)
        #expect(file.tensorNames == tensors.map(\.name).sorted())
        for tensor in tensors {
            let read = try file.tensor(named: tensor.name)
            #expect(read.shape == tensor.shape)
            #expect(try read.floats() == tensor.values)
        }
    }

    @Test("NaN payloads are kept bit for bit")
    func nanRoundTrip() throws {
        let nan = Float(bitPattern: 0x7FC0_1234)
        let bytes = try SafeTensors.encode([NamedFloatTensor(name: "n", shape: [1], values: [nan])])
        let read = try SafeTensorsFile(bytes: bytes).tensor(named: "n").floats()
        #expect(read.map(\.bitPattern) == [0x7FC0_1234])
    }

    @Test("the header is padded with spaces so that data starts at a multiple of 8")
    func headerPadding() throws {
        for length in 1...9 {
            let name = String(repeating: "x", count: length)
            let bytes = try SafeTensors.encode([NamedFloatTensor(name: name, shape: [1], values: [1])])
            let headerLength = Int(LittleEndian.unsigned(bytes[...], at: 0, size: 8))
            #expect(headerLength % 8 == 0)
            #expect(bytes.count == 8 + headerLength + 4)
            #expect(bytes[8 + headerLength - 1] == UInt8(ascii: " ") || bytes[8 + headerLength - 1] == UInt8(ascii: "}"))
        }
    }

    @Test("no tensors and no metadata make the smallest valid file")
    func emptyFile() throws {
        let bytes = try SafeTensors.encode([])
        #expect(bytes == safeTensorsBytes(header: "{}      "))
        let file = try SafeTensorsFile(bytes: bytes)
        #expect(file.tensors.isEmpty && file.metadata.isEmpty)
    }

    @Test("other dtypes are read as raw bytes and floating types convert to Float")
    func otherDTypes() throws {
        // F16 1.0, -2.0, 65504, smallest subnormal; BF16 1.0, -0.5; F64 0.1; U8 raw; I64 raw.
        let header = """
            {"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},\
            "b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},\
            "u":{"dtype":"U8","shape":[4],"data_offsets":[12,16]},\
            "d":{"dtype":"F64","shape":[1],"data_offsets":[16,24]},\
            "i":{"dtype":"I64","shape":[1],"data_offsets":[24,32]}}
            """
        var data: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00]
        data += [0x80, 0x3F, 0x00, 0xBF]
        data += [1, 2, 3, 4]
        LittleEndian.append((0.1 as Double).bitPattern, size: 8, to: &data)
        LittleEndian.append(UInt64(bitPattern: -5), size: 8, to: &data)
        let file = try SafeTensorsFile(bytes: safeTensorsBytes(header: header, data: data))
        #expect(try file.tensor(named: "h").floats() == [1, -2, 65504, 0x1p-24])
        #expect(try file.tensor(named: "b").floats() == [1, -0.5])
        #expect(try file.tensor(named: "d").floats() == [Float(0.1)])
        #expect(Array(try file.tensor(named: "u").data) == [1, 2, 3, 4])
        #expect(try file.tensor(named: "i").dtype == .int64)
        #expect(file.tensors.map(\.name) == ["h", "b", "u", "d", "i"])
    }

    @Test("half-precision special values widen exactly")
    func halfSpecials() {
        #expect(LittleEndian.floatFromHalfBits(0x7C00) == .infinity)
        #expect(LittleEndian.floatFromHalfBits(0xFC00) == -.infinity)
        #expect(LittleEndian.floatFromHalfBits(0x7E00).isNaN)
        #expect(LittleEndian.floatFromHalfBits(0x8000).sign == .minus)
        #expect(LittleEndian.floatFromHalfBits(0x03FF) == Float(0x3FF) * 0x1p-24)
        #expect(LittleEndian.floatFromHalfBits(0x0400) == 0x1p-14)
        #expect(LittleEndian.floatFromHalfBits(0x3555) == 0.333251953125)
    }

    @Test("zero-sized tensors may sit anywhere between other tensors")
    func zeroSizedTensors() throws {
        let header = """
            {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},\
            "z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},\
            "b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}
            """
        let file = try SafeTensorsFile(bytes: safeTensorsBytes(header: header, data: floatBytes([1, 2])))
        #expect(try file.tensor(named: "z").floats().isEmpty)
        #expect(try file.tensor(named: "b").floats() == [2])
    }

    @Test("JSON escapes and whitespace inside the header are understood")
    func jsonEscapes() throws {
        let header = #"{ "\u00e9\ud83d\ude00\n\/" : { "dtype" : "F32" , "shape" : [ ] , "data_offsets" : [ 0 , 4 ] } }  "#
        let file = try SafeTensorsFile(bytes: safeTensorsBytes(header: header, data: floatBytes([3])))
        #expect(file.tensorNames == ["é😀\n/"])
    }

    @Test("writing rejects bad input before touching the disk")
    func writerInputChecks() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("bad.safetensors")
        let cases: [([NamedFloatTensor], WriteRequestError.Problem, String)] = [
            ([NamedFloatTensor(name: "w", shape: [2, 3], values: [1])],
             .shapeMismatch(tensor: "w", shape: [2, 3], valueCount: 1),
             "tensor 'w' has the shape [2, 3] but 1 values"),
            ([NamedFloatTensor(name: "w", shape: [-1], values: [])],
             .negativeDimension(tensor: "w", shape: [-1]),
             "tensor 'w' has the shape [-1] with a negative dimension"),
            ([NamedFloatTensor(name: "w", shape: [1], values: [1]), NamedFloatTensor(name: "w", shape: [1], values: [2])],
             .duplicateName("w"), "two tensors are named 'w'"),
            ([NamedFloatTensor(name: "__metadata__", shape: [1], values: [1])],
             .reservedName("__metadata__"), "the tensor name '__metadata__' is reserved for the metadata"),
            ([NamedFloatTensor(name: "w", shape: [Int.max, 2], values: [])],
             .shapeOverflow(tensor: "w", shape: [Int.max, 2]),
             "the element count of tensor 'w', of shape [\(Int.max), 2], overflows"),
        ]
        for (tensors, problem, explanation) in cases {
            #expect {
                try SafeTensors.write(tensors, to: url)
            } throws: { error in
                guard let error = error as? WriteRequestError else { return false }
                return error.problem == problem
                    && error.description == "Cannot write the file '\(url.path)': \(explanation)."
            }
        }
        #expect(try folder.entries().isEmpty)
    }
}
