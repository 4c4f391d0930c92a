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

    @Test("every byte converts exactly as Float(byte) / 255, in batches large enough to split over cores")
    func everyByteInALargeBatch() {
        // 400 images of 5x7 (not a multiple of the 16-lane vector), each a different rotation of 0...255.
        let width = 35, imageCount = 400
        let pixels = (0..<(imageCount * width)).map { UInt8(($0 * 7 + $0 / width) % 256) }
        let images = LabeledImages(rows: 5, columns: 7, pixels: pixels, labels: [UInt8](repeating: 0, count: imageCount))
        let order = (0..<1000).map { ($0 * 149) % imageCount }   // 35,000 floats: split over the cores
        var batch = [Float](repeating: .nan, count: order.count * width)
        batch.withUnsafeMutableBufferPointer { images.copyNormalizedImages(at: order, into: $0) }
        for (row, index) in order.enumerated() {
            for c in 0..<width { #expect(batch[row * width + c] == Float(pixels[index * width + c]) / 255) }
        }
        let all = images.normalizedImages(in: 0..<imageCount)
        #expect(all == pixels.map { Float($0) / 255 })
        #expect(Set(pixels).count == 256)
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
