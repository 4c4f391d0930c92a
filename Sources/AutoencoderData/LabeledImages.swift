import CAutoencoderKernels

/// A set of greyscale images of one size, each with a class label: an MNIST training or test set.
///
/// Pixels stay as bytes (60000 MNIST images take 47 MB, not 188 MB as `Float`); the
/// training loop converts one batch at a time with
/// ``copyNormalizedImages(at:into:)``, which allocates nothing.
public struct LabeledImages: Sendable, Equatable, CustomStringConvertible {
    /// Height of every image, in pixels.
    public let rows: Int
    /// Width of every image, in pixels.
    public let columns: Int
    /// All images, row-major and one after another: image `i` is
    /// `pixels[i * pixelsPerImage ..< (i + 1) * pixelsPerImage]`, 0 black to 255 white (MNIST's ink).
    public let pixels: [UInt8]
    /// One class label per image, in the same order.
    public let labels: [UInt8]

    /// Bundles images and their labels; traps unless `pixels.count == labels.count * rows * columns`,
    /// since a mismatch is a programming error (files are checked by ``MNIST`` before this point).
    public init(rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8]) {
        precondition(rows >= 0 && columns >= 0, "image sizes must not be negative")
        precondition(pixels.count == labels.count * rows * columns,
                     "\(pixels.count) pixels do not make \(labels.count) images of \(rows)x\(columns)")
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
        self.labels = labels
    }

    /// The number of images (and labels).
    public var count: Int { labels.count }

    /// The number of pixels in one image, `rows * columns`: the width of one row of a batch.
    public var pixelsPerImage: Int { rows * columns }

    /// "60000 images of 28x28".
    public var description: String { "\(count) images of \(rows)x\(columns)" }

    /// The bytes of image `index`.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "image index \(index) is outside 0..<\(count)")
        return pixels[(index * pixelsPerImage)..<((index + 1) * pixelsPerImage)]
    }

    /// Writes the images at `indices` into `destination` as floats in [0, 1] (byte ÷ 255),
    /// one image per row of ``pixelsPerImage`` floats, in the order of `indices`.
    ///
    /// Made for the training loop: it allocates nothing, so call it for every batch.
    /// `destination` must hold at least `indices.count * pixelsPerImage` floats; floats past
    /// that are left alone. Traps on an index outside `0..<count`. The overloads for arrays,
    /// array slices and ranges call this one.
    package func copyNormalizedImages(at indices: UnsafeBufferPointer<Int>,
                                     into destination: UnsafeMutableBufferPointer<Float>) {
        checkCapacity(of: destination, for: indices.count)
        guard pixelsPerImage > 0, let first = indices.baseAddress, let target = destination.baseAddress else { return }
        let imageCount = count
        for index in indices where index < 0 || index >= imageCount { indexOutOfRange(index) }
        pixels.withUnsafeBufferPointer { source in
            // Vectorised, prefetching and split over the cores (CAutoencoderKernels/bytes.c):
            // the Swift loop was a quarter millisecond per training batch.
            ae_gather_normalized_images(source.baseAddress!, first, indices.count, pixelsPerImage, target)
        }
    }

    /// The buffer-pointer `copyNormalizedImages(at:into:)` for an array of indices, such as a shuffled order.
    package func copyNormalizedImages(at indices: [Int], into destination: UnsafeMutableBufferPointer<Float>) {
        indices.withUnsafeBufferPointer { copyNormalizedImages(at: $0, into: destination) }
    }

    /// The buffer-pointer `copyNormalizedImages(at:into:)` for a slice of indices, such as one batch
    /// `order[start..<end]` of a shuffled order.
    package func copyNormalizedImages(at indices: ArraySlice<Int>, into destination: UnsafeMutableBufferPointer<Float>) {
        indices.withUnsafeBufferPointer { copyNormalizedImages(at: $0, into: destination) }
    }

    /// The buffer-pointer `copyNormalizedImages(at:into:)` for consecutive images, converted in one pass.
    package func copyNormalizedImages(at indices: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>) {
        checkCapacity(of: destination, for: indices.count)
        guard !indices.isEmpty else { return }
        if indices.lowerBound < 0 { indexOutOfRange(indices.lowerBound) }
        if indices.upperBound > count { indexOutOfRange(indices.upperBound - 1) }
        pixels.withUnsafeBufferPointer { source in
            ae_normalize_bytes(source.baseAddress! + indices.lowerBound * pixelsPerImage,
                               indices.count * pixelsPerImage, destination.baseAddress!)
        }
    }

    /// The buffer-pointer `copyNormalizedImages(at:into:)` for any other sequence of indices, such
    /// as a `stride`. Contiguous ones are passed through as they are; others are first gathered
    /// into a temporary array, so the training loop should use the overloads above.
    package func copyNormalizedImages<Indices: Sequence>(
        at indices: Indices, into destination: UnsafeMutableBufferPointer<Float>
    ) where Indices.Element == Int {
        let done: Void? = indices.withContiguousStorageIfAvailable {
            copyNormalizedImages(at: $0, into: destination)
        }
        if done == nil {
            Array(indices).withUnsafeBufferPointer { copyNormalizedImages(at: $0, into: destination) }
        }
    }

    /// Traps unless `destination` has room for `imageCount` images.
    private func checkCapacity(of destination: UnsafeMutableBufferPointer<Float>, for imageCount: Int) {
        let needed = imageCount * pixelsPerImage
        precondition(destination.count >= needed,
                     "a batch of \(imageCount) images of \(pixelsPerImage) pixels needs \(needed) floats,"
                     + " the buffer has \(destination.count)")
    }

    /// Stops the program for an index outside the set: a caller's bug, never bad input.
    private func indexOutOfRange(_ index: Int) -> Never {
        preconditionFailure("image index \(index) is outside 0..<\(count)")
    }

    /// The images at `indices`, in that order, as floats in [0, 1], one image after another.
    public func normalizedImages(at indices: [Int]) -> [Float] {
        [Float](unsafeUninitializedCapacity: indices.count * pixelsPerImage) { buffer, initialized in
            copyNormalizedImages(at: indices, into: buffer)
            initialized = indices.count * pixelsPerImage
        }
    }

    /// The images in `range` as floats in [0, 1], one image after another: a convenience for
    /// tests, evaluation and plotting, where a fresh array per call does not matter.
    public func normalizedImages(in range: Range<Int>) -> [Float] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count,
                     "image range \(range) is outside 0..<\(count)")
        return [Float](unsafeUninitializedCapacity: range.count * pixelsPerImage) { buffer, initialized in
            copyNormalizedImages(at: range, into: buffer)
            initialized = range.count * pixelsPerImage
        }
    }

    /// The first `n` images and their labels (all of them if there are fewer): a small set for
    /// tests and quick runs.
    public func prefix(_ n: Int) -> LabeledImages {
        precondition(n >= 0, "cannot take a negative number of images")
        let kept = min(n, count)
        return LabeledImages(rows: rows, columns: columns,
                             pixels: Array(pixels[..<(kept * pixelsPerImage)]),
                             labels: Array(labels[..<kept]))
    }
}
