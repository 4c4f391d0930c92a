import CPNG
import Foundation
import Testing
@testable import AutoencoderPictures

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small picture in which every pixel differs, so any swap, shift or rounding shows.
private func patternedImage(width: Int = 7, height: Int = 5) -> RGBImage {
    var image = RGBImage(width: width, height: height)
    for y in 0 ..< height {
        for x in 0 ..< width {
            image[x, y] = RGB(UInt8(x * 37 % 256), UInt8(y * 51 % 256), UInt8((x * 13 + y * 29) % 256))
        }
    }
    return image
}

@Suite("PNG files")
struct PNGTests {
    @Test("A written file reads back with exactly the same pixels")
    func fileRoundTrip() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let image = patternedImage()
        let url = folder.url.appendingPathComponent("pattern.png")
        try PNG.write(image, to: url)
        let read = try PNG.read(from: url)
        #expect(read == image)
        #expect(try folder.fileNames() == ["pattern.png"])
        // A real PNG signature, so other programs can open it.
        let signature = try Data(contentsOf: url).prefix(8)
        #expect(Array(signature) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    @Test("Encoding in memory and decoding gives back the same pixels")
    func memoryRoundTrip() throws {
        let image = patternedImage(width: 31, height: 3)
        let data = try PNG.encode(image)
        #expect(try PNG.decode(data) == image)
    }

    @Test("Writing replaces an existing file")
    func replacesExistingFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("picture.png")
        try PNG.write(RGBImage(width: 3, height: 3, filledWith: .black), to: url)
        let second = patternedImage()
        try PNG.write(second, to: url)
        #expect(try PNG.read(from: url) == second)
        #expect(try folder.fileNames() == ["picture.png"])
    }

    @Test("Writing into a folder that does not exist throws a clear error and leaves no file")
    func missingFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let missing = folder.url.appendingPathComponent("no-such-folder")
        let url = missing.appendingPathComponent("reconstructions.png")
        let error = try #require(throws: PNGError.self) { try PNG.write(patternedImage(), to: url) }
        #expect(error.description == "Cannot write reconstructions.png: the folder \(missing.path) does not exist.")
        #expect(error.url == url)
        #expect(!FileManager.default.fileExists(atPath: url.path))
        #expect(try folder.fileNames().isEmpty)
    }

    @Test("Writing below a regular file throws and leaves no file")
    func folderIsAFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let plainFile = folder.url.appendingPathComponent("notes.txt")
        try Data("x".utf8).write(to: plainFile)
        let url = plainFile.appendingPathComponent("digits.png")
        let error = try #require(throws: PNGError.self) { try PNG.write(patternedImage(), to: url) }
        #expect(error.description == "Cannot write digits.png: \(plainFile.path) is not a folder.")
        #expect(try folder.fileNames() == ["notes.txt"])
    }

    @Test("Writing into an unwritable folder throws a clear error and leaves no file")
    func unwritableFolder() throws {
        let folder: URL
        let temporary = try TemporaryFolder()
        defer {
            chmod(temporary.url.path, 0o700)
            temporary.remove()
        }
        if getuid() == 0 {
            // Permissions do not stop root; /sys refuses new files even to root.
            folder = URL(fileURLWithPath: "/sys")
        } else {
            chmod(temporary.url.path, 0o500)
            folder = temporary.url
        }
        let url = folder.appendingPathComponent("reconstructions.png")
        let error = try #require(throws: PNGError.self) { try PNG.write(patternedImage(), to: url) }
        #expect(error.description == "Cannot write reconstructions.png: the folder \(folder.path) is not writable.")
        #expect(!FileManager.default.fileExists(atPath: url.path))
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        #expect(!leftovers.contains { $0.contains("reconstructions.png") })
    }

    @Test("A failed write leaves the existing picture untouched and no temporary file")
    func failedWriteKeepsOldFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("keep.png")
        let original = patternedImage()
        try PNG.write(original, to: url)
        let error = try #require(throws: PNGError.self) { try PNG.write(RGBImage(width: 0, height: 4), to: url) }
        #expect(error.description == "Cannot write keep.png: the image is empty (0x4 pixels).")
        #expect(try PNG.read(from: url) == original)
        #expect(try folder.fileNames() == ["keep.png"])
    }

    @Test("An image larger than the reader accepts is not written, so every file written reads back")
    func tooLargeToReadBackIsNotWritten() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("big.png")
        let original = patternedImage()
        try PNG.write(original, to: url)
        // The pixel limit by itself (an image over it would take 400 MB to make), then a
        // picture too tall for libpng (3 MB) through write and encode.
        #expect(PNG.sizeProblem(width: 11_586, height: 11_585)
                == "the image has 11586x11585 pixels, more than the 134217728 a PNG may have here")
        #expect(PNG.sizeProblem(width: Int.max, height: 2) != nil)
        #expect(PNG.sizeProblem(width: 11_585, height: 11_585) == nil)
        let tall = RGBImage(width: 1, height: PNG.maximumSide + 1)
        #expect(throws: PNGError.self) { try PNG.encode(tall) }
        let side = try #require(throws: PNGError.self) { try PNG.write(tall, to: url) }
        #expect(side.description == "Cannot write big.png: the image is 1x1000001 pixels, a side longer than the 1000000 a PNG may have.")
        #expect(try PNG.read(from: url) == original)
        #expect(try folder.fileNames() == ["big.png"])
    }

    @Test("Writing onto the name of a folder fails and cleans up")
    func nameTakenByFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("taken.png")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(at: url.appendingPathComponent("inside"), withIntermediateDirectories: false)
        let error = try #require(throws: PNGError.self) { try PNG.write(patternedImage(), to: url) }
        #expect(error.description == "Cannot write taken.png: a folder of that name is in the way.")
        #expect(try folder.fileNames() == ["taken.png"])
    }

    @Test("Reading a missing file names it and its folder")
    func readMissingFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("absent.png")
        let error = try #require(throws: PNGError.self) { try PNG.read(from: url) }
        #expect(error.description == "Cannot read absent.png: there is no such file in \(folder.url.path).")
    }

    @Test("Reading a file that is not a PNG throws")
    func readNotAPNG() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("fake.png")
        try Data("this is not a picture".utf8).write(to: url)
        let error = try #require(throws: PNGError.self) { try PNG.read(from: url) }
        #expect(error.description.hasPrefix("Cannot read fake.png: it is not a valid PNG file ("))
        #expect(error.description.hasSuffix(")."))
        #expect(throws: PNGError.self) { try PNG.decode([1, 2, 3]) }
    }

    @Test("A transparent PNG reads as composited onto white")
    func readsAlphaOverWhite() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("alpha.png")
        // Two RGBA pixels written with libpng directly: opaque red, fully transparent black.
        var header = png_image()
        header.version = UInt32(PNG_IMAGE_VERSION)
        header.width = 2
        header.height = 1
        header.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)  // PNG_FORMAT_RGBA
        let pixels: [UInt8] = [255, 0, 0, 255, 0, 0, 0, 0]
        let ok = pixels.withUnsafeBytes { png_image_write_to_file(&header, url.path, 0, $0.baseAddress, 0, nil) }
        png_image_free(&header)
        #expect(ok != 0)
        let image = try PNG.read(from: url)
        #expect(image.width == 2 && image.height == 1)
        #expect(image[0, 0] == RGB(255, 0, 0))
        #expect(image[1, 0] == .white)
    }

    /// A header may declare up to 1000000x1000000 pixels; the reader used to allocate them
    /// all (26 GB for the 78-byte file the `png` fuzz target found) and crash.
    @Test("A header declaring more pixels than the file can hold, or than the limit, is refused before allocating")
    func hugeHeaderIsRefused() throws {
        /// PNG data: the signature, an IHDR of `width`x`height` RGBA, a `padding`-byte private
        /// chunk, a short IDAT and IEND, each chunk with its CRC.
        func png(width: UInt32, height: UInt32, padding: Int = 0) -> [UInt8] {
            func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
                let body = Array(type.utf8) + data
                var crc: UInt32 = 0xFFFF_FFFF
                for byte in body {
                    crc ^= UInt32(byte)
                    for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
                }
                return bigEndian(UInt32(data.count)) + body + bigEndian(~crc)
            }
            func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
            return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
                + chunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 6, 0, 0, 0])
                + (padding > 0 ? chunk("prVt", [UInt8](repeating: 0, count: padding)) : [])
                + chunk("IDAT", [0x78, 0xDA, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]) + chunk("IEND", [])
        }
        // The fuzzer's file: 8.6 billion pixels in 78 bytes.
        let found = png(width: 524_290, height: 16_385)
        #expect(throws: PNGError(url: nil, description: "Cannot decode PNG data: its header declares 524290x16385 pixels, "
                                 + "more than the 134217728 this reader accepts.")) { try PNG.decode(found) }
        // Under the limit, but 66 bytes cannot hold 100 million pixels.
        let small = png(width: 10_000, height: 10_000)
        #expect(small.count == 66)
        #expect(throws: PNGError(url: nil, description: "Cannot decode PNG data: its header declares 10000x10000 pixels, "
                                 + "more than 66 bytes of PNG can hold.")) { try PNG.decode(small) }
        // 144 million pixels: 32 KiB of PNG could hold them, but they are over the limit.
        let padded = png(width: 12_000, height: 12_000, padding: 1 << 15)
        #expect(throws: PNGError(url: nil, description: "Cannot decode PNG data: its header declares 12000x12000 pixels, "
                                 + "more than the 134217728 this reader accepts.")) { try PNG.decode(padded) }

        // The same from files, whose size the reader takes from the file system.
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("huge.png")
        try Data(small).write(to: url)
        #expect(throws: PNGError(url: url, description: "Cannot read huge.png: its header declares 10000x10000 pixels, "
                                 + "more than 66 bytes of PNG can hold.")) { try PNG.read(from: url) }
        try Data(padded).write(to: url)
        #expect(throws: PNGError(url: url, description: "Cannot read huge.png: its header declares 12000x12000 pixels, "
                                 + "more than the 134217728 this reader accepts.")) { try PNG.read(from: url) }
    }

    @Test("The hand-copied libpng constants match png.h")
    func constantsMatchHeader() {
        #expect(PNG.imageVersion == UInt32(PNG_IMAGE_VERSION))
        #expect(PNG.formatRGB == UInt32(PNG_FORMAT_RGB))
    }
}
