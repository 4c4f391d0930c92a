import AutoencoderNetwork
import AutoencoderNumerics
import Testing

@Suite struct BatchSourceTests {
    @Test func aMatrixFillsTheRowsAsked() {
        let data = Matrix([[1, 2], [3, 4], [5, 6]])
        var batch = [Float](repeating: 0, count: 4)
        [2, 0].withUnsafeBufferPointer { indices in batch.withUnsafeMutableBufferPointer { data.fillBatch(indices, into: $0.baseAddress!) } }
        #expect(batch == [5, 6, 1, 2])
        #expect(data.imageSize == nil)
    }

    /// An index past the matrix stops the program with a message rather than copying
    /// whatever memory follows it (an exit test: it runs in a child process).
    @Test func aBatchIndexOutsideTheMatrixStops() async {
        await #expect(processExitsWith: .failure) {
            let data = Matrix(rows: 10, columns: 4, repeating: 0.5)
            let destination = UnsafeMutablePointer<Float>.allocate(capacity: 8)
            [0, 5000].withUnsafeBufferPointer { data.fillBatch($0, into: destination) }
        }
    }
}
