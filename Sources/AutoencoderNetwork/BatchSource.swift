import AutoencoderNumerics

/// A collection of samples that can copy any of them into a batch buffer.
///
/// The trainer asks for a batch by index, so a dataset can keep its own compact
/// storage (MNIST stays `UInt8`) and convert only the rows a step needs.
public protocol BatchSource {
    /// The number of samples.
    var count: Int { get }
    /// The number of features per sample.
    var width: Int { get }
    /// Writes the samples at `indices`, one row of ``width`` floats each, to `destination`.
    /// Called once per training step, so it should not allocate.
    func fillBatch(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>)
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
    public func fillBatch(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) {
        precondition(indices.allSatisfy { (0..<rows).contains($0) }, "A batch index is outside the matrix's \(rows) rows.")
        storage.withUnsafeBufferPointer { source in
            for (row, index) in indices.enumerated() {
                (destination + row * columns).update(from: source.baseAddress! + index * columns, count: columns)
            }
        }
    }
}
