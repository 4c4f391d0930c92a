import AutoencoderNetwork
import AutoencoderKernels
import AutoencoderNumerics
import Testing

@Suite struct BatchSourceTests {
    @Test func aMatrixFillsTheRowsAsked() {
        let data = Matrix([[1, 2], [3, 4], [5, 6]])
        var batch = Matrix(rows: 2, columns: 2)
        batch.withMutableView { data.fillBatch([2, 0], into: $0) }
        #expect(batch.storage == [5, 6, 1, 2])
        #expect(data.imageSize == nil)
    }

    /// An index past the matrix stops the program with a message rather than copying
    /// whatever memory follows it (an exit test: it runs in a child process).
    @Test func aBatchIndexOutsideTheMatrixStops() async {
        await #expect(processExitsWith: .failure) {
            let data = Matrix(rows: 10, columns: 4, repeating: 0.5)
            var destination = Matrix(rows: 2, columns: 4)
            destination.withMutableView { data.fillBatch([0, 5000], into: $0) }
        }
    }
}
