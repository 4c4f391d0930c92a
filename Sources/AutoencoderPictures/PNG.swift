import AutoencoderErrors
import CPNG
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A PNG file or PNG data that could not be written or read.
///
/// Its `description` is one sentence that names the file and says why, such as
/// "Cannot write reconstructions.png: the folder /x is not writable.", ready to show a person.
public struct PNGError: Error, AutoencoderError, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The file concerned, or nil for in-memory PNG data.
    public let url: URL?
    /// The whole message, one sentence ending in a full stop.
    public let description: String

    /// Makes an error with its file and complete message.
    public init(url: URL?, description: String) {
        self.url = url
        self.description = description
    }

    /// The message, for `localizedDescription`.
    public var errorDescription: String? { description }
}

/// Writing and reading 8-bit RGB PNG files through libpng's simplified API.
///
/// Writes are atomic: the picture goes to a hidden temporary file in the destination folder,
/// which is renamed onto the real name only once it is complete, so a reader never sees a
/// half-written picture and a failed write leaves nothing behind.
public enum PNG {
    /// libpng's `PNG_IMAGE_VERSION`: the version of `png_image` this code fills in.
    static let imageVersion: UInt32 = 1
    /// libpng's `PNG_FORMAT_RGB` (`PNG_FORMAT_FLAG_COLOR`): three 8-bit channels, R, G, B.
    static let formatRGB: UInt32 = 2
    /// The most pixels a PNG may have to be read or written: 2^27 (a square of 11585 pixels,
    /// 384 MiB as RGB), far more than any figure this package draws. A header may declare up to
    /// libpng's limit of 1000000x1000000 pixels, so a damaged or hostile one would otherwise
    /// make the reader allocate terabytes; the writer keeps to the same limit, so that every
    /// file it writes reads back.
    public static let maximumPixelCount = 1 << 27
    /// The longest side a PNG may have: libpng's own limit on reading and writing
    /// (`PNG_USER_WIDTH_MAX` and `PNG_USER_HEIGHT_MAX`), 1,000,000 pixels.
    public static let maximumSide = 1_000_000
    /// How many bytes deflate can expand one compressed byte into at most (a 258-byte match
    /// coded in 2 bits).
    static let deflateMaximumRatio = 1032

    /// Why an image of `width` x `height` pixels is too large to write, or `nil`.
    static func sizeProblem(width: Int, height: Int) -> String? {
        if width.multipliedReportingOverflow(by: height).overflow || width * height > maximumPixelCount {
            "the image has \(width)x\(height) pixels, more than the \(maximumPixelCount) a PNG may have here"
        } else if max(width, height) > maximumSide {
            "the image is \(width)x\(height) pixels, a side longer than the \(maximumSide) a PNG may have"
        } else {
            nil
        }
    }

    /// Writes `image` as an RGB PNG file at `url`, replacing any file already there.
    ///
    /// - Throws: ``PNGError`` when the image is empty or has more than ``maximumPixelCount``
    ///   pixels, the folder is missing or not writable, the disk is full, or libpng fails; the file at `url` is then left as it was, and no
    ///   temporary file remains.
    public static func write(_ image: RGBImage, to url: URL) throws {
        let name = url.lastPathComponent
        let folder = url.deletingLastPathComponent().path
        func failure(_ reason: String) -> PNGError {
            PNGError(url: url, description: "Cannot write \(name): \(reason).")
        }
        guard url.isFileURL else { throw failure("it is not a file location (\(url.absoluteString))") }
        guard image.width > 0, image.height > 0 else {
            throw failure("the image is empty (\(image.width)x\(image.height) pixels)")
        }
        if let problem = sizeProblem(width: image.width, height: image.height) { throw failure(problem) }

        let temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(name).\(getpid())-\(UInt32.random(in: 0 ... .max)).tmp").path
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw failure(folderProblem(errno, folder: folder)) }
        guard let file = fdopen(descriptor, "wb") else {
            let code = errno
            close(descriptor)
            unlink(temporaryPath)
            throw failure(systemMessage(code))
        }

        var header = png_image()
        header.version = imageVersion
        header.width = UInt32(image.width)
        header.height = UInt32(image.height)
        header.format = formatRGB
        errno = 0
        let written = image.bytes.withUnsafeBytes { pixels in
            png_image_write_to_stdio(&header, file, 0, pixels.baseAddress, 0, nil)
        }
        let writeCode = errno
        let libpngMessage = message(of: &header)
        png_image_free(&header)
        var problem: String? = nil
        if written == 0 {
            // libpng says only "Write Error" when the file's write failed: say why.
            problem = ferror(file) != 0 && writeCode != 0 ? diskProblem(writeCode) : "libpng failed (\(libpngMessage))"
        } else if fflush(file) != 0 || ferror(file) != 0 {
            problem = diskProblem(errno)
        } else if fsync(descriptor) != 0 {
            problem = diskProblem(errno)
        }
        let closeCode: Int32 = fclose(file) == 0 ? 0 : errno
        if problem == nil, closeCode != 0 { problem = diskProblem(closeCode) }
        if let problem {
            unlink(temporaryPath)
            throw failure(problem)
        }
        guard rename(temporaryPath, url.path) == 0 else {
            let code = errno
            unlink(temporaryPath)
            throw failure(code == EISDIR || code == ENOTEMPTY || code == EEXIST
                          ? "a folder of that name is in the way" : systemMessage(code))
        }
    }

    /// Reads the PNG file at `url` as an 8-bit RGB image.
    ///
    /// Any PNG libpng understands is accepted: grey, palette and 16-bit files are converted,
    /// and transparent pixels are composited onto white, as a viewer would show them.
    ///
    /// - Throws: ``PNGError`` when the file is missing, unreadable or not a valid PNG, or has
    ///   more than ``maximumPixelCount`` pixels or more than its size can hold.
    public static func read(from url: URL) throws -> RGBImage {
        let name = url.lastPathComponent
        func failure(_ reason: String) -> PNGError {
            PNGError(url: url, description: "Cannot read \(name): \(reason).")
        }
        guard url.isFileURL else { throw failure("it is not a file location (\(url.absoluteString))") }
        guard let file = fopen(url.path, "rb") else {
            let code = errno
            switch code {
            case ENOENT:
                throw failure("there is no such file in \(url.deletingLastPathComponent().path)")
            case EACCES, EPERM:
                throw failure("the file is not readable")
            default:
                throw failure(systemMessage(code))
            }
        }
        defer { fclose(file) }
        var header = png_image()
        header.version = imageVersion
        guard png_image_begin_read_from_stdio(&header, file) != 0 else {
            let detail = message(of: &header)
            png_image_free(&header)
            throw failure("it is not a valid PNG file (\(detail))")
        }
        var info = stat()
        let isRegularFile = fstat(fileno(file), &info) == 0 && info.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG)
        return try finishReading(&header, byteCount: isRegularFile ? Int(info.st_size) : nil, failure: failure)
    }

    /// The PNG file contents for `image`, built in memory — for tests, or to send elsewhere.
    ///
    /// - Throws: ``PNGError`` when the image is empty or has more than
    ///   ``maximumPixelCount`` pixels, or libpng fails.
    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        try encode(image.bytes, width: image.width, height: image.height, format: formatRGB)
    }

    /// The PNG file contents of a greyscale image, one byte per pixel row by row (`bytes`
    /// holds `width * height` of them): a third of an RGB image's data, for pictures
    /// without colour, such as a web page's embedded digits.
    ///
    /// - Throws: ``PNGError`` when the image is empty, `bytes` is not `width * height`
    ///   long, the image has more than ``maximumPixelCount`` pixels, or libpng fails.
    public static func encodeGray(width: Int, height: Int, bytes: [UInt8]) throws -> [UInt8] {
        guard width >= 0, height >= 0, bytes.count == width * height else {
            throw PNGError(url: nil, description: "Cannot encode a PNG image: \(bytes.count) bytes are not a \(width)x\(height) grey image.")
        }
        return try encode(bytes, width: width, height: height, format: formatGray)
    }

    /// libpng's simplified format of one 8-bit grey channel.
    static let formatGray: UInt32 = 0

    /// The PNG file contents of `bytes` in libpng's simplified `format`.
    private static func encode(_ bytes: [UInt8], width: Int, height: Int, format: UInt32) throws -> [UInt8] {
        func failure(_ reason: String) -> PNGError {
            PNGError(url: nil, description: "Cannot encode a PNG image: \(reason).")
        }
        guard width > 0, height > 0 else {
            throw failure("the image is empty (\(width)x\(height) pixels)")
        }
        if let problem = sizeProblem(width: width, height: height) { throw failure(problem) }
        var header = png_image()
        header.version = imageVersion
        header.width = UInt32(width)
        header.height = UInt32(height)
        header.format = format
        defer { png_image_free(&header) }
        var size = 0
        let measured = bytes.withUnsafeBytes { pixels in
            png_image_write_to_memory(&header, nil, &size, 0, pixels.baseAddress, 0, nil)
        }
        guard measured != 0, size > 0 else { throw failure("libpng failed (\(message(of: &header)))") }
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { memory in
            bytes.withUnsafeBytes { pixels in
                png_image_write_to_memory(&header, memory.baseAddress, &size, 0, pixels.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { throw failure("libpng failed (\(message(of: &header)))") }
        return Array(output.prefix(size))
    }

    /// Decodes PNG file contents held in memory into an 8-bit RGB image (transparent pixels
    /// composited onto white).
    ///
    /// - Throws: ``PNGError`` when `data` is not a valid PNG, or has more than
    ///   ``maximumPixelCount`` pixels or more than its size can hold.
    public static func decode(_ data: [UInt8]) throws -> RGBImage {
        func failure(_ reason: String) -> PNGError {
            PNGError(url: nil, description: "Cannot decode PNG data: \(reason).")
        }
        // libpng keeps a pointer to the data until the read finishes, so both steps happen
        // inside one access to the array's storage.
        return try data.withUnsafeBytes { memory in
            var header = png_image()
            header.version = imageVersion
            guard png_image_begin_read_from_memory(&header, memory.baseAddress, memory.count) != 0 else {
                let detail = message(of: &header)
                png_image_free(&header)
                throw failure("it is not a valid PNG (\(detail))")
            }
            return try finishReading(&header, byteCount: data.count, failure: failure)
        }
    }

    /// Completes a read begun with one of the `png_image_begin_read_from_*` functions on
    /// `byteCount` bytes of PNG (`nil` when unknown, as for a pipe).
    ///
    /// The size the header declares is checked before the pixels are allocated: against
    /// ``maximumPixelCount``, and against what the file can hold (its bytes, expanded by
    /// deflate's best ratio, at 8 pixels a byte), so a tiny file cannot claim gigabytes.
    private static func finishReading(_ header: inout png_image, byteCount: Int?,
                                      failure: (String) -> PNGError) throws -> RGBImage {
        let width = Int(header.width), height = Int(header.height)
        let pixels = width * height   // each below 2^31
        let capacity = byteCount.map { $0.multipliedReportingOverflow(by: 8 * deflateMaximumRatio) }
            .map { $0.overflow ? Int.max : $0.partialValue }
        if pixels > maximumPixelCount || pixels > capacity ?? .max {
            png_image_free(&header)
            throw failure("its header declares \(width)x\(height) pixels, more than "
                          + (pixels > maximumPixelCount ? "the \(maximumPixelCount) this reader accepts"
                                                        : "\(byteCount!) bytes of PNG can hold"))
        }
        header.format = formatRGB
        var bytes = [UInt8](repeating: 255, count: 3 * width * height)
        let finished = bytes.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&header, nil, buffer.baseAddress, 0, nil)
        }
        guard finished != 0 else {
            let detail = message(of: &header)
            png_image_free(&header)
            throw failure("its picture data is damaged (\(detail))")
        }
        png_image_free(&header)
        return RGBImage(width: width, height: height, bytes: bytes)!
    }

    /// The text libpng left in `png_image.message`.
    private static func message(of header: inout png_image) -> String {
        let text = withUnsafeBytes(of: &header.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "no reason given" : text
    }

    /// Why a file could not be created in `folder`, from the `errno` of `open`.
    private static func folderProblem(_ code: Int32, folder: String) -> String {
        switch code {
        case ENOENT: return "the folder \(folder) does not exist"
        case ENOTDIR: return "\(folder) is not a folder"
        case EACCES, EPERM: return "the folder \(folder) is not writable"
        case EROFS: return "the folder \(folder) is on a read-only file system"
        case ENOSPC, EDQUOT: return "the disk holding \(folder) is full"
        default: return systemMessage(code)
        }
    }

    /// Why writing or closing a file failed, from its `errno`.
    private static func diskProblem(_ code: Int32) -> String {
        code == ENOSPC || code == EDQUOT ? "the disk is full" : systemMessage(code)
    }

    /// The system's own wording for `errno` value `code`, starting in lowercase.
    private static func systemMessage(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst() + " (errno \(code))"
    }
}
