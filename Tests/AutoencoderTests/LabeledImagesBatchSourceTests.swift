import AutoencoderKernels
import Testing
@testable import Autoencoder
import AutoencoderData
import AutoencoderNetwork

@Suite struct LabeledImagesBatchSourceTests {
    /// Images are batches of their pixels divided by 255, one image per row, and say their
    /// size, so that training can take their pixels patch by patch.
    @Test func imagesFillBatchesAndSayTheirSize() {
        let images = LabeledImages(rows: 2, columns: 3, pixels: [0, 51, 255, 0, 0, 0, 255, 102, 0, 0, 0, 1],
                                   labels: [4, 7])
        #expect(images.width == 6 && images.count == 2)
        #expect(images.imageSize?.height == 2 && images.imageSize?.width == 3)
        var batch = Matrix(rows: 2, columns: 6, repeating: -1)
        batch.withMutableView { images.fillBatch([1, 0], into: $0) }
        #expect(batch.storage == [1, 0.4, 0, 0, 0, Float(1) / 255, 0, 0.2, 1, 0, 0, 0])
    }
}
