import AutoencoderKernels
import CAutoencoderKernels

/// Where a data set's values live: bytes or floats in memory, or a memory-mapped array
/// file. The several readers each make one; ``Dataset`` reads every kind through this.
///
/// Values come out as stored ("raw"): a ``Dataset`` applies its ``Scaling`` afterwards.
/// A store of your own implements ``copyRawSamples(at:into:)`` on the views of the
/// low-level `AutoencoderKernels` module (import it to write one).
public protocol SampleStore: Sendable {
    /// The number of samples.
    var count: Int { get }
    /// The number of values per sample.
    var width: Int { get }
    /// Writes the raw values of the samples at `indices` to `destination`, one row of
    /// ``width`` floats each (`destination` has `indices.count` rows). Called for every
    /// training batch, so it must not allocate.
    func copyRawSamples(at indices: IndexView, into destination: MutableMatrixView)
    /// The raw value of feature `feature` of sample `index`: for fitting a scaler and
    /// describing the data, where speed matters less.
    func rawValue(sample index: Int, feature: Int) -> Float
}

extension SampleStore {
    /// ``copyRawSamples(at:into:)`` on buffers, as the readers and ``Dataset`` hold them.
    package func copyRawSamples(at indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) {
        copyRawSamples(at: IndexView(indices), into: MutableMatrixView(destination, rows: indices.count, columns: width))
    }
}

/// Samples stored as bytes, one after another (images: 0 black to 255 white).
public struct ByteSamples: SampleStore, Equatable {
    /// Every value, sample after sample.
    public let bytes: [UInt8]
    /// The number of values per sample.
    public let width: Int

    /// Wraps `bytes` as samples of `width` values; `bytes.count` must be a multiple of
    /// `width` (a programming error otherwise: the readers check files before this point).
    public init(bytes: [UInt8], width: Int) {
        precondition(width > 0 && bytes.count % width == 0, "\(bytes.count) bytes do not make samples of \(width)")
        self.bytes = bytes
        self.width = width
    }

    /// The number of samples.
    public var count: Int { bytes.count / width }

    /// Converts the bytes of the samples at `indices` to floats, unscaled.
    public func copyRawSamples(at indices: IndexView, into destination: MutableMatrixView) {
        let destination = destination.base
        bytes.withUnsafeBufferPointer { source in
            for (row, index) in indices.enumerated() {
                precondition(index >= 0 && index < count, "sample index \(index) is outside 0..<\(count)")
                let from = source.baseAddress! + index * width, to = destination + row * width
                for column in 0..<width { to[column] = Float(from[column]) }
            }
        }
    }

    /// Writes the samples at `indices` divided by 255 in one pass of the vectorised gather
    /// kernel: how image batches are made, exactly as the tutorial's pixels always were.
    func copyPixelsDividedBy255(at indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) {
        guard let first = indices.baseAddress, !indices.isEmpty else { return }
        for index in indices where index < 0 || index >= count {
            preconditionFailure("sample index \(index) is outside 0..<\(count)")
        }
        bytes.withUnsafeBufferPointer { source in
            ae_gather_normalized_images(source.baseAddress!, first, indices.count, width, destination)
        }
    }

    /// Byte `feature` of sample `index`, as a float.
    public func rawValue(sample index: Int, feature: Int) -> Float { Float(bytes[index * width + feature]) }
}

/// Samples stored as floats, one after another (tables, and arrays of any numeric type).
public struct FloatSamples: SampleStore, Equatable {
    /// Every value, sample after sample.
    public let values: [Float]
    /// The number of values per sample.
    public let width: Int

    /// Wraps `values` as samples of `width` values; `values.count` must be a multiple of `width`.
    public init(values: [Float], width: Int) {
        precondition(width > 0 && values.count % width == 0, "\(values.count) values do not make samples of \(width)")
        self.values = values
        self.width = width
    }

    /// The number of samples.
    public var count: Int { values.count / width }

    /// Copies the samples at `indices`.
    public func copyRawSamples(at indices: IndexView, into destination: MutableMatrixView) {
        let destination = destination.base
        values.withUnsafeBufferPointer { source in
            for (row, index) in indices.enumerated() {
                precondition(index >= 0 && index < count, "sample index \(index) is outside 0..<\(count)")
                (destination + row * width).update(from: source.baseAddress! + index * width, count: width)
            }
        }
    }

    /// Value `feature` of sample `index`.
    public func rawValue(sample index: Int, feature: Int) -> Float { values[index * width + feature] }
}
