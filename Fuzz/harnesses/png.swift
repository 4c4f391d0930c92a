// libFuzzer harness for the PNG reader (compiled by Fuzz/run.sh together with
// Sources/AutoencoderPictures/*.swift into one module; needs -I Sources/CPNG -lpng16).
//
// Each input goes to `PNG.decode(_:)`, which reads PNG data from memory through the same
// libpng simplified API, and the same Swift code after the header, as `PNG.read(from:)`
// does for a file. libpng checks every chunk's CRC, which a mutation almost always breaks,
// so the input is decoded a second time with each chunk's CRC recomputed: that lets the
// fuzzer reach the header fields and the picture data. libpng itself is not instrumented
// (it is the system's), but every size it reports and every byte it hands back is checked
// here. A refusal must be one `PNGError` sentence. An image that loads must be non-empty
// with three bytes per pixel, and survive being encoded (as figures are written) and
// decoded again unchanged.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    check(bytes)
    let repaired = withCorrectCRCs(bytes)
    if repaired != bytes { check(repaired) }
    return 0
}

func check(_ bytes: [UInt8]) {
    let image: RGBImage
    do {
        image = try PNG.decode(bytes)
    } catch let error as PNGError {
        let message = error.description
        precondition(message.hasPrefix("Cannot decode PNG data: ") && message.hasSuffix(".") && !message.contains("\n"),
                     "not one sentence: \(message)")
        return
    } catch {
        preconditionFailure("the reader threw \(type(of: error)), not a PNGError: \(error)")
    }
    precondition(image.width > 0 && image.height > 0, "accepted an empty image")
    precondition(image.bytes.count == 3 * image.width * image.height, "not three bytes per pixel")
    let again = try! PNG.decode(PNG.encode(image))
    precondition(again == image, "the image changed in an encode/decode round trip")
}

/// `bytes` with the CRC of every complete chunk after the 8-byte signature recomputed.
func withCorrectCRCs(_ bytes: [UInt8]) -> [UInt8] {
    var result = bytes
    var start = 8
    while start + 12 <= result.count {
        let length = result[start..<(start + 4)].reduce(0) { $0 << 8 | Int($1) }
        let end = start + 8 + length   // where the CRC starts
        guard length <= result.count, end + 4 <= result.count else { break }
        let crc = crc32(result[(start + 4)..<end])
        for index in 0..<4 { result[end + index] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(index))) }
        start = end + 4
    }
    return result
}

/// The CRC-32 of PNG chunks (ISO 3309, as zlib's `crc32`).
func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
    }
    return crc ^ 0xFFFF_FFFF
}

let crcTable: [UInt32] = (0..<256).map { n in
    (0..<8).reduce(UInt32(n)) { c, _ in c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
}
