import CAutoencoderKernels

/// A borrowed, read-only, row-major view of `rows × columns` floats with no padding
/// between rows. Valid only while the storage it points into is alive and unmoved.
public struct MatrixView {
    /// The first element.
    public let base: UnsafePointer<Float>
    /// The number of rows.
    public let rows: Int
    /// The number of columns, which is also the distance between rows.
    public let columns: Int

    /// Creates a view of `rows × columns` contiguous floats starting at `base`.
    @inlinable
    public init(_ base: UnsafePointer<Float>, rows: Int, columns: Int) {
        self.base = base
        self.rows = rows
        self.columns = columns
    }

    /// The number of elements.
    @inlinable
    public var count: Int { rows * columns }

    /// The element at `row`, `column`.
    @inlinable
    public subscript(row: Int, column: Int) -> Float { base[row * columns + column] }

    /// The view of rows `range` of this view.
    @inlinable
    public func rows(_ range: Range<Int>) -> MatrixView {
        MatrixView(base + range.lowerBound * columns, rows: range.count, columns: columns)
    }

    /// True when at least 60 % of the values in the first rows (up to 16) are zeros, as in
    /// MNIST images: the sign that products skipping the zeros will pay.
    public var isMostlyZero: Bool {
        let sampleCount = min(16, rows) * columns
        guard sampleCount > 0 else { return false }
        let zeros = ae_count_zeros(base, sampleCount)
        return Double(zeros) >= 0.6 * Double(sampleCount)
    }
}

/// A borrowed, mutable, row-major view of `rows × columns` floats with no padding
/// between rows. Valid only while the storage it points into is alive and unmoved.
public struct MutableMatrixView {
    /// The first element.
    public let base: UnsafeMutablePointer<Float>
    /// The number of rows.
    public let rows: Int
    /// The number of columns, which is also the distance between rows.
    public let columns: Int

    /// Creates a view of `rows × columns` contiguous floats starting at `base`.
    @inlinable
    public init(_ base: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        self.base = base
        self.rows = rows
        self.columns = columns
    }

    /// The number of elements.
    @inlinable
    public var count: Int { rows * columns }

    /// The same memory, read-only.
    @inlinable
    public var view: MatrixView { MatrixView(base, rows: rows, columns: columns) }

    /// The element at `row`, `column`.
    @inlinable
    public subscript(row: Int, column: Int) -> Float {
        get { base[row * columns + column] }
        nonmutating set { base[row * columns + column] = newValue }
    }

    /// The view of rows `range` of this view.
    @inlinable
    public func rows(_ range: Range<Int>) -> MutableMatrixView {
        MutableMatrixView(base + range.lowerBound * columns, rows: range.count, columns: columns)
    }
}

/// A borrowed, read-only run of `count` contiguous floats, such as one layer's slice of a
/// network's parameters. Valid only while the storage it points into is alive and unmoved.
public struct VectorView {
    /// The first element.
    public let base: UnsafePointer<Float>
    /// The number of elements.
    public let count: Int

    /// Creates a view of `count` contiguous floats starting at `base`.
    @inlinable
    public init(_ base: UnsafePointer<Float>, count: Int) {
        self.base = base
        self.count = count
    }

    /// Creates a view of a buffer's elements (an empty buffer may have no address).
    @inlinable
    public init(_ buffer: UnsafeBufferPointer<Float>) {
        self.init(buffer.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Float>.alignment)!, count: buffer.count)
    }

    /// The same elements as a buffer pointer.
    @inlinable
    public var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: base, count: count) }

    /// The element at `index`.
    @inlinable
    public subscript(index: Int) -> Float { base[index] }

    /// The view of elements `range` of this view.
    @inlinable
    public func elements(_ range: Range<Int>) -> VectorView {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "Range \(range) is outside 0..<\(count).")
        return VectorView(base + range.lowerBound, count: range.count)
    }
}

/// A borrowed, mutable run of `count` contiguous floats, such as the slice of a network's
/// parameters or gradients that belongs to one layer. Valid only while the storage it points
/// into is alive and unmoved.
public struct MutableVectorView {
    /// The first element.
    public let base: UnsafeMutablePointer<Float>
    /// The number of elements.
    public let count: Int

    /// Creates a view of `count` contiguous floats starting at `base`.
    @inlinable
    public init(_ base: UnsafeMutablePointer<Float>, count: Int) {
        self.base = base
        self.count = count
    }

    /// Creates a view of a buffer's elements (an empty buffer may have no address).
    @inlinable
    public init(_ buffer: UnsafeMutableBufferPointer<Float>) {
        self.init(buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: MemoryLayout<Float>.alignment)!,
                  count: buffer.count)
    }

    /// The same elements as a buffer pointer.
    @inlinable
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    /// The same memory, read-only.
    @inlinable
    public var view: VectorView { VectorView(base, count: count) }

    /// The element at `index`.
    @inlinable
    public subscript(index: Int) -> Float {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }

    /// The view of elements `range` of this view.
    @inlinable
    public func elements(_ range: Range<Int>) -> MutableVectorView {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "Range \(range) is outside 0..<\(count).")
        return MutableVectorView(base + range.lowerBound, count: range.count)
    }
}
