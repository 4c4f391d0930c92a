/// A set of samples of one shape, with optional labels and the scaling a model applies to
/// them: what every reader (IDX, CSV, NumPy, image folders) produces and what training,
/// evaluation, scoring and the pictures take.
///
/// A sample is a vector of features (`sampleShape == [features]`) or an image
/// (`[channels, height, width]`, channels first as PyTorch stores them). The values stay in
/// their ``store`` as read (bytes stay bytes; a memory-mapped file stays on disk) and are
/// converted and scaled one batch at a time by ``copySamples(at:into:)``.
public struct Dataset: Sendable {
    /// The shape of one sample: `[features]` or `[channels, height, width]`.
    public let sampleShape: [Int]
    /// Where the values are.
    public let store: any SampleStore
    /// The samples of ``store`` this data set holds, in order; `nil` for all of them.
    public let selection: [Int]?
    /// One class label per sample (an index into ``classNames`` when there are names), or `nil`.
    public var labels: [Int]?
    /// The name of each class, when the data names them (an image folder's subfolders, a
    /// text label column); `nil` when labels are plain numbers.
    public var classNames: [String]?
    /// The name of each feature (a CSV header), or `nil`.
    public var featureNames: [String]?
    /// How the stored values become a model's inputs.
    public var scaling: Scaling
    /// Where the data came from, for messages: a path or a data set's name.
    public var origin: String

    /// A data set of `store`'s samples, each of `sampleShape` (whose product must be the
    /// store's width), with `labels` (one per sample, when given).
    public init(sampleShape: [Int], store: any SampleStore, labels: [Int]? = nil, classNames: [String]? = nil,
                featureNames: [String]? = nil, scaling: Scaling = .none, origin: String) {
        precondition(sampleShape.reduce(1, *) == store.width,
                     "a sample shape \(sampleShape) does not hold \(store.width) values")
        precondition(labels == nil || labels!.count == store.count, "a data set needs one label per sample")
        self.sampleShape = sampleShape
        self.store = store
        self.selection = nil
        self.labels = labels
        self.classNames = classNames
        self.featureNames = featureNames
        self.scaling = scaling
        self.origin = origin
    }

    /// The greyscale images of an MNIST-format set, shape `[1, rows, columns]`, divided by 255.
    public init(_ images: LabeledImages, origin: String) {
        self.init(sampleShape: [1, images.rows, images.columns],
                  store: ByteSamples(bytes: images.pixels, width: Swift.max(images.pixelsPerImage, 1)),
                  labels: images.labels.map(Int.init), scaling: .pixels, origin: origin)
    }

    private init(base: Dataset, selection: [Int], labels: [Int]?) {
        sampleShape = base.sampleShape
        store = base.store
        self.selection = selection
        self.labels = labels
        classNames = base.classNames
        featureNames = base.featureNames
        scaling = base.scaling
        self.origin = base.origin
    }

    /// The number of samples.
    public var count: Int { selection?.count ?? store.count }
    /// The number of values per sample.
    public var width: Int { store.width }
    /// The channels, height and width of an image sample; `nil` for feature vectors.
    public var imageShape: (channels: Int, height: Int, width: Int)? {
        sampleShape.count == 3 ? (sampleShape[0], sampleShape[1], sampleShape[2]) : nil
    }

    /// The samples at `indices` (positions in this data set), with their labels: a split, or
    /// the samples of some classes. The values are not copied.
    public func subset(_ indices: [Int]) -> Dataset {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < count }, "a subset's index is outside the data's \(count) samples")
        let stored = selection.map { selection in indices.map { selection[$0] } } ?? indices
        return Dataset(base: self, selection: stored, labels: labels.map { labels in indices.map { labels[$0] } })
    }

    /// Writes the samples at `indices` (positions in this data set), scaled, one row of
    /// ``width`` floats each, to `destination`. Allocates nothing: the training loop calls it
    /// for every batch.
    package func copySamples(at indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) {
        guard let selection else { return copyStored(indices, into: destination) }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: Swift.max(indices.count, 1)) { mapped in
            selection.withUnsafeBufferPointer { selection in
                for (position, index) in indices.enumerated() {
                    precondition(index >= 0 && index < selection.count, "sample index \(index) is outside 0..<\(selection.count)")
                    mapped[position] = selection[index]
                }
            }
            copyStored(UnsafeBufferPointer(rebasing: mapped[..<indices.count]), into: destination)
        }
    }

    /// The stored samples at `indices` (of the store), scaled: bytes ÷ 255 in the gather
    /// kernel's one pass, everything else converted and then scaled.
    private func copyStored(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) {
        if scaling.method == .pixels, let bytes = store as? ByteSamples {
            bytes.copyPixelsDividedBy255(at: indices, into: destination)
        } else {
            store.copyRawSamples(at: indices, into: destination)
            scaling.apply(to: destination, rows: indices.count, width: width)
        }
    }

    /// The samples in `range`, scaled, one after another: for evaluation, pictures and tests.
    public func samples(in range: Range<Int>) -> [Float] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "sample range \(range) is outside 0..<\(count)")
        let indices = Array(range)
        guard !indices.isEmpty, width > 0 else { return [] }
        return [Float](unsafeUninitializedCapacity: range.count * width) { buffer, initialized in
            indices.withUnsafeBufferPointer { copySamples(at: $0, into: buffer.baseAddress!) }
            initialized = range.count * width
        }
    }

    /// The raw (unscaled) store index of sample `index`.
    public func storedIndex(of index: Int) -> Int { selection?[index] ?? index }

    /// "60000 samples of 1x28x28 from data/mnist".
    public var summary: String {
        "\(count) samples of \(sampleShape.map(String.init).joined(separator: "x")) from \(origin)"
    }
}
