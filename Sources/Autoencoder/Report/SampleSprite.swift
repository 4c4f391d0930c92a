import Foundation

/// The samples packed into one PNG for the page: tile `i` (row-major, ``columns`` to a row)
/// holds sample `i`, an image as it looks or a feature vector as one row of pixels, each
/// value scaled from [``low``, ``high``] to a byte. The page draws the PNG into a canvas and
/// reads the tiles back when the pointer is over a point. PNG compresses what 10,000 MNIST
/// digits are (about 2 MB, against 7.8 MB of raw bytes).
struct SampleSprite {
    /// The PNG file's bytes.
    var png: [UInt8]
    /// The width and height of one tile in pixels.
    var tileWidth: Int, tileHeight: Int
    /// Tiles per row of the PNG.
    var columns: Int
    /// The number of samples in it: the first this many (all of them unless they would make
    /// a PNG larger than ``maximumPixels``).
    var count: Int
    /// 3 when the tiles are colour images (an RGB PNG), else 1 (a grey PNG of the first channel).
    var channels: Int
    /// The values that map to byte 0 and to byte 255.
    var low: Float, high: Float

    /// The most pixels the PNG may have (4096 x 4096: 16 MB of canvas in the browser).
    static let maximumPixels = 1 << 24
    /// The longest side the PNG may have.
    static let maximumSide = 8192

    /// The sprite of `samples`; `nil` when not one sample fits (a feature vector longer than
    /// ``maximumSide``).
    init?(_ samples: ReportSamples) throws {
        let shape = samples.imageShape
        tileWidth = shape?[2] ?? samples.values.columns
        tileHeight = shape?[1] ?? 1
        channels = shape?[0] == 3 ? 3 : 1
        let tilePixels = tileWidth * tileHeight
        guard samples.count > 0, tileWidth <= Self.maximumSide, tileHeight <= Self.maximumSide, tilePixels > 0 else {
            return nil
        }
        var count = min(samples.count, Self.maximumPixels / tilePixels)
        var columns = max(1, min(count, Int(Double(count).squareRoot().rounded(.up)), Self.maximumSide / tileWidth))
        while count > 0, (count + columns - 1) / columns * tileHeight > Self.maximumSide {
            count = columns * (Self.maximumSide / tileHeight)
            columns = max(1, min(count, Self.maximumSide / tileWidth))
        }
        guard count > 0 else { return nil }
        self.count = count
        self.columns = columns
        // Pixels in [0, 1] keep that scale; other values are spread over their own range.
        var low = Float.infinity, high = -Float.infinity
        for value in samples.values.storage[0..<(count * samples.values.columns)] where value.isFinite {
            low = min(low, value)
            high = max(high, value)
        }
        if low > high { (low, high) = (0, 1) }  // no finite value
        if low >= 0 && high <= 1 { (low, high) = (0, 1) }
        if !(high > low) { high = low + 1 }
        self.low = low
        self.high = high
        let rows = (count + columns - 1) / columns
        let width = columns * tileWidth, height = rows * tileHeight
        let depth = channels
        var bytes = [UInt8](repeating: 255, count: width * height * depth)
        let planeSize = tilePixels
        let scale = 255 / (high - low)
        let (tileWidth, tileHeight) = (self.tileWidth, self.tileHeight)
        samples.values.storage.withUnsafeBufferPointer { storage in
            for sample in 0..<count {
                let base = sample * samples.values.columns
                let left = (sample % columns) * tileWidth, top = (sample / columns) * tileHeight
                for y in 0..<tileHeight {
                    for x in 0..<tileWidth {
                        let pixel = ((top + y) * width + left + x) * depth
                        for channel in 0..<depth {
                            let value = storage[base + channel * planeSize + y * tileWidth + x]
                            let scaled = value.isFinite ? ((value - low) * scale).rounded() : 0
                            bytes[pixel + channel] = UInt8(max(0, min(255, scaled)))
                        }
                    }
                }
            }
        }
        png = depth == 3 ? try PNG.encode(RGBImage(width: width, height: height, bytes: bytes)!)
            : try PNG.encodeGray(width: width, height: height, bytes: bytes)
    }
}
