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
/// A mapped file larger than `residentLimit` is kept out of the process's memory: samples
/// stored one after another are copied with `pread` (the pages stay in the system's file
/// cache and are never mapped: touching the mapping would map whole neighbourhoods of
/// cached pages on every fault, hundreds of megabytes a batch on a 4 GB file; a run of
/// consecutive samples, as scoring reads them, in one call, past the file cache when over a
/// megabyte), and samples spread over the file (Fortran order, channels last) are read
/// through the mapping, which is released after every batch (`madvise(MADV_DONTNEED)`).
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
    /// The whole mapping, to release after each batch; `nil` when small, not mapped, or
    /// read with `pread`.
    private let releasable: UnsafeRawBufferPointer?
    /// The open file (also opened for reads past the file cache, or -1; this store closes
    /// that one) and the byte offset of the array's data in it, when samples are copied
    /// with `pread`.
    private let fileReads: (descriptor: Int32, uncached: Int32, dataOffset: Int)?
    /// Mapped files above this size are kept out of the process's memory.
    static let residentLimit = 128 << 20

    /// A store over the array with `layout` whose data starts at `base`, kept alive by
    /// `owner`; `sampleAxes` lists the stored axes in the order a sample's values run
    /// (e.g. `[3, 1, 2]` for `[n, h, w, c]` read as `[c, h, w]`). `file` is the mapped file
    /// `base` points into, if any.
    init(owner: AnyObject, base: UnsafeRawPointer, layout: NumPyArrayLayout, sampleAxes: [Int],
         file: MappedFile? = nil) {
        self.owner = owner
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
        let large = file.flatMap { $0.isMapped && $0.bytes.count > Self.residentLimit ? $0 : nil }
        if let large, offsets == nil, let start = large.bytes.baseAddress {
            fileReads = (large.descriptor, large.openUncached(), base - start)
            releasable = nil
        } else {
            fileReads = nil
            releasable = large?.bytes
            #if os(Linux)
            // Batches take samples in a shuffled order: no read-ahead.
            if let releasable, let start = releasable.baseAddress {
                madvise(UnsafeMutableRawPointer(mutating: start), releasable.count, MADV_RANDOM)
            }
            #endif
        }
    }

    deinit {
        if let fileReads, fileReads.uncached >= 0 { close(fileReads.uncached) }
    }

    /// Converts the samples at `indices` to floats, unscaled.
    public func copyRawSamples(at indices: IndexView, into destination: MutableMatrixView) {
        let destination = destination.base
        if let fileReads { return readSamples(at: indices, from: fileReads, into: destination) }
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

    /// Copies the samples at `indices` with `pread`, converting when they are not
    /// little-endian float32. Float32 samples at consecutive indices (a chunk of samples
    /// scored in order) are read with one call per run of up to `readRunBytes`, straight into
    /// their rows: from the disk, reading a 1.9 GB file a sample at a time took 1.4 s of
    /// system time, in 3 MB reads 0.4 s. Others go a sample at a time through a buffer of
    /// one sample.
    private func readSamples(at indices: IndexView, from file: (descriptor: Int32, uncached: Int32, dataOffset: Int),
                             into destination: UnsafeMutablePointer<Float>) {
        let type = elementType, byteCount = width * type.size
        let direct = type.kind == .float && type.size == 4 && !type.bigEndian
        let runLimit = direct ? Swift.max(1, Self.readRunBytes / Swift.max(byteCount, 1)) : 1
        withUnsafeTemporaryAllocation(byteCount: direct ? 1 : byteCount, alignment: 16) { scratch in
            var row = 0
            while row < indices.count {
                let first = indices[row]
                precondition(first >= 0 && first < count, "sample index \(first) is outside 0..<\(count)")
                var run = 1
                while run < runLimit && row + run < indices.count && indices[row + run] == first + run && first + run < count {
                    run += 1
                }
                let to = destination + row * width
                let buffer = direct ? UnsafeMutableRawPointer(to) : scratch.baseAddress!
                // The samples are stored one after another (sampleStride == byteCount).
                let offset = file.dataOffset + first * sampleStride
                if !(direct && byteCount * run >= Self.directReadMinimum
                     && Self.readPastCache(file.uncached, into: buffer, count: byteCount * run, at: offset)) {
                    Self.read(file.descriptor, into: buffer, count: byteCount * run, at: offset)
                }
                if !direct {
                    let source = UnsafeRawPointer(buffer)
                    for value in 0..<(width * run) { to[value] = type.load(source, at: value * type.size) }
                }
                row += run
            }
        }
    }

    /// The most bytes one `pread` of consecutive samples asks for.
    static let readRunBytes = 4 << 20
    /// Runs at least this long are read past the file cache when the file allows it.
    static let directReadMinimum = 1 << 20
    /// The alignment of reads past the file cache: of their offset, length and buffer (a
    /// multiple of every disk's logical block).
    static let directReadAlignment = 4096

    /// Reads `count` bytes at `offset` with `descriptor` opened `O_DIRECT`: the disk's data
    /// goes straight into memory of the process, not through the file cache, which costs the
    /// reading thread far less system time (a 1.9 GB file in 3 MB reads: 0.1 s against
    /// 0.4-1.2 s through the cache), time taken from the cores scoring the previous chunk.
    /// The aligned span around the bytes is read into a buffer of its own and copied out.
    /// Returns `false`, having read nothing usable, when the descriptor is -1 or the system
    /// refuses the read (then the caller reads through the cache).
    static func readPastCache(_ descriptor: Int32, into buffer: UnsafeMutableRawPointer, count: Int,
                              at offset: Int) -> Bool {
        guard descriptor >= 0 else { return false }
        let alignment = directReadAlignment
        let start = offset / alignment * alignment
        let end = (offset + count + alignment - 1) / alignment * alignment
        let span = UnsafeMutableRawPointer.allocate(byteCount: end - start, alignment: alignment)
        defer { span.deallocate() }
        var done = 0
        while done < offset + count - start {
            let got = pread(descriptor, span + done, end - start - done, off_t(start + done))
            if got > 0 && got % alignment == 0 { done += got; continue }
            if got > 0 { done += got; break }   // the end of the file
            if got < 0 && errno == EINTR { continue }
            break
        }
        guard done >= offset + count - start else { return false }
        buffer.copyMemory(from: span + (offset - start), byteCount: count)
        return true
    }

    /// Reads `count` bytes at `offset` of the open file, however many calls it takes. The
    /// file was whole when it was opened; a read that fails now (the file cut or its disk
    /// gone mid-run) stops the process with the system's reason, as a fault on the mapping
    /// would.
    private static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) {
        var done = 0
        while done < count {
            let got = pread(descriptor, buffer + done, count - done, off_t(offset + done))
            if got > 0 { done += got; continue }
            if got < 0 && errno == EINTR { continue }
            fatalError("The data file could not be read at byte \(offset + done): "
                       + (got == 0 ? "it is shorter than when it was opened." : String(cString: strerror(errno))))
        }
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
