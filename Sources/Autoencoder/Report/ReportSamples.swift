/// The samples a report shows: one row of ``values`` per test sample, in the model's input
/// layout, with optional labels and image shape. Plain values, so the report does not
/// depend on where the data came from (a `Dataset`, MNIST files, or values of your own).
public struct ReportSamples: Sendable {
    /// One sample per row, ``AutoencoderModel/inputWidth`` values each (for MNIST, pixels in [0, 1]).
    public var values: Matrix
    /// Each sample's label (a digit, for MNIST), which colours its point; `nil` for none.
    public var labels: [Int]?
    /// The shape of one sample as an image, `[channels, height, width]` (channels first,
    /// as the model takes them); `nil` for feature vectors, drawn as line plots.
    public var imageShape: [Int]?

    /// Creates the samples; `labels` must have one entry per row and `imageShape` as many
    /// values as a row (both preconditions).
    public init(values: Matrix, labels: [Int]? = nil, imageShape: [Int]? = nil) {
        precondition(labels.map { $0.count == values.rows } ?? true, "A report needs one label per sample.")
        precondition(imageShape.map { $0.count == 3 && $0.allSatisfy { $0 > 0 } && $0.reduce(1, *) == values.columns } ?? true,
                     "A report's image shape must be [channels, height, width] of the samples' values.")
        self.values = values
        self.labels = labels
        self.imageShape = imageShape
    }

    /// A set of labelled grey images (MNIST's test set), as the model takes them.
    public init(_ images: LabeledImages) {
        self.init(values: images.matrix(), labels: images.labels.map(Int.init),
                  imageShape: [1, images.rows, images.columns])
    }

    /// A data set's samples, scaled as the model takes them, with its labels and image shape.
    public init(_ dataset: Dataset) {
        self.init(values: Matrix(rows: dataset.count, columns: dataset.width, storage: dataset.samples(in: 0..<dataset.count)),
                  labels: dataset.labels, imageShape: dataset.imageShape.map { [$0.channels, $0.height, $0.width] })
    }

    /// The number of samples.
    public var count: Int { values.rows }
}
