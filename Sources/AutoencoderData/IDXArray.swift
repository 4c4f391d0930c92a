/// The contents of an IDX file of unsigned bytes: its declared dimensions and its payload.
///
/// `bytes.count` always equals the product of `dimensions`; the reader guarantees it and
/// the initialiser checks it.
public struct IDXArray: Sendable, Equatable {
    /// The sizes the header declares, outermost first (e.g. `[60000, 28, 28]`).
    public let dimensions: [Int]
    /// The elements in row-major order, exactly `dimensions.reduce(1, *)` of them.
    public let bytes: [UInt8]

    /// Wraps bytes with their dimensions; traps if the counts disagree, because that is a
    /// programming error rather than bad input.
    public init(dimensions: [Int], bytes: [UInt8]) {
        precondition(dimensions.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) },
                     "IDX dimensions must be between 0 and \(UInt32.max)")
        precondition(dimensions.reduce(1, *) == bytes.count,
                     "IDX dimensions \(dimensions) need \(dimensions.reduce(1, *)) bytes, got \(bytes.count)")
        self.dimensions = dimensions
        self.bytes = bytes
    }
}
