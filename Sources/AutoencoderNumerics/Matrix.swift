import AutoencoderKernels

/// A dense, row-major matrix of `Float` values with value semantics.
///
/// `Matrix` is the currency type of the library's public API: datasets, codes and
/// parameters are handed in and out as matrices. The hot paths work on the
/// `MatrixView` and `MutableMatrixView` of the low-level `AutoencoderKernels` module,
/// borrowed views of a matrix's storage (``withView(_:)``, ``withMutableView(_:)``).
public struct Matrix: Sendable, Equatable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// The elements, row after row (`rows * columns` values).
    public var storage: [Float]

    /// Creates a `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "A matrix cannot have a negative size.")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](repeating: value, count: rows * columns)
    }

    /// Creates a `rows × columns` matrix from its elements in row-major order.
    public init(rows: Int, columns: Int, storage: [Float]) {
        precondition(rows >= 0 && columns >= 0, "A matrix cannot be \(rows)x\(columns).")
        precondition(storage.count == rows * columns,
                     "A \(rows)x\(columns) matrix needs \(rows * columns) values, not \(storage.count).")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// Creates a matrix from an array of equally long rows.
    public init(_ rowArrays: [[Float]]) {
        let columns = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columns }, "All rows of a matrix must be equally long.")
        self.init(rows: rowArrays.count, columns: columns, storage: rowArrays.flatMap { $0 })
    }

    /// A matrix of one row: one sample, as the models take it.
    public init(row: [Float]) {
        self.init(rows: 1, columns: row.count, storage: row)
    }

    /// A matrix of `rows.count` rows of `columns` values each; unlike ``init(_:)``, the width
    /// is known when there are no rows. Every row must have `columns` values.
    public init(rows: [[Float]], columns: Int) {
        precondition(rows.allSatisfy { $0.count == columns }, "Every row must have \(columns) values.")
        self.init(rows: rows.count, columns: columns, storage: rows.flatMap { $0 })
    }

    /// The rows as arrays, first row first.
    public var rowArrays: [[Float]] {
        (0..<rows).map { Array(row($0)) }
    }

    /// The element at `row`, `column`.
    public subscript(row: Int, column: Int) -> Float {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// The elements of one row.
    public func row(_ index: Int) -> ArraySlice<Float> {
        storage[(index * columns)..<((index + 1) * columns)]
    }

    /// Calls `body` with a read-only view of the matrix (a type of `AutoencoderKernels`,
    /// valid only during the call): how layers and kernels read it without a copy.
    public func withView<Result>(_ body: (MatrixView) throws -> Result) rethrows -> Result {
        try storage.withUnsafeBufferPointer { buffer in
            try body(MatrixView(buffer.baseAddress!, rows: rows, columns: columns))
        }
    }

    /// Calls `body` with a mutable view of the matrix (valid only during the call): how
    /// layers and kernels write it without a copy.
    public mutating func withMutableView<Result>(_ body: (MutableMatrixView) throws -> Result) rethrows -> Result {
        let (rows, columns) = (self.rows, self.columns)
        return try storage.withUnsafeMutableBufferPointer { buffer in
            try body(MutableMatrixView(buffer.baseAddress!, rows: rows, columns: columns))
        }
    }
}

extension MatrixMultiplier {
    /// Computes `c ← α·op(a)·op(b) + β·c` for whole views; the shapes must agree.
    @inlinable
    public func multiply(
        _ a: MatrixView, _ transposeA: Transpose = .none,
        _ b: MatrixView, _ transposeB: Transpose = .none,
        into c: MutableMatrixView, alpha: Float = 1, beta: Float = 0
    ) {
        let m = transposeA == .none ? a.rows : a.columns
        let k = transposeA == .none ? a.columns : a.rows
        let n = transposeB == .none ? b.columns : b.rows
        let kB = transposeB == .none ? b.rows : b.columns
        precondition(k == kB && c.rows == m && c.columns == n,
                     "Matrix product shapes disagree: \(m)x\(k) times \(kB)x\(n) into \(c.rows)x\(c.columns).")
        multiply(transposeA, transposeB, alpha: alpha, a: a, b: b, beta: beta, c: c)
    }

    /// Computes `c ← α·a·b + β·c` for whole views, neither operand transposed.
    @inlinable
    public func multiply(_ a: MatrixView, _ b: MatrixView, into c: MutableMatrixView, alpha: Float = 1, beta: Float = 0) {
        multiply(a, .none, b, .none, into: c, alpha: alpha, beta: beta)
    }

    /// The product `op(a)·op(b)` as a new matrix; the shapes must agree.
    public func product(_ a: Matrix, _ transposeA: Transpose, _ b: Matrix, _ transposeB: Transpose) -> Matrix {
        var c = Matrix(rows: transposeA == .none ? a.rows : a.columns, columns: transposeB == .none ? b.columns : b.rows)
        a.withView { a in
            b.withView { b in c.withMutableView { multiply(a, transposeA, b, transposeB, into: $0) } }
        }
        return c
    }

    /// The product `a·b` as a new matrix; `a.columns` must equal `b.rows`.
    public func product(_ a: Matrix, _ b: Matrix) -> Matrix { product(a, .none, b, .none) }
}
