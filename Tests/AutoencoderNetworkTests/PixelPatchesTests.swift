import Testing
@testable import AutoencoderNetwork

@Suite struct PixelPatchesTests {
    /// 4 × 4 patches row by row, each patch's pixels row by row.
    @Test func patchesComeRowByRow() {
        let order = PixelPatches.columnOrder(height: 8, width: 8)
        #expect(Array(order[0..<16]) == [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27])
        #expect(Array(order[16..<20]) == [4, 5, 6, 7])
        #expect(Array(order[32..<36]) == [32, 33, 34, 35])
        #expect(order.last == 63)
    }

    /// Every size gives a permutation of the pixels: sizes that are not multiples of 4 put
    /// the pixels outside the whole patches last, in row-major order; smaller than a patch,
    /// the order is row-major.
    @Test(arguments: [(28, 28), (5, 7), (4, 4), (3, 10), (9, 4), (1, 1), (0, 0)])
    func everySizeGivesAPermutation(height: Int, width: Int) {
        let order = PixelPatches.columnOrder(height: height, width: width)
        #expect(order.sorted() == (0..<Int32(height * width)).map { $0 })
        if height < 4 || width < 4 { #expect(order == (0..<Int32(height * width)).map { $0 }) }
        if height == 5 && width == 7 {
            #expect(Array(order[0..<16]) == [0, 1, 2, 3, 7, 8, 9, 10, 14, 15, 16, 17, 21, 22, 23, 24])
            #expect(Array(order[16..<19]) == [4, 5, 6])   // the rest of row 0, then of rows 1...
        }
    }
}
