import AutoencoderKernels
import AutoencoderNumerics

/// A collection of samples that can copy any of them into a batch buffer.
///
/// The trainer asks for a batch by index, so a dataset can keep its own compact
/// storage (MNIST stays `UInt8`) and convert only the rows a step needs. `Matrix`,
/// `Dataset` and `LabeledImages` are batch sources; a type of your own becomes one with
/// ``count``, ``width`` and ``fillBatch(_:into:)``, whose destination is a view of the
/// low-level `AutoencoderKernels` module (import it to write one).
public protocol BatchSource {
    /// The number of samples.
    var count: Int { get }
    /// The number of features per sample.
    var width: Int { get }
    /// Writes the samples at `indices` to `destination`, one row of ``width`` floats each:
    /// `destination` has `indices.count` rows. Called once per training step, so it should
    /// not allocate.
    func fillBatch(_ indices: ArraySlice<Int>, into destination: MutableMatrixView)
    /// When every sample is an image stored row by row, its height and width (their product
    /// is ``width``); `nil` for other data. The trainer then lets the first layer's
    /// zero-skipping weight gradient take the pixels patch by patch (``PixelPatches``),
    /// which skips more of an image's zeros.
    var imageSize: (height: Int, width: Int)? { get }
}

extension BatchSource {
    /// No image layout known, so the trainer keeps the inputs in their natural order.
    public var imageSize: (height: Int, width: Int)? { nil }
}

extension Matrix: BatchSource {
    /// The number of rows.
    public var count: Int { rows }
    /// The number of columns.
    public var width: Int { columns }

    /// Copies the rows at `indices`, in that order, into `destination`.
    public func fillBatch(_ indices: ArraySlice<Int>, into destination: MutableMatrixView) {
        precondition(indices.allSatisfy { (0..<rows).contains($0) }, "A batch index is outside the matrix's \(rows) rows.")
        precondition(destination.rows == indices.count && destination.columns == columns,
                     "A batch of \(indices.count) rows of \(columns) does not fit a \(destination.rows)x\(destination.columns) destination.")
        storage.withUnsafeBufferPointer { source in
            for (row, index) in indices.enumerated() {
                (destination.base + row * columns).update(from: source.baseAddress! + index * columns, count: columns)
            }
        }
    }
}

/// Some of another batch source's samples, by index, without copying them: a validation
/// split's training part, which the trainer shuffles and batches like any data set.
///
/// Sample `i` is the base's sample `indices[i]`. ``fillBatch(_:into:)`` maps a batch's indices
/// into a buffer of its own (allocated on the first batch of a size, then reused) and hands
/// them to the base, so a step still allocates nothing. Copies share that buffer: use one
/// subset from one thread at a time.
public struct BatchSubset<Base: BatchSource>: BatchSource {
    /// The data set the samples come from.
    public let base: Base
    /// The base's indices of the samples, in the subset's order.
    public let indices: [Int]
    /// The buffer of a batch's mapped indices.
    private let scratch = IndexBuffer()

    /// The samples of `base` at `indices` (each in `0..<base.count`, else a programming error).
    public init(_ base: Base, indices: [Int]) {
        precondition(indices.allSatisfy { (0..<base.count).contains($0) },
                     "A subset's index is outside the data's \(base.count) samples.")
        self.base = base
        self.indices = indices
    }

    /// The number of samples in the subset.
    public var count: Int { indices.count }
    /// The base's width.
    public var width: Int { base.width }
    /// The base's image size.
    public var imageSize: (height: Int, width: Int)? { base.imageSize }

    /// Writes the subset's samples at `batch` (subset positions) by the base's `fillBatch`.
    public func fillBatch(_ batch: ArraySlice<Int>, into destination: MutableMatrixView) {
        if scratch.indices.count < batch.count { scratch.indices = [Int](repeating: 0, count: batch.count) }
        indices.withUnsafeBufferPointer { indices in
            scratch.indices.withUnsafeMutableBufferPointer { mapped in
                for (position, index) in batch.enumerated() {
                    precondition(index >= 0 && index < indices.count, "A batch index is outside the subset's \(indices.count) samples.")
                    mapped[position] = indices[index]
                }
            }
        }
        base.fillBatch(scratch.indices[0..<batch.count], into: destination)
    }

    /// A growable array of indices, reused from batch to batch (it only grows).
    private final class IndexBuffer {
        var indices: [Int] = []
    }
}
