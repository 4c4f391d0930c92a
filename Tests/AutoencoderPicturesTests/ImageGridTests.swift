import Testing
@testable import AutoencoderPictures

/// A 28×28 image, 0 everywhere except a vertical bar of `value` in column 14, rows 4 to 23.
private func barImage(value: Float = 1) -> [Float] {
    var pixels = [Float](repeating: 0, count: 28 * 28)
    for row in 4 ... 23 { pixels[row * 28 + 14] = value }
    return pixels
}

@Suite("Image grids")
struct ImageGridTests {
    @Test("The tutorial's 2×10 figure has the expected size and enlarged digits")
    func tutorialGeometry() throws {
        let originals = (0 ..< 10).map { _ in barImage() }
        let reconstructions = (0 ..< 10).map { _ in barImage(value: 0.5) }
        let grid = try ImageGrid(rows: [originals, reconstructions], scale: 3, gap: 4, margin: 8)
        let image = grid.render()
        #expect(grid.columnCount == 10)
        #expect(image.width == grid.width && image.height == grid.height)
        #expect(image.width == 2 * 8 + 10 * 84 + 9 * 4)
        #expect(image.height == 2 * 8 + 2 * 84 + 4)

        let cell = grid.cellRectangle(row: 1, column: 3)
        #expect(cell == PixelRectangle(x: 8 + 3 * 88, y: 8 + 88, width: 84, height: 84))
        // Every picture pixel of image pixel (14, 10) shows the colour-map value of 0.5 …
        for dy in 0 ..< 3 {
            for dx in 0 ..< 3 {
                #expect(image[cell.x + 14 * 3 + dx, cell.y + 10 * 3 + dy] == ColorMap.viridis.color(at: Float(0.5)))
            }
        }
        // … a zero pixel shows the low end, a full one the high end, and gaps the background.
        #expect(image[cell.x, cell.y] == RGB(68, 1, 84))
        let first = grid.cellRectangle(row: 0, column: 0)
        #expect(image[first.x + 14 * 3 + 1, first.y + 4 * 3] == RGB(253, 231, 37))
        #expect(image[cell.x - 1, cell.y] == .white)
        #expect(image[0, 0] == .white)
    }

    @Test("Any number of rows and columns, with a grey colour map")
    func latentSweep() throws {
        let rows = (0 ..< 15).map { row in (0 ..< 15).map { column in
            [Float](repeating: Float(row * 15 + column) / 224, count: 4 * 4)
        } }
        let grid = try ImageGrid(rows: rows, imageWidth: 4, imageHeight: 4, scale: 2, gap: 0, margin: 0,
                                 colorMap: .gray)
        let image = grid.render()
        #expect(image.width == 15 * 8 && image.height == 15 * 8)
        #expect(image[0, 0] == .black)
        #expect(image[image.width - 1, image.height - 1] == .white)
    }

    @Test("Per-image scaling stretches each image to the whole colour map")
    func perImageScaling() throws {
        let faint = barImage(value: 0.2)
        let grid = try ImageGrid(rows: [[faint]], scale: 1, margin: 0, scaling: .perImage)
        let image = grid.render()
        #expect(image[14, 10] == RGB(253, 231, 37))
        #expect(image[0, 0] == RGB(68, 1, 84))
        let constant = try ImageGrid(rows: [[[Float](repeating: 0.7, count: 784)]], scale: 1, margin: 0,
                                     scaling: .perImage).render()
        #expect(constant[5, 5] == RGB(68, 1, 84))
    }

    @Test("Row titles sit left of their rows")
    func rowTitles() throws {
        let grid = try ImageGrid(rows: [[barImage()], [barImage()]], rowTitles: ["original", "reconstructed"])
        let image = grid.render()
        let cell = grid.cellRectangle(row: 0, column: 0)
        #expect(cell.x > BitmapFont.standard.width(of: "reconstructed", scale: 2))
        var inked = 0
        for y in cell.y ..< cell.maxY {
            for x in 0 ..< cell.x where image[x, y] == .black { inked += 1 }
        }
        #expect(inked > 50)
    }

    @Test("Images of the wrong size and empty grids are refused")
    func invalidInput() {
        #expect(throws: PictureInputError.self) { try ImageGrid(rows: [[barImage(), [0, 1, 2]]]) }
        #expect(throws: PictureInputError.self) { try ImageGrid(rows: [[]]) }
        #expect(throws: PictureInputError.self) { try ImageGrid(rows: [[barImage()]], scale: 0) }
        let error = #expect(throws: PictureInputError.self) { try ImageGrid(rows: [[barImage()], [[1]]]) }
        #expect(error?.description == "Image 1 of row 2 has 1 values, not 784 (28x28).")
    }

    @Test("A figure too large for a PNG is refused before anything is drawn")
    func tooLargeFigure() throws {
        // 1 image of 28x28 at scale 500: 14016x14016 pixels with the margins, over 2^27.
        let error = #expect(throws: PictureInputError.self) { try ImageGrid(rows: [[barImage()]], scale: 500) }
        #expect(error?.description == "An image grid of 1x1 images of 28x28 pixels at scale 500 would have "
                + "14016x14016 pixels, more than the 134217728 a PNG may have here; draw fewer or smaller images.")
        #expect(throws: PictureInputError.self) { try ImageGrid(rows: [[barImage()]], scale: Int.max) }
        #expect(throws: PictureInputError.self) { try ImageGrid(rows: [[barImage()]], margin: Int.max) }
        // A column of images taller than libpng's 1,000,000 pixels, though few pixels in all.
        #expect(ImageGrid.sizeProblem(rows: 20_000, columns: 1, imageWidth: 28, imageHeight: 28, scale: 2, gap: 2, margin: 6)
                == "An image grid of 20000x1 images of 28x28 pixels at scale 2 would have 68x1160010 pixels, "
                + "a side longer than the 1000000 a PNG may have; draw fewer or smaller images.")
        #expect(ImageGrid.sizeProblem(rows: 17_000, columns: 1, imageWidth: 28, imageHeight: 28, scale: 2, gap: 2, margin: 6) == nil)
        // Just under the limit is fine (11580 = 2 * 8 + 28 * 413 pixels square).
        let grid = try ImageGrid(rows: [[barImage()]], scale: 413)
        #expect(grid.width * grid.height <= PNG.maximumPixelCount)
    }
}
