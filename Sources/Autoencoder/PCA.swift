import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Principal component analysis: the linear baseline an autoencoder's code is compared with.
///
/// ``fit(_:components:multiplier:)`` centres the data, forms the covariance `XᵀX/n` with the
/// matrix multiplier (blocks of rows, each block's product accumulated in `Double`) and
/// diagonalises it (see ``SymmetricEigen``). The model keeps the mean and the leading
/// `components` eigenvectors; ``encode(_:multiplier:)`` projects onto them and
/// ``reconstruct(_:multiplier:)`` maps back.
public struct PCA: Sendable {
    /// The mean of the fitted samples.
    public let mean: [Float]
    /// The principal axes, one per row (`components × width`), by decreasing variance.
    public let axes: Matrix
    /// The variance along each axis (the covariance's eigenvalues), decreasing.
    public let variances: [Double]

    /// The number of components kept.
    public var components: Int { axes.rows }
    /// The width of a sample.
    public var width: Int { axes.columns }

    /// Fits `components` principal axes to the rows of `samples`, read through `rows`.
    ///
    /// `rows(range)` must return the samples in `range` as a `range.count × width` matrix,
    /// so a large set (60000 MNIST images) is never converted to floats all at once.
    public static func fit(
        count: Int, width: Int, components: Int, rows: (Range<Int>) -> Matrix,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred, blockSize: Int = 2000
    ) -> PCA {
        precondition(count > 0 && width > 0, "PCA needs at least one sample of positive width.")
        precondition(components >= 1 && components <= width, "PCA keeps between 1 and \(width) components.")
        precondition(blockSize >= 1, "The block size must be at least 1, not \(blockSize).")
        // The mean, in Double.
        var sum = [Double](repeating: 0, count: width)
        var start = 0
        while start < count {
            let block = rows(start..<min(start + blockSize, count))
            block.storage.withUnsafeBufferPointer { x in
                for r in 0..<block.rows {
                    let row = x.baseAddress! + r * width
                    for c in 0..<width { sum[c] += Double(row[c]) }
                }
            }
            start += blockSize
        }
        let meanDouble = sum.map { $0 / Double(count) }
        let mean = meanDouble.map { Float($0) }

        // The covariance: Σ over blocks of BᵀB for the centred block B, summed in Double.
        var covariance = [Double](repeating: 0, count: width * width)
        var product = Matrix(rows: width, columns: width)
        start = 0
        while start < count {
            var block = rows(start..<min(start + blockSize, count))
            block.storage.withUnsafeMutableBufferPointer { x in
                for r in 0..<block.rows {
                    let row = x.baseAddress! + r * width
                    for c in 0..<width { row[c] -= mean[c] }
                }
            }
            block.withView { b in
                product.withMutableView { p in multiplier.multiply(b, .transposed, b, .none, into: p) }
            }
            product.storage.withUnsafeBufferPointer { p in
                covariance.withUnsafeMutableBufferPointer { c in
                    for i in 0..<(width * width) { c[i] += Double(p[i]) }
                }
            }
            start += blockSize
        }
        for i in 0..<(width * width) { covariance[i] /= Double(count) }

        let eigen = SymmetricEigen(covariance, size: width)
        // Eigenvalues come ascending; keep the last `components`, largest first.
        var axes = [Float](repeating: 0, count: components * width)
        var variances: [Double] = []
        for j in 0..<components {
            let source = width - 1 - j
            variances.append(eigen.values[source])
            // Fix each axis's sign (largest-magnitude component positive) so results are reproducible.
            var largest = 0
            for i in 0..<width where abs(eigen.vectors[source * width + i]) > abs(eigen.vectors[source * width + largest]) {
                largest = i
            }
            let sign: Double = eigen.vectors[source * width + largest] < 0 ? -1 : 1
            for i in 0..<width { axes[j * width + i] = Float(sign * eigen.vectors[source * width + i]) }
        }
        return PCA(mean: mean, axes: Matrix(rows: components, columns: width, storage: axes), variances: variances)
    }

    /// Fits `components` axes to the rows of `samples`.
    public static func fit(_ samples: Matrix, components: Int,
                           multiplier: any MatrixMultiplier = MatrixMultiplication.preferred) -> PCA {
        fit(count: samples.rows, width: samples.columns, components: components,
            rows: { range in Matrix(rows: range.count, columns: samples.columns,
                                    storage: Array(samples.storage[(range.lowerBound * samples.columns)..<(range.upperBound * samples.columns)])) },
            multiplier: multiplier)
    }

    /// Creates a PCA from its parts.
    public init(mean: [Float], axes: Matrix, variances: [Double]) {
        precondition(mean.count == axes.columns, "The mean and the axes differ in width.")
        self.mean = mean
        self.axes = axes
        self.variances = variances
    }

    /// The same PCA with only the first `components` axes.
    public func truncated(to components: Int) -> PCA {
        precondition(components >= 1 && components <= self.components, "Cannot keep \(components) of \(self.components) components.")
        return PCA(mean: mean, axes: Matrix(rows: components, columns: width,
                                            storage: Array(axes.storage[0..<(components * width)])),
                   variances: Array(variances.prefix(components)))
    }

    /// The coordinates of each row of `samples` along the axes (`rows × components`).
    public func encode(_ samples: Matrix, multiplier: any MatrixMultiplier = MatrixMultiplication.preferred) -> Matrix {
        precondition(samples.columns == width, "PCA of width \(width) cannot encode rows of \(samples.columns).")
        var centred = samples
        centred.storage.withUnsafeMutableBufferPointer { x in
            for r in 0..<samples.rows {
                let row = x.baseAddress! + r * width
                for c in 0..<width { row[c] -= mean[c] }
            }
        }
        var codes = Matrix(rows: samples.rows, columns: components)
        centred.withView { x in
            axes.withView { a in codes.withMutableView { multiplier.multiply(x, .none, a, .transposed, into: $0) } }
        }
        return codes
    }

    /// The samples the coordinates `codes` stand for (`rows × width`).
    public func decode(_ codes: Matrix, multiplier: any MatrixMultiplier = MatrixMultiplication.preferred) -> Matrix {
        var result = Matrix(rows: codes.rows, columns: width)
        codes.withView { c in
            axes.withView { a in result.withMutableView { multiplier.multiply(c, .none, a, .none, into: $0) } }
        }
        result.storage.withUnsafeMutableBufferPointer { x in
            for r in 0..<codes.rows {
                let row = x.baseAddress! + r * width
                for c in 0..<width { row[c] += mean[c] }
            }
        }
        return result
    }

    /// Projects onto the axes and back.
    public func reconstruct(_ samples: Matrix, multiplier: any MatrixMultiplier = MatrixMultiplication.preferred) -> Matrix {
        decode(encode(samples, multiplier: multiplier), multiplier: multiplier)
    }
}

/// The eigenvalues and eigenvectors of a real symmetric matrix, in `Double`.
///
/// Two ways, chosen at run time:
/// - LAPACK's `dsyevd` (divide and conquer), looked up with `dlopen` in the same libraries
///   the matrix multiplier loads (OpenBLAS ships LAPACK): 784×784 takes a fraction of a second,
///   even in a debug build, which keeps `evaluate` and its tests quick;
/// - otherwise, Householder reduction to tridiagonal form and the implicit QL algorithm
///   (EISPACK's `tred2`/`tql2`, as in JAMA), written here: O(n³), no dependency, a few
///   seconds for 784×784 in a release build.
/// Both give eigenvalues ascending and orthonormal eigenvectors; they agree to rounding
/// (a test checks it), and each axis's sign is fixed afterwards by ``PCA``.
public struct SymmetricEigen: Sendable {
    /// The eigenvalues, ascending.
    public let values: [Double]
    /// The eigenvectors, one per row of `size` values, in the order of ``values``.
    public let vectors: [Double]
    /// Which implementation ran: `"LAPACK dsyevd (library)"` or `"Householder + QL"`.
    public let method: String

    /// Diagonalises the `size × size` symmetric `matrix` (row-major; only symmetry is assumed).
    public init(_ matrix: [Double], size: Int, allowLAPACK: Bool = true) {
        precondition(matrix.count == size * size, "A \(size)x\(size) matrix needs \(size * size) values.")
        if allowLAPACK, let lapack = LAPACK.shared, let result = lapack.symmetricEigen(matrix, size: size) {
            values = result.values
            vectors = result.vectors
            method = "LAPACK dsyevd (\(lapack.library))"
        } else {
            (values, vectors) = HouseholderQL.eigen(matrix, size: size)
            method = "Householder + QL"
        }
    }
}

/// `dsyevd_` from a LAPACK found at run time.
private final class LAPACK: @unchecked Sendable {
    // Fortran: DSYEVD(JOBZ, UPLO, N, A, LDA, W, WORK, LWORK, IWORK, LIWORK, INFO), plus the
    // hidden lengths of the two character arguments that gfortran appends.
    typealias DSYEVD = @convention(c) (
        UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<Int32>, UnsafeMutablePointer<Double>,
        UnsafePointer<Int32>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafePointer<Int32>,
        UnsafeMutablePointer<Int32>, UnsafePointer<Int32>, UnsafeMutablePointer<Int32>, Int, Int
    ) -> Void

    let library: String
    private let dsyevd: DSYEVD

    static let shared: LAPACK? = {
        if let requested = getenv("AUTOENCODER_LAPACK").map({ String(cString: $0) }), requested == "none" { return nil }
        for library in ["libopenblas.so.0", "libopenblas.so", "liblapack.so.3", "liblapack.so",
                        "/System/Library/Frameworks/Accelerate.framework/Accelerate"] {
            guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else { continue }
            if let symbol = dlsym(handle, "dsyevd_") {
                return LAPACK(library: library, dsyevd: unsafeBitCast(symbol, to: DSYEVD.self))
            }
            dlclose(handle)
        }
        return nil
    }()

    private init(library: String, dsyevd: DSYEVD) {
        self.library = library
        self.dsyevd = dsyevd
    }

    func symmetricEigen(_ matrix: [Double], size: Int) -> (values: [Double], vectors: [Double])? {
        guard size > 0, size < Int(Int32.max) else { return nil }
        // Row-major symmetric = column-major symmetric; the eigenvectors come back as the
        // columns of the column-major result, i.e. the rows of our row-major array.
        var a = matrix
        var w = [Double](repeating: 0, count: size)
        var n = Int32(size), lda = Int32(size), info: Int32 = 0
        var workSize: Double = 0
        var iworkSize: Int32 = 0
        var query: Int32 = -1
        a.withUnsafeMutableBufferPointer { a in
            dsyevd("V", "U", &n, a.baseAddress!, &lda, &w, &workSize, &query, &iworkSize, &query, &info, 1, 1)
        }
        guard info == 0 else { return nil }
        var lwork = Int32(workSize.rounded(.up)), liwork = max(iworkSize, 1)
        var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        a.withUnsafeMutableBufferPointer { a in
            dsyevd("V", "U", &n, a.baseAddress!, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        }
        guard info == 0 else { return nil }
        return (w, a)
    }
}

/// EISPACK's `tred2` and `tql2` (after JAMA's public-domain Java version).
enum HouseholderQL {
    /// Eigenvalues ascending and eigenvectors as rows.
    static func eigen(_ matrix: [Double], size n: Int) -> (values: [Double], vectors: [Double]) {
        guard n > 0 else { return ([], []) }
        var v = matrix  // V[i][j] = v[i * n + j]; on return the columns are the eigenvectors.
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)
        v.withUnsafeMutableBufferPointer { vb in
            d.withUnsafeMutableBufferPointer { db in
                e.withUnsafeMutableBufferPointer { eb in
                    let V = vb.baseAddress!, d = db.baseAddress!, e = eb.baseAddress!
                    tred2(V, d, e, n)
                    tql2(V, d, e, n)
                }
            }
        }
        // Sort ascending, moving the vectors (columns) along.
        let order = (0..<n).sorted { d[$0] < d[$1] || (d[$0] == d[$1] && $0 < $1) }
        var vectors = [Double](repeating: 0, count: n * n)
        for (row, column) in order.enumerated() {
            for k in 0..<n { vectors[row * n + k] = v[k * n + column] }
        }
        return (order.map { d[$0] }, vectors)
    }

    private static func tred2(_ V: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>,
                              _ e: UnsafeMutablePointer<Double>, _ n: Int) {
        for j in 0..<n { d[j] = V[(n - 1) * n + j] }
        var i = n - 1
        while i > 0 {
            var scale = 0.0
            var h = 0.0
            for k in 0..<i { scale += abs(d[k]) }
            if scale == 0 {
                e[i] = d[i - 1]
                for j in 0..<i {
                    d[j] = V[(i - 1) * n + j]
                    V[i * n + j] = 0
                    V[j * n + i] = 0
                }
            } else {
                for k in 0..<i {
                    d[k] /= scale
                    h += d[k] * d[k]
                }
                var f = d[i - 1]
                var g = h.squareRoot()
                if f > 0 { g = -g }
                e[i] = scale * g
                h -= f * g
                d[i - 1] = f - g
                for j in 0..<i { e[j] = 0 }
                for j in 0..<i {
                    f = d[j]
                    V[j * n + i] = f
                    g = e[j] + V[j * n + j] * f
                    var k = j + 1
                    while k <= i - 1 {
                        g += V[k * n + j] * d[k]
                        e[k] += V[k * n + j] * f
                        k += 1
                    }
                    e[j] = g
                }
                f = 0
                for j in 0..<i {
                    e[j] /= h
                    f += e[j] * d[j]
                }
                let hh = f / (h + h)
                for j in 0..<i { e[j] -= hh * d[j] }
                for j in 0..<i {
                    f = d[j]
                    g = e[j]
                    var k = j
                    while k <= i - 1 {
                        V[k * n + j] -= f * e[k] + g * d[k]
                        k += 1
                    }
                    d[j] = V[(i - 1) * n + j]
                    V[i * n + j] = 0
                }
            }
            d[i] = h
            i -= 1
        }
        // Accumulate the transformations.
        for i in 0..<(n - 1) {
            V[(n - 1) * n + i] = V[i * n + i]
            V[i * n + i] = 1
            let h = d[i + 1]
            if h != 0 {
                for k in 0...i { d[k] = V[k * n + i + 1] / h }
                for j in 0...i {
                    var g = 0.0
                    for k in 0...i { g += V[k * n + i + 1] * V[k * n + j] }
                    for k in 0...i { V[k * n + j] -= g * d[k] }
                }
            }
            for k in 0...i { V[k * n + i + 1] = 0 }
        }
        for j in 0..<n {
            d[j] = V[(n - 1) * n + j]
            V[(n - 1) * n + j] = 0
        }
        V[(n - 1) * n + n - 1] = 1
        e[0] = 0
    }

    private static func tql2(_ V: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>,
                             _ e: UnsafeMutablePointer<Double>, _ n: Int) {
        for i in 1..<max(n, 1) { e[i - 1] = e[i] }
        e[n - 1] = 0
        var f = 0.0
        var tst1 = 0.0
        let eps = 0x1p-52
        for l in 0..<n {
            tst1 = max(tst1, abs(d[l]) + abs(e[l]))
            var m = l
            while m < n {
                if abs(e[m]) <= eps * tst1 { break }
                m += 1
            }
            if m > l {
                repeat {
                    var g = d[l]
                    var p = (d[l + 1] - g) / (2 * e[l])
                    var r = (p * p + 1).squareRoot()
                    if p < 0 { r = -r }
                    d[l] = e[l] / (p + r)
                    d[l + 1] = e[l] * (p + r)
                    let dl1 = d[l + 1]
                    var h = g - d[l]
                    var i = l + 2
                    while i < n {
                        d[i] -= h
                        i += 1
                    }
                    f += h
                    p = d[m]
                    var c = 1.0, c2 = 1.0, c3 = 1.0
                    let el1 = e[l + 1]
                    var s = 0.0, s2 = 0.0
                    i = m - 1
                    while i >= l {
                        c3 = c2
                        c2 = c
                        s2 = s
                        g = c * e[i]
                        h = c * p
                        r = (p * p + e[i] * e[i]).squareRoot()
                        e[i + 1] = s * r
                        s = e[i] / r
                        c = p / r
                        p = c * d[i] - s * g
                        d[i + 1] = h + s * (c * g + s * d[i])
                        for k in 0..<n {
                            h = V[k * n + i + 1]
                            V[k * n + i + 1] = s * V[k * n + i] + c * h
                            V[k * n + i] = c * V[k * n + i] - s * h
                        }
                        i -= 1
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1
                    e[l] = s * p
                    d[l] = c * p
                } while abs(e[l]) > eps * tst1
            }
            d[l] += f
            e[l] = 0
        }
    }
}
