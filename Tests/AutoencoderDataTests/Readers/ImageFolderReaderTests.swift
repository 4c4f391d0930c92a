import CJPEG
import CPNG
import Foundation
import Testing
@testable import AutoencoderData

/// A PNG of `width` x `height` pixels in libpng's simplified `format` (0 grey, 1 grey+alpha,
/// 2 RGB, 3 RGBA, +4 for 16-bit linear, +8 for a palette image whose `pixels` index `palette`,
/// entries in the format without the +8).
func pngBytes(width: Int, height: Int, format: UInt32, pixels: [UInt8], palette: [UInt8]? = nil) -> [UInt8] {
    var image = png_image()
    image.version = 1
    image.width = UInt32(width)
    image.height = UInt32(height)
    image.format = format
    let entries = palette ?? []
    image.colormap_entries = UInt32(entries.count / (format & 2 != 0 ? 3 : 1))
    var size = 0
    pixels.withUnsafeBytes { pixels in
        entries.withUnsafeBytes { map in
            _ = png_image_write_to_memory(&image, nil, &size, 0, pixels.baseAddress, 0, palette == nil ? nil : map.baseAddress)
        }
    }
    var output = [UInt8](repeating: 0, count: size)
    pixels.withUnsafeBytes { pixels in
        entries.withUnsafeBytes { map in
            output.withUnsafeMutableBytes {
                _ = png_image_write_to_memory(&image, $0.baseAddress, &size, 0, pixels.baseAddress, 0,
                                              palette == nil ? nil : map.baseAddress)
            }
        }
    }
    png_image_free(&image)
    return Array(output.prefix(size))
}

/// A JPEG of quality 100 of `width` x `height` pixels of `channels` (1 or 3).
func jpegBytes(width: Int, height: Int, channels: Int, pixels: [UInt8]) -> [UInt8] {
    var output: UnsafeMutablePointer<UInt8>?
    var size: UInt = 0
    _ = pixels.withUnsafeBufferPointer { cjpeg_encode($0.baseAddress, Int32(width), Int32(height), Int32(channels), 100, &output, &size) }
    defer { free(output) }
    return Array(UnsafeBufferPointer(start: output, count: Int(size)))
}

@Suite struct ImageFolderReaderTests {
    @Test func classSubfoldersGiveSortedLabelsAndChannelsFirst() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("dog"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.file("cat"), withIntermediateDirectories: true)
        // A 2x1 RGB image: red then blue; and a grey one, replicated into three channels.
        try directory.write(pngBytes(width: 2, height: 1, format: 2, pixels: [255, 0, 0, 0, 0, 255]), to: "dog/a.png")
        try directory.write(pngBytes(width: 2, height: 1, format: 0, pixels: [10, 20]), to: "cat/b.PNG")
        try directory.write(Array("notes".utf8), to: "cat/README")
        try directory.write([1, 2, 3], to: "cat/.hidden.png")
        let data = try ImageFolderReader.read(folder: directory.path)
        #expect(data.classNames == ["cat", "dog"])
        #expect(data.labels == [0, 1])
        #expect(data.sampleShape == [3, 1, 2])
        #expect(data.scaling == .pixels)
        let bytes = (data.store as! ByteSamples).bytes
        #expect(bytes == [10, 20, 10, 20, 10, 20, 255, 0, 0, 0, 0, 255])
    }

    @Test func aFlatFolderOfGreyImagesHasNoLabels() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(pngBytes(width: 1, height: 2, format: 1, pixels: [7, 0, 9, 255]), to: "x.png")   // alpha dropped
        try directory.write(pngBytes(width: 1, height: 2, format: 4, pixels: [0, 0, 255, 255]), to: "y.png") // 16-bit
        let data = try ImageFolderReader.read(folder: directory.path)
        #expect(data.labels == nil)
        #expect(data.sampleShape == [1, 2, 1])
        let bytes = (data.store as! ByteSamples).bytes
        #expect(Array(bytes.prefix(2)) == [7, 9])
        #expect(Array(bytes.suffix(2)) == [0, 255])
    }

    @Test func paletteImagesAreExpandedToTheirColours() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A 3x1 image of palette indices 2, 0, 1 over red, green, blue.
        let png = pngBytes(width: 3, height: 1, format: 2 | 8, pixels: [2, 0, 1], palette: [255, 0, 0, 0, 255, 0, 0, 0, 255])
        #expect(png.count > 8 && png[25] == 3)  // IHDR's colour type: palette
        try directory.write(png, to: "p.png")
        let data = try ImageFolderReader.read(folder: directory.path)
        #expect(data.sampleShape == [3, 1, 3])
        #expect((data.store as! ByteSamples).bytes == [0, 255, 0, 0, 0, 255, 255, 0, 0])
    }

    @Test func jpegGreyAndColourDecode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(jpegBytes(width: 8, height: 8, channels: 3, pixels: [UInt8](repeating: 0, count: 8 * 8 * 3).enumerated().map { $0.offset % 3 == 0 ? 200 : 40 }),
                            to: "a.jpg")
        try directory.write(jpegBytes(width: 8, height: 8, channels: 1, pixels: [UInt8](repeating: 128, count: 64)), to: "b.jpeg")
        let data = try ImageFolderReader.read(folder: directory.path)
        #expect(data.sampleShape == [3, 8, 8])
        let bytes = (data.store as! ByteSamples).bytes
        #expect(abs(Int(bytes[0]) - 200) <= 3 && abs(Int(bytes[64]) - 40) <= 3)
        #expect(bytes[(3 * 64)...].allSatisfy { abs(Int($0) - 128) <= 2 })
    }

    @Test func sizesMustAgreeUnlessAResizeIsAsked() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(pngBytes(width: 2, height: 2, format: 0, pixels: [0, 0, 0, 0]), to: "a.png")
        try directory.write(pngBytes(width: 4, height: 4, format: 0, pixels: [UInt8](repeating: 100, count: 16)), to: "b.png")
        #expect(throws: ImageFolderError(path: directory.path, reason: .sizeMismatch(file: "b.png", height: 4, width: 4,
                                                                                      firstFile: "a.png", firstHeight: 2, firstWidth: 2))) {
            try ImageFolderReader.read(folder: directory.path)
        }
        let data = try ImageFolderReader.read(folder: directory.path, imageSize: ImageSize(height: 2, width: 2))
        #expect((data.store as! ByteSamples).bytes == [0, 0, 0, 0, 100, 100, 100, 100])
    }

    @Test func badFoldersAndFilesAreNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: ImageFolderError(path: directory.path, reason: .noImages)) { try ImageFolderReader.read(folder: directory.path) }
        try directory.write(Array("not a png".utf8), to: "broken.png")
        do {
            _ = try ImageFolderReader.read(folder: directory.path)
            Issue.record("a broken file was read")
        } catch {
            #expect("\(error)".hasPrefix("broken.png in "))
            #expect("\(error)".hasSuffix("cannot be read as an image: it is neither a PNG nor a JPEG."))
        }
        try directory.write([0xFF, 0xD8, 0xFF, 0xE0, 0, 0], to: "broken.png")
        #expect(throws: ImageFolderError.self) { try ImageFolderReader.read(folder: directory.path) }
        #expect(throws: ImageFolderError(path: directory.file("none"), reason: .missing)) {
            try ImageFolderReader.read(folder: directory.file("none"))
        }
    }
}
