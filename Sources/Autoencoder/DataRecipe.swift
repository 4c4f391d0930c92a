/// How a run read its data: saved with the model (the `data` metadata entry) so that the
/// commands on a saved model, and `--resume`, read the same samples the same way — the same
/// file, format options and test split.
public struct DataRecipe: Codable, Sendable, Equatable {
    /// The data's absolute path (a file, or a folder of images or MNIST-format files), or a
    /// data set's name.
    public var path: String
    /// The format, when it was forced (`--format`).
    public var format: String?
    /// A table's label column (`--label-column`), by name or index.
    public var labelColumn: String?
    /// Whether a table's first row is a header, when it was said (`--header`, `--no-header`).
    public var hasHeader: Bool?
    /// The size images were resized to (`--image-size`), height and width.
    public var imageSize: [Int]?
    /// Whether a 4-D array's images are channels first (`true`) or last (`false`), when given.
    public var channelsFirst: Bool?
    /// The test data's absolute path (`--test`), when it came from another file.
    public var test: String?
    /// The share held out as the test set (`--test-fraction`), when the test set was split off.
    public var testFraction: Double?
    /// The seed the test split was drawn with.
    public var seed: UInt64?

    /// A recipe that reads `path` with no options.
    public init(path: String) {
        self.path = path
    }
}
