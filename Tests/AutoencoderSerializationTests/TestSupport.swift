import Foundation
import Testing
@testable import AutoencoderSerialization

/// A fresh folder under the system's temporary folder, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("serialization-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The names of the entries in the folder, sorted (hidden temporary files included).
    func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A safetensors file made of an 8-byte length, `header` (as given, no padding added) and `data`.
func safeTensorsBytes(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    safeTensorsBytes(headerBytes: Array(header.utf8), data: data, declaredLength: declaredLength)
}

/// A safetensors file made of an 8-byte length, raw `headerBytes` and `data`.
func safeTensorsBytes(headerBytes: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    var bytes: [UInt8] = []
    LittleEndian.append(declaredLength ?? UInt64(headerBytes.count), size: 8, to: &bytes)
    return bytes + headerBytes + data
}

/// Expects parsing `bytes` as a safetensors file named "bad.safetensors" to fail with
/// `problem`, and the message to be exactly `message`.
func expectSafeTensorsFailure(
    _ bytes: [UInt8], _ problem: SafeTensorsError.Problem, _ message: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        _ = try SafeTensorsFile(bytes: bytes, file: "bad.safetensors")
        Issue.record("the file was accepted", sourceLocation: sourceLocation)
    } catch {
        #expect(error.problem == problem, sourceLocation: sourceLocation)
        #expect(error.description == message, sourceLocation: sourceLocation)
    }
}

/// An `.npy` file with the given preamble version and raw header text, padded the way NumPy
/// pads (to 64 bytes, ending in a newline) unless `pad` is false, followed by `data`.
func npyBytes(header: String, data: [UInt8] = [], major: UInt8 = 1, pad: Bool = true) -> [UInt8] {
    var text = Array(header.utf8)
    let lengthFieldSize = major == 1 ? 2 : 4
    if pad {
        let padding = 64 - (8 + lengthFieldSize + text.count + 1) % 64
        text += Array(repeating: 0x20, count: padding) + [0x0A]
    }
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
    LittleEndian.append(UInt64(text.count), size: lengthFieldSize, to: &bytes)
    return bytes + text + data
}

/// Expects parsing `bytes` as an `.npy` file named "bad.npy" to fail with `problem` and
/// exactly `message`.
func expectNPYFailure(
    _ bytes: [UInt8], _ problem: NPYError.Problem, _ message: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        _ = try NPYArray(bytes: bytes, file: "bad.npy")
        Issue.record("the file was accepted", sourceLocation: sourceLocation)
    } catch {
        #expect(error.problem == problem, sourceLocation: sourceLocation)
        #expect(error.description == message, sourceLocation: sourceLocation)
    }
}

/// The little-endian bytes of `values`.
func floatBytes(_ values: [Float]) -> [UInt8] {
    var bytes: [UInt8] = []
    LittleEndian.append(values, to: &bytes)
    return bytes
}
