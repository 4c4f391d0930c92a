import Foundation

/// CIFAR-10, binary version: 50000 training and 10000 test colour images, 32x32, in 10
/// classes (https://www.cs.toronto.edu/~kriz/cifar.html).
///
/// Each record of a batch file is one label byte and 3072 pixel bytes: the red, green and
/// blue planes of 32x32 each (channels first).
public enum CIFAR10 {
    /// Images of one split, channels first.
    public struct Images: Sendable, Equatable {
        /// The number of images.
        public var count: Int { labels.count }
        /// `count` x 3 x 32 x 32 bytes: each image's red, green and blue planes.
        public var pixels: [UInt8]
        /// Each image's class, 0–9, an index into ``CIFAR10/classNames``.
        public var labels: [UInt8]

        /// Pairs pixels and labels (3072 pixel bytes per label).
        public init(pixels: [UInt8], labels: [UInt8]) {
            precondition(pixels.count == labels.count * CIFAR10.pixelsPerImage, "3072 pixel bytes per label.")
            self.pixels = pixels
            self.labels = labels
        }
    }

    /// The ten classes, by label.
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"]
    /// Channels, height and width of every image.
    public static let imageShape = (channels: 3, height: 32, width: 32)
    /// Bytes of pixels per image: 3 x 32 x 32.
    public static let pixelsPerImage = 3 * 32 * 32
    /// The training batches' file names.
    public static let trainingFileNames = (1...5).map { "data_batch_\($0).bin" }
    /// The test batch's file name.
    public static let testFileName = "test_batch.bin"
    /// Every file ``load(from:)`` reads.
    public static let fileNames = trainingFileNames + [testFileName]

    /// The training set (`data_batch_1.bin` to `data_batch_5.bin`, in order) and the test set
    /// (`test_batch.bin`) from `folder` (the one `datasets fetch cifar10` fills), as data sets
    /// of 3x32x32 byte images scaled to [0, 1], labelled with ``classNames``.
    ///
    /// - Throws: ``DatasetError/unusableFile(path:reason:)`` for a missing file, a size that
    ///   is not whole records, or a label above 9.
    public static func load(from folder: URL) throws -> (training: Dataset, test: Dataset) {
        let images = try loadImages(from: folder)
        func dataset(_ set: Images, _ origin: String) -> Dataset {
            Dataset(sampleShape: [imageShape.channels, imageShape.height, imageShape.width],
                    store: ByteSamples(bytes: set.pixels, width: pixelsPerImage), labels: set.labels.map(Int.init),
                    classNames: classNames, scaling: .pixels, origin: origin)
        }
        return (dataset(images.training, "cifar10 training set in \(folder.path)"),
                dataset(images.test, "cifar10 test set in \(folder.path)"))
    }

    /// The six batch files' bytes as they are: pixels (n x 3 x 32 x 32) and labels (0–9).
    public static func loadImages(from folder: URL) throws -> (training: Images, test: Images) {
        var training = Images(pixels: [], labels: [])
        for name in trainingFileNames {
            let batch = try readBatch(folder.appendingPathComponent(name).path)
            training.pixels += batch.pixels
            training.labels += batch.labels
        }
        let test = try readBatch(folder.appendingPathComponent(testFileName).path)
        return (training, test)
    }

    /// Reads one batch file: whole records of a label byte and 3072 pixel bytes.
    public static func readBatch(_ path: String) throws -> Images {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.unusableFile(path: path, reason: "it does not exist or cannot be read")
        }
        let record = 1 + pixelsPerImage
        guard !data.isEmpty, data.count % record == 0 else {
            throw DatasetError.unusableFile(path: path, reason: "its \(data.count) bytes are not whole records of \(record) (a label and 3x32x32 pixels)")
        }
        let count = data.count / record
        var pixels = [UInt8](repeating: 0, count: count * pixelsPerImage)
        var labels = [UInt8](repeating: 0, count: count)
        data.withUnsafeBytes { bytes in
            pixels.withUnsafeMutableBytes { out in
                for index in 0..<count {
                    labels[index] = bytes[index * record]
                    out.baseAddress!.advanced(by: index * pixelsPerImage)
                        .copyMemory(from: bytes.baseAddress!.advanced(by: index * record + 1), byteCount: pixelsPerImage)
                }
            }
        }
        if let bad = labels.first(where: { $0 > 9 }) {
            throw DatasetError.unusableFile(path: path, reason: "it holds the label \(bad); CIFAR-10's are 0 to 9")
        }
        return Images(pixels: pixels, labels: labels)
    }
}
