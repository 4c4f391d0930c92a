/// A borrowed, read-only run of `count` sample indices, such as one training batch's
/// positions in a shuffled order. Valid only while the storage it points into is alive and
/// unmoved. A random-access collection, so `for index in indices` and `enumerated()` work
/// without touching the pointer.
public struct IndexView: RandomAccessCollection {
    /// The first index.
    public let base: UnsafePointer<Int>
    /// The number of indices.
    public let count: Int

    /// Creates a view of `count` contiguous indices starting at `base`.
    @inlinable
    public init(_ base: UnsafePointer<Int>, count: Int) {
        self.base = base
        self.count = count
    }

    /// Creates a view of a buffer's indices (an empty buffer may have no address).
    @inlinable
    public init(_ buffer: UnsafeBufferPointer<Int>) {
        self.init(buffer.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Int>.alignment)!, count: buffer.count)
    }

    /// The same indices as a buffer pointer.
    @inlinable
    public var buffer: UnsafeBufferPointer<Int> { UnsafeBufferPointer(start: base, count: count) }

    /// 0.
    @inlinable
    public var startIndex: Int { 0 }

    /// ``count``.
    @inlinable
    public var endIndex: Int { count }

    /// The index at `position` (in `0..<count`).
    @inlinable
    public subscript(position: Int) -> Int {
        precondition(position >= 0 && position < count, "Position \(position) is outside 0..<\(count).")
        return base[position]
    }
}
