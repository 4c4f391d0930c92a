/// An MNIST-format data set: a training set and a test set of labelled 28x28 images.
///
/// Loads MNIST (http://yann.lecun.com/exdb/mnist/) and anything in its format, such as
/// Fashion-MNIST (Debian's `dataset-fashion-mnist` installs it in
/// `/usr/share/datasets/fashion-mnist/` under the same four names).
public struct MNIST: Sendable, Equatable {
    /// The 60000 training images and labels (for the real data).
    public let training: LabeledImages
    /// The 10000 test images and labels (for the real data).
    public let test: LabeledImages

    /// Pairs an already-loaded training and test set.
    public init(training: LabeledImages, test: LabeledImages) {
        self.training = training
        self.test = test
    }

    /// Loads the four standard files from `directory`, each raw or `.gz` (see ``MNISTFile``).
    ///
    /// Besides the checks of ``IDXReader``, images and labels must agree in count, and
    /// training and test images must be the same size. Labels may be any byte (MNIST's are
    /// 0–9, EMNIST's letters 1–26): only the evaluation and the scatter plot use them.
    ///
    /// - Throws: ``MNISTError`` or ``IDXError``, each naming the file at fault.
    public static func load(from directory: String) throws -> MNIST {
        let training = try loadCheckedSet(images: .trainingImages, labels: .trainingLabels, in: directory)
        let test = try loadCheckedSet(images: .testImages, labels: .testLabels, in: directory)
        guard training.set.rows == test.set.rows && training.set.columns == test.set.columns else {
            throw MNISTError.imageSizeMismatch(
                trainingPath: training.imagesPath, trainingSize: [training.set.rows, training.set.columns],
                testPath: test.imagesPath, testSize: [test.set.rows, test.set.columns])
        }
        return MNIST(training: training.set, test: test.set)
    }

    /// Loads one images file and its labels file and checks that they belong together.
    public static func loadSet(images: MNISTFile, labels: MNISTFile, in directory: String) throws -> LabeledImages {
        try loadCheckedSet(images: images, labels: labels, in: directory).set
    }

    private static func loadCheckedSet(
        images: MNISTFile, labels: MNISTFile, in directory: String
    ) throws -> (set: LabeledImages, imagesPath: String) {
        let (labelArray, labelsPath) = try read(labels, in: directory)
        let (imageArray, imagesPath) = try read(images, in: directory)
        guard imageArray.dimensions[0] == labelArray.dimensions[0] else {
            throw MNISTError.countMismatch(imagesPath: imagesPath, imageCount: imageArray.dimensions[0],
                                           labelsPath: labelsPath, labelCount: labelArray.dimensions[0])
        }
        let set = LabeledImages(rows: imageArray.dimensions[1], columns: imageArray.dimensions[2],
                                pixels: imageArray.bytes, labels: labelArray.bytes)
        return (set, imagesPath)
    }

    /// Reads `file` from `directory`, raw or `.gz`; when both copies are there, both, which
    /// must then hold the same array (after `gunzip -k` they do; two different data sets
    /// under one name would otherwise be chosen between silently).
    private static func read(_ file: MNISTFile, in directory: String) throws -> (array: IDXArray, path: String) {
        let paths = file.paths(in: directory)
        guard let first = paths.first else { throw MNISTError.missingFile(file, directory: directory) }
        let array = try IDXReader.read(contentsOf: first, as: file.kind)
        for other in paths.dropFirst() where try IDXReader.read(contentsOf: other, as: file.kind) != array {
            throw MNISTError.conflictingCopies(raw: first, gzip: other)
        }
        return (array, first)
    }

    /// Writes both sets into `directory` (which must exist) under the four standard names, with
    /// `.gz` when `compressed`, so tests and demos can make a small data set that ``load(from:)`` reads.
    ///
    /// - Throws: ``IDXError`` with reason ``IDXError/Reason/unwritable(_:)`` naming the file that failed.
    public func write(to directory: String, compressed: Bool = false) throws {
        let suffix = compressed ? ".gz" : ""
        for (set, imagesFile, labelsFile) in [(training, MNISTFile.trainingImages, MNISTFile.trainingLabels),
                                              (test, .testImages, .testLabels)] {
            try IDXWriter.write(IDXArray(dimensions: [set.count, set.rows, set.columns], bytes: set.pixels),
                                to: joinPath(directory, imagesFile.baseName + suffix), compressed: compressed)
            try IDXWriter.write(IDXArray(dimensions: [set.count], bytes: set.labels),
                                to: joinPath(directory, labelsFile.baseName + suffix), compressed: compressed)
        }
    }
}
