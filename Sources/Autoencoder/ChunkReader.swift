import AutoencoderNetwork
import AutoencoderNumerics
import Dispatch

/// Reads a batch source's samples in consecutive chunks, the next chunk on another thread
/// while the caller works on the current one, so that a file's reads (a `.npy` larger
/// than memory, streamed from the disk) overlap the computation instead of adding to it:
/// the chunk loops of scoring, encoding and reconstructing a data set.
///
/// The source's `fillBatch(_:into:)` is called from a serial dispatch queue only, one chunk
/// at a time, so a source that must be used by one thread at a time (``BatchSubset``) is
/// used that way.
struct ChunkReader {
    /// What the reading queue shares with the caller. @unchecked Sendable: `read` (and the
    /// source it captures) runs on the serial queue only, one chunk at a time, and `chunk` is
    /// written there before the chunk's group is left and read by the caller only after
    /// waiting on that group.
    private final class Shared: @unchecked Sendable {
        let read: (_ start: Int, _ rows: Int) -> Matrix
        var chunk: Matrix?
        init(read: @escaping (Int, Int) -> Matrix) { self.read = read }
    }

    private let shared: Shared
    private let count: Int
    private let chunkSize: Int
    private let queue = DispatchQueue(label: "autoencoder.chunk-reader")
    /// The chunk being read ahead, or `nil` when every chunk has been handed out.
    private var pending: DispatchGroup?
    /// The first sample of the next chunk to read.
    private var next = 0

    /// A reader of `source`'s samples, `chunkSize` (at least 1) at a time, in order; it starts
    /// reading the first chunk at once.
    init(_ source: some BatchSource, chunkSize: Int) {
        precondition(chunkSize >= 1, "The chunk size must be at least 1.")
        count = source.count
        self.chunkSize = chunkSize
        let width = source.width
        shared = Shared { start, rows in
            var chunk = Matrix(rows: rows, columns: width)
            let indices = Array(start..<(start + rows))
            if width > 0 { chunk.withMutableView { source.fillBatch(indices[...], into: $0) } }
            return chunk
        }
        readAhead()
    }

    /// The next chunk of samples (its rows in the source's order), or `nil` after the last;
    /// the one after it starts reading before this returns.
    mutating func nextChunk() -> Matrix? {
        guard let pending else { return nil }
        pending.wait()
        let chunk = shared.chunk
        shared.chunk = nil
        readAhead()
        return chunk
    }

    /// Starts reading the chunk at `next` on the queue, if any is left.
    private mutating func readAhead() {
        guard next < count else { pending = nil; return }
        let start = next, rows = Swift.min(chunkSize, count - start)
        next += rows
        let group = DispatchGroup()
        let shared = shared
        queue.async(group: group) { shared.chunk = shared.read(start, rows) }
        pending = group
    }
}
