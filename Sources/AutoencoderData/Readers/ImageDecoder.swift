import CJPEG
import CPNG

/// An image decoded to 8-bit values, rows top to bottom, each pixel's channels together.
struct DecodedImage: Sendable, Equatable {
    /// Pixels per row.
    let width: Int
    /// Rows.
    let height: Int
    /// 1 (grey) or 3 (red, green, blue).
    let channels: Int
    /// `height * width * channels` values.
    let pixels: [UInt8]
}

/// Decodes PNG (libpng) and JPEG (libjpeg) files to grey or RGB bytes: alpha is dropped,
/// palettes expanded, 16-bit samples reduced to 8.
enum ImageDecoder {
    /// The most pixels an image may have: 2^27, as for the package's PNG reader.
    static let maximumPixelCount = 1 << 27

    /// Decodes `data`, a PNG or a JPEG told apart by their signatures; the error is the
    /// end of a sentence about the file.
    static func decode(_ data: [UInt8]) -> Result<DecodedImage, DecodeFailure> {
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return decodePNG(data) }
        if data.starts(with: [0xFF, 0xD8]) { return decodeJPEG(data) }
        return .failure(DecodeFailure(reason: "it is neither a PNG nor a JPEG"))
    }

    /// Why a file did not decode: the end of a sentence.
    struct DecodeFailure: Error, Sendable { let reason: String }

    static func decodePNG(_ data: [UInt8]) -> Result<DecodedImage, DecodeFailure> {
        data.withUnsafeBytes { memory in
            var header = png_image()
            header.version = 1   // PNG_IMAGE_VERSION
            guard png_image_begin_read_from_memory(&header, memory.baseAddress, memory.count) != 0 else {
                let detail = message(&header)
                png_image_free(&header)
                return .failure(DecodeFailure(reason: "it is not a valid PNG (\(detail))"))
            }
            let width = Int(header.width), height = Int(header.height)
            let colour = header.format & 2 != 0   // PNG_FORMAT_FLAG_COLOR
            // 8-bit grey+alpha or RGBA (not premultiplied), so alpha can be dropped as is.
            let stored = colour ? 4 : 2
            guard width * height <= maximumPixelCount, width * height <= memory.count * 8 * 1032 else {
                png_image_free(&header)
                return .failure(DecodeFailure(reason: "its header declares \(width)x\(height) pixels, more than it can hold"))
            }
            header.format = colour ? 3 : 1   // PNG_FORMAT_RGBA : PNG_FORMAT_GA
            var buffer = [UInt8](repeating: 0, count: width * height * stored)
            let finished = buffer.withUnsafeMutableBytes { png_image_finish_read(&header, nil, $0.baseAddress, 0, nil) }
            guard finished != 0 else {
                let detail = message(&header)
                png_image_free(&header)
                return .failure(DecodeFailure(reason: "its picture data is damaged (\(detail))"))
            }
            png_image_free(&header)
            let channels = colour ? 3 : 1
            var pixels = [UInt8](repeating: 0, count: width * height * channels)
            for pixel in 0..<(width * height) {
                for channel in 0..<channels { pixels[pixel * channels + channel] = buffer[pixel * stored + channel] }
            }
            return .success(DecodedImage(width: width, height: height, channels: channels, pixels: pixels))
        }
    }

    static func decodeJPEG(_ data: [UInt8]) -> Result<DecodedImage, DecodeFailure> {
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0, channels: Int32 = 0
        var text = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBufferPointer { data in
            cjpeg_decode(data.baseAddress, UInt(data.count), maximumPixelCount, &pixels, &width, &height, &channels,
                         &text, text.count)
        }
        guard status == 0, let pixels else {
            let detail = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(DecodeFailure(reason: "it is not a JPEG that can be decoded (\(detail))"))
        }
        defer { free(pixels) }
        let count = Int(width) * Int(height) * Int(channels)
        guard channels == 1 || channels == 3 else {
            return .failure(DecodeFailure(reason: "it has \(channels) colour channels"))
        }
        return .success(DecodedImage(width: Int(width), height: Int(height), channels: Int(channels),
                                     pixels: Array(UnsafeBufferPointer(start: pixels, count: count))))
    }

    private static func message(_ header: inout png_image) -> String {
        let text = withUnsafeBytes(of: &header.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return text.isEmpty ? "no reason given" : text
    }
}
