/// What the caller expects an IDX file to hold, so that the reader can check the
/// dimension count and word its errors in the caller's terms ("60000 images of 28x28").
public struct IDXKind: Sendable, Equatable {
    /// The plural noun for the items along the first dimension, e.g. "images".
    public var noun: String
    /// The number of dimensions the file must declare, or `nil` to accept any.
    public var dimensionCount: Int?
    /// What the dimensions mean, for the wrong-dimension-count error, e.g. "count, rows and columns".
    public var dimensionMeaning: String?

    /// Creates an expectation; pass `dimensionCount: nil` to accept any number of dimensions.
    public init(noun: String, dimensionCount: Int?, dimensionMeaning: String? = nil) {
        self.noun = noun
        self.dimensionCount = dimensionCount
        self.dimensionMeaning = dimensionMeaning
    }

    /// A stack of greyscale images: three dimensions (count, rows, columns), as in `*-images-idx3-ubyte`.
    public static let images = IDXKind(noun: "images", dimensionCount: 3,
                                       dimensionMeaning: "count, rows and columns")

    /// A vector of class labels: one dimension (count), as in `*-labels-idx1-ubyte`.
    public static let labels = IDXKind(noun: "labels", dimensionCount: 1, dimensionMeaning: "count")

    /// Any array of bytes, of any rank.
    public static let anyArray = IDXKind(noun: "elements", dimensionCount: nil)

    /// Describes a declared shape in this kind's words: "60000 images of 28x28", "10000 labels",
    /// or "a 2x3x4 array" when the kind has no fixed rank.
    func describe(_ dimensions: [Int]) -> String {
        guard dimensionCount != nil, dimensions.first != nil else { return "a " + describeArray(dimensions) }
        return describeCounted(dimensions)
    }

    /// The same, after "the": "the 3x28x28 array", "the 5 labels".
    func describeDefinite(_ dimensions: [Int]) -> String {
        guard dimensionCount != nil, dimensions.first != nil else { return "the " + describeArray(dimensions) }
        return "the " + describeCounted(dimensions)
    }

    private func describeArray(_ dimensions: [Int]) -> String {
        dimensions.isEmpty ? "scalar array" : dimensions.count == 1 ? "\(dimensions[0])-element array"
            : dimensions.map(String.init).joined(separator: "x") + " array"
    }

    private func describeCounted(_ dimensions: [Int]) -> String {
        let first = dimensions[0]
        let rest = dimensions.dropFirst()
        if rest.isEmpty { return "\(first) \(noun)" }
        return "\(first) \(noun) of " + rest.map(String.init).joined(separator: "x")
    }
}
