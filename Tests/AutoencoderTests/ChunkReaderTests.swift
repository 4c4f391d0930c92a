@testable import Autoencoder
import AutoencoderKernels
import Foundation
import Synchronization
import Testing

/// The chunk loops' read-ahead: every sample once, in order, in chunks, with the source used
/// by one thread at a time.
@Suite struct ChunkReaderTests {
    /// Sample i is the row [i, i, …]; it records its fills and whether two ever overlap.
    final class RecordingSource: BatchSource, @unchecked Sendable {
        let count: Int
        let width = 3
        let fills = Mutex<(calls: Int, active: Int, overlapped: Bool)>((0, 0, false))
        init(count: Int) { self.count = count }

        func fillBatch(_ indices: ArraySlice<Int>, into destination: MutableMatrixView) {
            fills.withLock {
                $0.calls += 1
                $0.active += 1
                $0.overlapped = $0.overlapped || $0.active > 1
            }
            usleep(2000)   // long enough for a second, concurrent call to show
            for (row, index) in indices.enumerated() {
                for column in 0..<width { destination.base[row * width + column] = Float(index) }
            }
            fills.withLock { $0.active -= 1 }
        }
    }

    @Test(arguments: [(0, 4), (3, 4), (8, 4), (10, 4), (10, 1), (7, 100)])
    func readsEverySampleOnceInOrder(count: Int, chunkSize: Int) {
        let source = RecordingSource(count: count)
        var reader = ChunkReader(source, chunkSize: chunkSize)
        var rows: [Float] = []
        var sizes: [Int] = []
        while let chunk = reader.nextChunk() {
            #expect(chunk.columns == 3)
            sizes.append(chunk.rows)
            usleep(1000)   // the caller's work, while the next chunk is read
            for row in 0..<chunk.rows { rows.append(chunk[row, 0]) }
        }
        #expect(reader.nextChunk() == nil)
        #expect(rows == (0..<count).map(Float.init))
        #expect(sizes.allSatisfy { $0 == chunkSize } || sizes.dropLast().allSatisfy { $0 == chunkSize })
        #expect(sizes.reduce(0, +) == count)
        source.fills.withLock {
            #expect($0.calls == (count + chunkSize - 1) / chunkSize)
            #expect(!$0.overlapped)
        }
    }
}
