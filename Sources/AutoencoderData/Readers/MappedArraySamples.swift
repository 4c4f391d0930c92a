#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import AutoencoderKernels

/// The samples of a NumPy array left where they are (a memory-mapped `.npy`, or an array
/// unzipped from an `.npz`), converted to floats only for the rows a batch asks for.
///
/// Any element type and byte order, C or Fortran order, and images stored channels-last
/// (`[n, h, w, c]`) are read through per-value byte offsets computed once, so a batch touches
/// only its own samples' pages: a 4 GB `.npy` trains in a few hundred megabytes.
///
/// A mapping larger than ``residentLimit`` is released from this process after every batch
/// (`madvise(MADV_DONTNEED)`: the pages stay in the system's file cache, so the next read of
/// them is cheap): otherwise an epoch would leave every page of the file resident, and a
/// 4 GB file would count 4 GB in the process's memory.
///
/// @unchecked Sendable: it only reads its bytes, which are a read-only mapping (or memory no
/// one else holds) that lives as long as this object; nothing in it changes after `init`.
public final class MappedArraySamples: SampleStore, @unchecked Sendable {
    /// The number of samples.
    public let count: Int
    /// The number of values per sample.
    public let width: Int
    /// The stored element type.
    public let elementType: NumPyElementType
    /// What keeps `base` alive: the mapped file or the unzipped bytes.
    private let owner: AnyObject
    /// The array's first data byte.
    private let base: UnsafeRawPointer
    /// The bytes from one sample's first value to the next's.
    private let sampleStride: Int
    /// For each value of a sample, in the sample's order, its byte offset from the sample's
    /// first value; `nil` when the values are consecutive (C order, no transposition).
    private let offsets: [Int]?
    /// The whole mapping, to release after each batch; `nil` when small or not mapped.
    private let releasable: UnsafeRawBufferPointer?
    /// Mappings above this size are released after every batch.
    static let residentLimit = 128 << 20

    /// A store over the array with `layout` whose data starts at `base`, kept alive by
    /// `owner`; `sampleAxes` lists the stored axes in the order a sample's values run
    /// (e.g. `[3, 1, 2]` for `[n, h, w, c]` read as `[c, h, w]`).
    init(owner: AnyObject, base: UnsafeRawPointer, layout: NumPyArrayLayout, sampleAxes: [Int],
         mapping: UnsafeRawBufferPointer? = nil) {
        self.owner = owner
        self.releasable = mapping.flatMap { $0.count > Self.residentLimit ? $0 : nil }
        #if os(Linux)
        // Batches take samples in a shuffled order: no read-ahead and no mapping of the
        // neighbouring pages on a fault (which otherwise left a fifth of a large file
        // resident between releases).
        if let releasable, let start = releasable.baseAddress {
            madvise(UnsafeMutableRawPointer(mutating: start), releasable.count, MADV_RANDOM)
        }
        #endif
        self.base = base
        self.elementType = layout.elementType
        let strides = layout.strides
        count = layout.shape[0]
        width = sampleAxes.reduce(1) { $0 * layout.shape[$1] }
        sampleStride = strides[0]
        let dims = sampleAxes.map { layout.shape[$0] }, steps = sampleAxes.map { strides[$0] }
        if !layout.fortranOrder && sampleAxes == Array(sampleAxes.sorted()) {
            offsets = nil
        } else {
            var offsets = [Int](repeating: 0, count: width)
            var index = [Int](repeating: 0, count: dims.count)
            for position in 0..<width {
                offsets[position] = zip(index, steps).reduce(0) { $0 + $1.0 * $1.1 }
                var axis = dims.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < dims[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
            self.offsets = offsets
        }
    }

    /// Converts the samples at `indices` to floats, unscaled.
    public func copyRawSamples(at indices: IndexView, into destination: MutableMatrixView) {
        let destination = destination.base
        let type = elementType, size = type.size
        for (row, index) in indices.enumerated() {
            precondition(index >= 0 && index < count, "sample index \(index) is outside 0..<\(count)")
            let sample = base + index * sampleStride, to = destination + row * width
            if let offsets {
                offsets.withUnsafeBufferPointer { offsets in
                    for column in 0..<width { to[column] = type.load(sample, at: offsets[column]) }
                }
            } else if type.kind == .float && size == 4 && !type.bigEndian {
                UnsafeMutableRawPointer(to).copyMemory(from: sample, byteCount: width * 4)
            } else if type.isUInt8 {
                let bytes = sample.assumingMemoryBound(to: UInt8.self)
                for column in 0..<width { to[column] = Float(bytes[column]) }
            } else {
                for column in 0..<width { to[column] = type.load(sample, at: column * size) }
            }
        }
        releasePages()
    }

    /// Drops the mapping's pages from this process (a read-only file mapping: a later read
    /// faults them back in from the file cache, so concurrent readers are unaffected).
    private func releasePages() {
        #if os(Linux)
        guard let releasable, let start = releasable.baseAddress else { return }
        madvise(UnsafeMutableRawPointer(mutating: start), releasable.count, MADV_DONTNEED)
        #endif
    }

    /// Value `feature` of sample `index`.
    public func rawValue(sample index: Int, feature: Int) -> Float {
        type(of: self).value(base + index * sampleStride, at: offsets?[feature] ?? feature * elementType.size, elementType)
    }

    private static func value(_ sample: UnsafeRawPointer, at offset: Int, _ type: NumPyElementType) -> Float {
        type.load(sample, at: offset)
    }
}

/// Bytes unzipped from an `.npz`, owned for a ``MappedArraySamples``.
final class OwnedBytes: @unchecked Sendable {
    /// The bytes (never written after `init`).
    let bytes: UnsafeMutableRawBufferPointer

    /// Copies `array`.
    init(_ array: [UInt8]) {
        bytes = .allocate(byteCount: max(array.count, 1), alignment: 64)
        array.withUnsafeBytes { bytes.copyMemory(from: $0) }
    }

    deinit { bytes.deallocate() }
}
