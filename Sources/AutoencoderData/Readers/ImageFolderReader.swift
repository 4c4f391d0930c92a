import Dispatch
import Foundation
import AutoencoderSerialization

/// Why a folder of images could not be read: one sentence naming the folder or the file.
public struct ImageFolderError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// The folder does not exist.
        case missing
        /// The path is a file, not a folder.
        case notFolder
        /// No `.png`, `.jpg` or `.jpeg` file is in the folder or its class subfolders.
        case noImages
        /// A file with an image extension could not be read or decoded; `why` ends the sentence.
        case undecodable(file: String, why: String)
        /// An image's size differs from the first image's, and no size was given to resize to.
        case sizeMismatch(file: String, height: Int, width: Int, firstFile: String, firstHeight: Int, firstWidth: Int)
    }

    /// The folder's path as given.
    public let path: String
    /// What went wrong.
    public let reason: Reason

    /// An error for the folder at `path`.
    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// One sentence naming the folder or file.
    public var description: String {
        let folder = (path as NSString).lastPathComponent
        switch reason {
        case .missing: return "The image folder \(folder) does not exist."
        case .notFolder: return "\(folder) is a file, not a folder of images."
        case .noImages: return "The folder \(folder) holds no .png, .jpg or .jpeg files, neither directly nor in class subfolders."
        case .undecodable(let file, let why): return "\(file) in \(folder) cannot be read as an image: \(why)."
        case .sizeMismatch(let file, let h, let w, let first, let fh, let fw):
            return "\(file) in \(folder) is \(w)x\(h) pixels but \(first) is \(fw)x\(fh);"
                + " give --image-size to resize them all to one size."
        }
    }

    /// The same sentence, for Foundation.
    public var errorDescription: String? { description }
}

/// Reads a folder of PNG and JPEG images as a data set of images `[channels, height, width]`,
/// stored as bytes with ``Scaling/pixels``.
///
/// - One subfolder per class (as torchvision's `ImageFolder`): class names are the subfolder
///   names sorted, each image labelled with its folder's index; images are found in each
///   class folder and below it. Without subfolders, the folder's own images, unlabelled.
/// - Files are taken by extension (`.png`, `.jpg`, `.jpeg`, any case) in sorted path order;
///   other files and hidden ones (a leading dot) are ignored; an image file that does not
///   decode is an error naming it.
/// - Colour: 3 channels if any image is in colour (grey images then repeat their value in
///   all three), else 1. Alpha is dropped, palettes expanded, 16-bit samples cut to 8.
/// - Size: every image must have the first's size, unless `imageSize` is given, when the
///   others are resized to it bilinearly (the centres of pixels aligned, as PIL's and
///   OpenCV's bilinear resize without antialiasing).
/// Files are decoded on all cores.
public enum ImageFolderReader {
    /// The extensions read, lowercased.
    static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Reads the folder at `folder`.
    ///
    /// - Throws: ``ImageFolderError`` naming the folder or the file at fault.
    public static func read(folder: String, imageSize: ImageSize? = nil) throws -> Dataset {
        func failure(_ reason: ImageFolderError.Reason) -> ImageFolderError { ImageFolderError(path: folder, reason: reason) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else { throw failure(.missing) }
        guard isFolder.boolValue else { throw failure(.notFolder) }
        let top = try visibleEntries(of: folder)
        let classFolders = top.filter { isDirectory(folder + "/" + $0) }
        var files: [(relative: String, label: Int?)] = []
        if classFolders.isEmpty {
            files = top.filter(isImageName).map { ($0, nil) }
        } else {
            for (label, name) in classFolders.enumerated() {
                files += try imageFiles(under: folder + "/" + name, relative: name).map { ($0, label) }
            }
        }
        guard !files.isEmpty else { throw failure(.noImages) }

        let decoded = decodeAll(files.map { folder + "/" + $0.relative })
        var images: [DecodedImage] = []
        images.reserveCapacity(files.count)
        for (index, result) in decoded.enumerated() {
            switch result {
            case .success(let image): images.append(image)
            case .failure(let error): throw failure(.undecodable(file: files[index].relative, why: error.reason))
            }
        }
        let height = imageSize?.height ?? images[0].height, width = imageSize?.width ?? images[0].width
        if imageSize == nil, let odd = images.firstIndex(where: { $0.height != height || $0.width != width }) {
            throw failure(.sizeMismatch(file: files[odd].relative, height: images[odd].height, width: images[odd].width,
                                        firstFile: files[0].relative, firstHeight: height, firstWidth: width))
        }
        let channels = images.contains { $0.channels == 3 } ? 3 : 1
        let plane = height * width, sampleWidth = channels * plane
        var pixels = [UInt8](repeating: 0, count: images.count * sampleWidth)
        for (index, original) in images.enumerated() {
            let image = original.height == height && original.width == width ? original
                : resize(original, height: height, width: width)
            // Channels first: each channel's plane in turn.
            for channel in 0..<channels {
                let source = image.channels == 1 ? 0 : channel
                let target = index * sampleWidth + channel * plane
                for pixel in 0..<plane { pixels[target + pixel] = image.pixels[pixel * image.channels + source] }
            }
            images[index] = DecodedImage(width: 0, height: 0, channels: 1, pixels: [])   // free as we go
        }
        let labels = files.allSatisfy { $0.label != nil } ? files.map { $0.label! } : nil
        return Dataset(sampleShape: [channels, height, width], store: ByteSamples(bytes: pixels, width: sampleWidth),
                       labels: labels, classNames: classFolders.isEmpty ? nil : classFolders,
                       scaling: .pixels, origin: folder)
    }

    /// Decodes every file, on all cores.
    private static func decodeAll(_ paths: [String]) -> [Result<DecodedImage, ImageDecoder.DecodeFailure>] {
        let slots = UnsafeMutablePointer<Result<DecodedImage, ImageDecoder.DecodeFailure>>.allocate(capacity: paths.count)
        defer { slots.deinitialize(count: paths.count); slots.deallocate() }
        let job = DecodeJob(paths: paths, slots: slots)
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let result: Result<DecodedImage, ImageDecoder.DecodeFailure>
            do { result = ImageDecoder.decode(try FileBytes.read(path: job.paths[index])) } catch {
                result = .failure(ImageDecoder.DecodeFailure(reason: "\(error)"))
            }
            (job.slots + index).initialize(to: result)
        }
        return Array(UnsafeBufferPointer(start: slots, count: paths.count))
    }

    /// What each decoding thread needs. @unchecked Sendable: each writes only its own slot.
    private struct DecodeJob: @unchecked Sendable {
        let paths: [String]
        let slots: UnsafeMutablePointer<Result<DecodedImage, ImageDecoder.DecodeFailure>>
    }

    /// `image` resized bilinearly to `height` x `width`, pixel centres aligned.
    static func resize(_ image: DecodedImage, height: Int, width: Int) -> DecodedImage {
        let c = image.channels
        var out = [UInt8](repeating: 0, count: height * width * c)
        let scaleY = Double(image.height) / Double(height), scaleX = Double(image.width) / Double(width)
        for y in 0..<height {
            let sy = min(max((Double(y) + 0.5) * scaleY - 0.5, 0), Double(image.height - 1))
            let y0 = Int(sy), y1 = min(y0 + 1, image.height - 1), fy = sy - Double(y0)
            for x in 0..<width {
                let sx = min(max((Double(x) + 0.5) * scaleX - 0.5, 0), Double(image.width - 1))
                let x0 = Int(sx), x1 = min(x0 + 1, image.width - 1), fx = sx - Double(x0)
                for k in 0..<c {
                    func p(_ yy: Int, _ xx: Int) -> Double { Double(image.pixels[(yy * image.width + xx) * c + k]) }
                    let top = p(y0, x0) * (1 - fx) + p(y0, x1) * fx
                    let bottom = p(y1, x0) * (1 - fx) + p(y1, x1) * fx
                    out[(y * width + x) * c + k] = UInt8(min(255, max(0, (top * (1 - fy) + bottom * fy).rounded())))
                }
            }
        }
        return DecodedImage(width: width, height: height, channels: c, pixels: out)
    }

    private static func visibleEntries(of folder: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder)
                .filter { !$0.hasPrefix(".") }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        } catch {
            throw ImageFolderError(path: folder, reason: .undecodable(file: folder, why: "the folder cannot be listed"))
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    private static func isImageName(_ name: String) -> Bool {
        extensions.contains((name as NSString).pathExtension.lowercased())
    }

    /// The image files under `folder`, as paths starting with `relative`, sorted.
    private static func imageFiles(under folder: String, relative: String) throws -> [String] {
        var found: [String] = []
        for name in try visibleEntries(of: folder) {
            let path = folder + "/" + name
            if isDirectory(path) { found += try imageFiles(under: path, relative: relative + "/" + name) }
            else if isImageName(name) { found.append(relative + "/" + name) }
        }
        return found
    }
}
