import Foundation
@testable import AutoencoderData

/// A `.npy` file (version 1.0) with the given descr, order and shape, and `data` as its payload.
/// `descrLiteral` replaces the quoted descr with any text (a structured dtype's list).
func npyBytes(descr: String, descrLiteral: String? = nil, fortran: Bool = false, shape: [Int], data: [UInt8]) -> [UInt8] {
    let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var text = "{'descr': \(descrLiteral ?? "'" + descr + "'"), 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(tuple), }"
    while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
    text += "\n"
    let length = text.utf8.count
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(text.utf8) + data
}

/// The bytes of `values` as little- or big-endian 32-bit floats.
func floatBytes(_ values: [Float], bigEndian: Bool = false) -> [UInt8] {
    values.flatMap { value -> [UInt8] in
        let bits = bigEndian ? value.bitPattern.bigEndian : value.bitPattern.littleEndian
        return withUnsafeBytes(of: bits) { Array($0) }
    }
}

/// A ZIP archive of `files`, stored (not compressed), as `numpy.savez` writes them.
func storedZIP(_ files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
    func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16 & 0xFFFF) }
    var archive: [UInt8] = [], directory: [UInt8] = []
    for file in files {
        let crc = Int(crc32Of(file.bytes))
        let name = Array(file.name.utf8)
        let offset = archive.count
        archive += u32(0x0403_4B50) + u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(crc)
            + u32(file.bytes.count) + u32(file.bytes.count) + u16(name.count) + u16(0) + name + file.bytes
        directory += u32(0x0201_4B50) + u16(20) + u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(crc)
            + u32(file.bytes.count) + u32(file.bytes.count) + u16(name.count) + u16(0) + u16(0) + u16(0) + u16(0)
            + u32(0) + u32(offset) + name
    }
    let directoryOffset = archive.count
    return archive + directory + u32(0x0605_4B50) + u16(0) + u16(0) + u16(files.count) + u16(files.count)
        + u32(directory.count) + u32(directoryOffset) + u16(0)
}

/// CRC-32 (IEEE), bit by bit: independent of zlib.
func crc32Of(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

/// This process's resident memory in kB, from /proc/self/status (0 where there is none).
func residentKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}
