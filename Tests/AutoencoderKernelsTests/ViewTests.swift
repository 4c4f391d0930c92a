import AutoencoderKernels
import Testing

/// The borrowed views read and write the memory they are given, row-major, and their
/// sub-views start where they say.
@Suite struct ViewTests {
    @Test func matrixViewsAreRowMajorAndTheirRowsAreSubViews() {
        var values: [Float] = (0..<12).map(Float.init)
        values.withUnsafeMutableBufferPointer { buffer in
            let matrix = MutableMatrixView(buffer.baseAddress!, rows: 3, columns: 4)
            #expect(matrix.count == 12)
            #expect(matrix[1, 2] == Float(1 * 4 + 2))
            let lastTwo = matrix.rows(1..<3)
            #expect(lastTwo.rows == 2 && lastTwo[0, 0] == 4)
            lastTwo[1, 3] = -1
            #expect(matrix.view[2, 3] == -1)
        }
        #expect(values[11] == -1)
    }

    /// At least 60 % zeros (either sign) among the first 16 rows; later rows and an empty
    /// view do not count.
    @Test func mostlyZeroLooksAtTheFirstSixteenRows() {
        func mostlyZero(_ values: [Float], columns: Int) -> Bool {
            values.withUnsafeBufferPointer { MatrixView($0.baseAddress!, rows: values.count / columns, columns: columns).isMostlyZero }
        }
        // 16 rows of 10: 96 zeros of 160 is 60 %, 95 is not.
        let atThreshold = (0..<160).map { $0 < 96 ? ($0 % 2 == 0 ? Float(0) : -Float(0)) : 1 }
        #expect(mostlyZero(atThreshold, columns: 10))
        var below = atThreshold
        below[0] = 0.5
        #expect(!mostlyZero(below, columns: 10))
        // A 17th row of zeros is not looked at.
        #expect(!mostlyZero(below + [Float](repeating: 0, count: 10), columns: 10))
        #expect(mostlyZero([0, 0, 0, 0, 1], columns: 5))
        #expect(![Float](repeating: 0, count: 3).withUnsafeBufferPointer { MatrixView($0.baseAddress!, rows: 0, columns: 3).isMostlyZero })
    }

    @Test func vectorViewsReadAndWriteTheirElements() {
        var values: [Float] = [1, 2, 3, 4, 5]
        values.withUnsafeMutableBufferPointer { buffer in
            let vector = MutableVectorView(buffer)
            #expect(vector.count == 5 && vector.view[4] == 5)
            let middle = vector.elements(1..<4)
            #expect(middle.count == 3 && middle[0] == 2)
            middle[2] = 40
            #expect(Array(vector.view.buffer) == [1, 2, 3, 40, 5])
        }
        [Float]().withUnsafeBufferPointer { #expect(VectorView($0).count == 0) }
    }

    @Test func anIndexViewIsACollectionOfItsIndices() {
        let indices = [7, 3, 9]
        indices.withUnsafeBufferPointer { buffer in
            let view = IndexView(buffer)
            #expect(Array(view) == indices)
            #expect(view.enumerated().map { $0.offset * 100 + $0.element } == [7, 103, 209])
        }
        [Int]().withUnsafeBufferPointer { #expect(IndexView($0).isEmpty) }
    }

    /// A sub-view outside its view stops the program (an exit test: a child process).
    @Test func aRangeOutsideAVectorStops() async {
        await #expect(processExitsWith: .failure) {
            var values: [Float] = [1, 2]
            values.withUnsafeMutableBufferPointer { _ = MutableVectorView($0).elements(1..<3) }
        }
    }
}
