import Testing
@testable import AutoencoderData

@Suite("Labelled images")
struct LabeledImagesTests {
    let set = LabeledImages(rows: 2, columns: 2,
                            pixels: [0, 255, 51, 102,  1, 2, 3, 4,  10, 20, 30, 40],
                            labels: [7, 1, 3])

    @Test("counts and shapes")
    func shape() {
        #expect(set.count == 3)
        #expect(set.pixelsPerImage == 4)
        #expect(Array(set.image(at: 1)) == [1, 2, 3, 4])
        #expect(set.description == "3 images of 2x2")
    }

    @Test("a batch is copied in index order, scaled to [0, 1]")
    func copyBatch() {
        var buffer = [Float](repeating: -1, count: 14)
        buffer.withUnsafeMutableBufferPointer { set.copyNormalizedImages(at: [2, 0, 2], into: $0) }
        let expected: [Float] = [10, 20, 30, 40, 0, 255, 51, 102, 10, 20, 30, 40].map { $0 / 255 }
        #expect(Array(buffer[..<12]) == expected)
        #expect(buffer[12] == -1 && buffer[13] == -1)  // rows beyond the batch are left alone
        #expect(buffer[5] == 1 && buffer[4] == 0)
    }

    @Test("any collection of indices works, including a range")
    func copyRange() {
        var buffer = [Float](repeating: 0, count: 8)
        buffer.withUnsafeMutableBufferPointer { set.copyNormalizedImages(at: 1..<3, into: $0) }
        #expect(buffer == [1, 2, 3, 4, 10, 20, 30, 40].map { $0 / 255 })
    }

    @Test("slices, buffer pointers and other sequences of indices work too")
    func otherIndexTypes() {
        let order = [0, 2, 1, 0]
        let expected = [10, 20, 30, 40, 1, 2, 3, 4].map { Float($0) / 255 }
        var buffer = [Float](repeating: 0, count: 8)
        buffer.withUnsafeMutableBufferPointer { set.copyNormalizedImages(at: order[1..<3], into: $0) }
        #expect(buffer == expected)

        buffer = [Float](repeating: 0, count: 8)
        order.withUnsafeBufferPointer { indices in
            buffer.withUnsafeMutableBufferPointer {
                set.copyNormalizedImages(at: UnsafeBufferPointer(rebasing: indices[1..<3]), into: $0)
            }
        }
        #expect(buffer == expected)

        buffer = [Float](repeating: 0, count: 8)
        buffer.withUnsafeMutableBufferPointer { set.copyNormalizedImages(at: stride(from: 2, to: 0, by: -1), into: $0) }
        #expect(buffer == expected)

        buffer.withUnsafeMutableBufferPointer { set.copyNormalizedImages(at: [Int](), into: $0) }
        #expect(buffer == expected)
    }

    @Test("an index outside the set stops the program")
    func indexOutOfRange() async {
        await #expect(processExitsWith: .failure) {
            let set = LabeledImages(rows: 1, columns: 1, pixels: [0], labels: [0])
            var buffer = [Float](repeating: 0, count: 1)
            buffer.withUnsafeMutableBufferPointer { set.copyNormalizedImages(at: [1], into: $0) }
        }
    }

    @Test("normalizedImages returns a fresh array for a range")
    func normalizedRange() {
        #expect(set.normalizedImages(in: 0..<1) == [0, 1, 51 / 255, 102 / 255])
        #expect(set.normalizedImages(in: 3..<3).isEmpty)
        #expect(set.normalizedImages(in: 0..<3).count == 12)
    }

    @Test("prefix keeps the first images with their labels")
    func prefix() {
        let first = set.prefix(2)
        #expect(first.count == 2)
        #expect(first.labels == [7, 1])
        #expect(first.pixels == Array(set.pixels[..<8]))
        #expect(set.prefix(10) == set)
        #expect(set.prefix(0).count == 0)
    }
}
