import AutoencoderErrors
import Foundation

/// Why a directory of MNIST-format files does not make a usable data set, even though each
/// file is a valid IDX file (those errors are ``IDXError``s).
///
/// Its ``description`` is one sentence naming the files involved.
public enum MNISTError: Error, AutoencoderError, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// Neither accepted name of `file` (raw or `.gz`) exists in `directory`.
    case missingFile(MNISTFile, directory: String)
    /// An images file and its labels file disagree on how many items they hold.
    case countMismatch(imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
    /// Both a raw and a `.gz` copy of one file are there, holding different arrays: which
    /// one was meant cannot be told.
    case conflictingCopies(raw: String, gzip: String)
    /// The test images are not the same size as the training images.
    case imageSizeMismatch(trainingPath: String, trainingSize: [Int], testPath: String, testSize: [Int])

    /// One sentence naming the file or files and what is wrong.
    public var description: String {
        switch self {
        case .missingFile(let file, let directory):
            return "Neither \(file.acceptedNames[0]) nor \(file.acceptedNames[1]) exists in \(directory)."
        case .countMismatch(let imagesPath, let imageCount, let labelsPath, let labelCount):
            return "\(fileName(imagesPath)) holds \(imageCount) images but \(fileName(labelsPath))"
                + " holds \(labelCount) labels; they must match one to one."
        case .conflictingCopies(let raw, let gzip):
            let folder = parentFolder(of: raw)
            return "\(folder.isEmpty ? "The current folder" : folder) holds both \(fileName(raw)) and \(fileName(gzip)),"
                + " and they differ; remove the one that should not be used."
        case .imageSizeMismatch(let trainingPath, let trainingSize, let testPath, let testSize):
            return "\(fileName(testPath)) holds images of \(size(testSize)) but \(fileName(trainingPath))"
                + " holds images of \(size(trainingSize)); both sets must have one image size."
        }
    }

    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}

private func fileName(_ path: String) -> String { (path as NSString).lastPathComponent }

private func size(_ dimensions: [Int]) -> String { dimensions.map(String.init).joined(separator: "x") }
