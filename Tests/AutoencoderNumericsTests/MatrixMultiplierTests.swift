import Testing
import AutoencoderNumerics

// Checks of the built-in SGEMM (every kernel this CPU can run) against a naive triple
// loop accumulating in Double, and against the system CBLAS when one loads.

/// A small deterministic generator (SplitMix64), so failures reproduce.
private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` values uniform in [-1, 1).
    mutating func floats(_ count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            var index = 0
            while index < count {
                buffer[index] = Float(next() >> 40) / Float(1 << 23) - 1
                index += 1
            }
            initialized = count
        }
    }
}

/// One product `C ← α·op(A)·op(B) + β·C` with padded leading dimensions.
private struct Problem: CustomStringConvertible {
    let transposeA: Transpose, transposeB: Transpose
    let m: Int, n: Int, k: Int
    let lda: Int, ldb: Int, ldc: Int
    let a: [Float], b: [Float]

    /// Leading dimensions are the stored widths plus a little (so rows have gaps), or
    /// `leadingDimension` for all three.
    init(_ transposeA: Transpose, _ transposeB: Transpose, m: Int, n: Int, k: Int, seed: UInt64,
         leadingDimension: Int? = nil) {
        self.transposeA = transposeA
        self.transposeB = transposeB
        self.m = m
        self.n = n
        self.k = k
        lda = leadingDimension ?? (transposeA == .none ? k : m) + 3
        ldb = leadingDimension ?? (transposeB == .none ? n : k) + 5
        ldc = leadingDimension ?? n + 2
        var random = SplitMix64(state: seed)
        a = random.floats((transposeA == .none ? m : k) * lda)
        b = random.floats((transposeB == .none ? k : n) * ldb)
    }

    var description: String {
        "\(transposeA == .none ? "N" : "T")\(transposeB == .none ? "N" : "T") m=\(m) n=\(n) k=\(k) lda=\(lda) ldb=\(ldb) ldc=\(ldc)"
    }

    /// Rows worth checking against the slow reference: all of them for small products,
    /// else the rows around register-tile and thread-chunk boundaries.
    var rowsToCheck: [Int] {
        if m * n * k <= 300_000 { return Array(0..<m) }
        let candidates = [0, 1, 5, 6, 7, 8, 15, 16, 17, m / 2, m - 17, m - 16, m - 9, m - 8, m - 2, m - 1]
        return Array(Set(candidates.filter { $0 >= 0 && $0 < m })).sorted()
    }

    /// op(A)·op(B) on the given rows, by the naive triple loop accumulating in Double.
    func naiveProduct(rows: [Int]) -> Reference {
        var values = [Double](repeating: 0, count: rows.count * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                values.withUnsafeMutableBufferPointer { values in
                    let (aRow, aColumn) = transposeA == .none ? (lda, 1) : (1, lda)
                    let (bRow, bColumn) = transposeB == .none ? (ldb, 1) : (1, ldb)
                    for (r, i) in rows.enumerated() {
                        for j in 0..<n {
                            var sum = 0.0
                            var p = 0
                            while p < k {
                                sum += Double(a[i * aRow + p * aColumn]) * Double(b[p * bRow + j * bColumn])
                                p += 1
                            }
                            values[r * n + j] = sum
                        }
                    }
                }
            }
        }
        return Reference(rows: rows, values: values)
    }

    /// An initial C: random values, or all NaN (for beta == 0, which must not read C).
    func initialC(nanFilled: Bool, seed: UInt64) -> [Float] {
        if nanFilled { return [Float](repeating: .nan, count: m * ldc) }
        var random = SplitMix64(state: seed)
        return random.floats(m * ldc)
    }

    /// Runs `multiplier` on a copy of `c`.
    func run(_ multiplier: any MatrixMultiplier, alpha: Float, beta: Float, c: [Float]) -> [Float] {
        var c = c
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    multiplier.multiply(
                        transposeA, transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb,
                        beta: beta, c: c.baseAddress!, ldc: ldc)
                }
            }
        }
        return c
    }
}

/// Some rows of op(A)·op(B), computed in Double: `values[r * n + j]` is row `rows[r]`.
private struct Reference {
    let rows: [Int]
    let values: [Double]
}

/// Whether `|x − r| ≤ 1e-4·(1 + |r|)`: relative for large values, absolute near zero.
@inline(__always)
private func close(_ x: Float, _ r: Double) -> Bool {
    let difference = Double(x) - r
    return difference.magnitude <= 1e-4 * (1 + r.magnitude)
}

/// Counts the elements of `result` that differ from `α·product + β·c0` on the reference's
/// rows, plus any change to the padding columns n..<ldc of any row.
private func mismatches(_ result: [Float], _ problem: Problem, _ reference: Reference,
                        alpha: Float, beta: Float, c0: [Float]) -> Int {
    var bad = 0
    let n = problem.n, ldc = problem.ldc
    result.withUnsafeBufferPointer { result in
        c0.withUnsafeBufferPointer { c0 in
            reference.values.withUnsafeBufferPointer { values in
                for (r, i) in reference.rows.enumerated() {
                    for j in 0..<n {
                        let old = beta == 0 ? 0 : Double(beta) * Double(c0[i * ldc + j])
                        if !close(result[i * ldc + j], Double(alpha) * values[r * n + j] + old) { bad += 1 }
                    }
                }
                if ldc > n {
                    for i in 0..<problem.m {
                        for j in n..<ldc where result[i * ldc + j].bitPattern != c0[i * ldc + j].bitPattern {
                            bad += 1
                        }
                    }
                }
            }
        }
    }
    return bad
}

/// Counts the elements of C (m × n, leading dimension ldc) where `result` and `expected` differ.
private func mismatches(_ result: [Float], _ expected: [Float], _ problem: Problem) -> Int {
    var bad = 0
    result.withUnsafeBufferPointer { result in
        expected.withUnsafeBufferPointer { expected in
            for i in 0..<problem.m {
                var index = i * problem.ldc
                let end = index + problem.n
                while index < end {
                    if !close(result[index], Double(expected[index])) { bad += 1 }
                    index += 1
                }
            }
        }
    }
    return bad
}

/// Every kernel this build can run on this CPU, with two threads allowed so that the
/// large products also go through the split path.
private let builtInMultipliers: [BuiltInMatrixMultiplier] =
    BuiltInMatrixMultiplier.Kernel.allCases.compactMap { BuiltInMatrixMultiplier(kernel: $0, maximumThreads: 2) }

private let transposeCombinations: [(Transpose, Transpose)] =
    [(.none, .none), (.transposed, .none), (.none, .transposed), (.transposed, .transposed)]

// Note: `swift test` builds the C kernels without optimisation, so the products here are
// kept to what runs in a few seconds at -O0.
@Suite("Matrix multipliers")
struct MatrixMultiplierTests {
    @Test("Whole-matrix products: the untransposed shorthand and a new matrix")
    func wholeMatrixProducts() {
        let a = Matrix([[1, 2, 3], [4, 5, 6]]), b = Matrix([[1, 0], [0, 1], [2, -1]])
        let expected = Matrix([[7, -1], [16, -1]])
        let multiplier = BuiltInMatrixMultiplier()
        #expect(multiplier.product(a, b) == expected)
        #expect(multiplier.product(b, .transposed, a, .transposed) == Matrix([[7, 16], [-1, -1]]))
        var c = Matrix(rows: 2, columns: 2, repeating: 1)
        a.withView { a in b.withView { b in c.withMutableView { multiplier.multiply(a, b, into: $0, beta: 1) } } }
        #expect(c == Matrix([[8, 0], [17, 0]]))
    }

    @Test("Every built-in kernel matches a naive triple loop on odd shapes")
    func oddShapesMatchNaiveLoop() {
        let dimensions = [1, 7, 33, 257]
        var seed: UInt64 = 1
        for (transposeA, transposeB) in transposeCombinations {
            for m in dimensions {
                for n in dimensions {
                    for k in dimensions {
                        seed += 1
                        let problem = Problem(transposeA, transposeB, m: m, n: n, k: k, seed: seed)
                        let product = problem.naiveProduct(rows: problem.rowsToCheck)
                        let random = problem.initialC(nanFilled: false, seed: seed ^ 0xABCD)
                        let nans = problem.initialC(nanFilled: true, seed: 0)
                        for multiplier in builtInMultipliers {
                            let scaled = problem.run(multiplier, alpha: 0.5, beta: 0.25, c: random)
                            #expect(mismatches(scaled, problem, product, alpha: 0.5, beta: 0.25, c0: random) == 0,
                                    "\(multiplier.name) \(problem) alpha 0.5 beta 0.25")
                            let overwritten = problem.run(multiplier, alpha: 1.5, beta: 0, c: nans)
                            #expect(mismatches(overwritten, problem, product, alpha: 1.5, beta: 0, c0: nans) == 0,
                                    "\(multiplier.name) \(problem) alpha 1.5 beta 0 over NaN")
                        }
                    }
                }
            }
        }
    }

    /// The products of a 784-256-128-… autoencoder trained with batch 256: forward
    /// `X·W`, backward `Xᵀ·dY` and `dY·Wᵀ`, and the thin layers near the code.
    static let networkShapes: [(m: Int, n: Int, k: Int)] = [
        (256, 256, 784), (256, 128, 256), (256, 256, 128), (256, 784, 256),
        (784, 256, 256), (256, 10, 64), (256, 2, 10), (64, 10, 256),
    ]

    @Test("The default built-in multiplier matches OpenBLAS and the naive loop on the network's shapes")
    func networkShapesMatchBLASAndNaiveLoop() {
        // The kernel `BuiltInMatrixMultiplier()` dispatches (the others run the odd shapes).
        let multiplier = BuiltInMatrixMultiplier(maximumThreads: 2)
        let blas = CBLASMatrixMultiplier.load()
        var seed: UInt64 = 1000
        for (m, n, k) in Self.networkShapes {
            for (transposeA, transposeB) in transposeCombinations {
                seed += 1
                let problem = Problem(transposeA, transposeB, m: m, n: n, k: k, seed: seed)
                let product = problem.naiveProduct(rows: Array(Set([0, 7, 8, m / 2 + 3, m - 1])).filter { $0 < m })
                let c0 = problem.initialC(nanFilled: false, seed: seed)
                let nans = problem.initialC(nanFilled: true, seed: 0)

                let result = problem.run(multiplier, alpha: 0.5, beta: 0.25, c: c0)
                #expect(mismatches(result, problem, product, alpha: 0.5, beta: 0.25, c0: c0) == 0,
                        "\(multiplier.name) vs naive loop: \(problem)")
                let overNaN = problem.run(multiplier, alpha: 0.5, beta: 0, c: nans)
                #expect(mismatches(overNaN, problem, product, alpha: 0.5, beta: 0, c0: nans) == 0,
                        "\(multiplier.name) vs naive loop, beta 0 over NaN: \(problem)")
                if let blas {
                    let reference = problem.run(blas, alpha: 0.5, beta: 0.25, c: c0)
                    #expect(mismatches(result, reference, problem) == 0, "\(multiplier.name) vs CBLAS: \(problem)")
                    let referenceOverNaN = problem.run(blas, alpha: 0.5, beta: 0, c: nans)
                    #expect(mismatches(overNaN, referenceOverNaN, problem) == 0,
                            "\(multiplier.name) vs CBLAS, beta 0 over NaN: \(problem)")
                }
            }
        }
    }

    @Test("Rows 2 KiB or 4 KiB apart (packed instead of read in place) give the same results")
    func cacheAliasingStrides() {
        // Leading dimensions that are multiples of 512 floats make the kernel pack operands
        // it would otherwise read in place; check those packing paths too.
        var seed: UInt64 = 500
        for (m, n, k, ld) in [(37, 45, 300, 512), (21, 70, 530, 1024)] {
            for (transposeA, transposeB) in transposeCombinations {
                seed += 1
                let problem = Problem(transposeA, transposeB, m: m, n: n, k: k, seed: seed, leadingDimension: ld)
                let product = problem.naiveProduct(rows: Array(0..<m))
                let c0 = problem.initialC(nanFilled: false, seed: seed)
                for multiplier in builtInMultipliers {
                    let result = problem.run(multiplier, alpha: 0.5, beta: 0.25, c: c0)
                    #expect(mismatches(result, problem, product, alpha: 0.5, beta: 0.25, c0: c0) == 0,
                            "\(multiplier.name) \(problem)")
                }
            }
        }
    }

    @Test("Products wider than one packed block of B and deeper than one block of k")
    func productsSpanningSeveralBlocks() {
        // n > 1024 and k > 512 take several passes of the blocking loops (C is updated
        // with beta only on the first pass over k).
        var seed: UInt64 = 900
        for (transposeA, transposeB) in transposeCombinations {
            seed += 1
            let problem = Problem(transposeA, transposeB, m: 19, n: 1100, k: 530, seed: seed)
            let product = problem.naiveProduct(rows: [0, 8, 16, 18])
            let c0 = problem.initialC(nanFilled: false, seed: seed)
            for multiplier in builtInMultipliers {
                let result = problem.run(multiplier, alpha: -0.5, beta: 0.25, c: c0)
                #expect(mismatches(result, problem, product, alpha: -0.5, beta: 0.25, c0: c0) == 0,
                        "\(multiplier.name) \(problem)")
            }
        }
    }

    @Test("Splitting a product over threads gives bit-identical results")
    func threadsDoNotChangeResults() {
        // Wide C (split by columns), tall narrow C (split by rows), transposed operands.
        let shapes = [(64, 784, 300, Transpose.none, Transpose.transposed),
                      (784, 20, 512, Transpose.transposed, Transpose.none),
                      (300, 300, 300, Transpose.transposed, Transpose.transposed)]
        for (index, (m, n, k, transposeA, transposeB)) in shapes.enumerated() {
            let problem = Problem(transposeA, transposeB, m: m, n: n, k: k, seed: UInt64(77 + index))
            let c0 = problem.initialC(nanFilled: false, seed: 5)
            for kernel in BuiltInMatrixMultiplier.Kernel.allCases where kernel.isSupported {
                let single = problem.run(BuiltInMatrixMultiplier(kernel: kernel, maximumThreads: 1)!,
                                         alpha: 0.5, beta: 0.25, c: c0)
                let split = problem.run(BuiltInMatrixMultiplier(kernel: kernel, maximumThreads: 2)!,
                                        alpha: 0.5, beta: 0.25, c: c0)
                #expect(single.map(\.bitPattern) == split.map(\.bitPattern), "\(kernel) \(problem)")
            }
        }
    }

    @Test("alpha == 0 and k == 0 only scale C; empty products touch nothing")
    func degenerateProducts() {
        let nan = Float.nan
        let a: [Float] = [nan, nan, nan, nan, nan, nan]
        let b: [Float] = [nan, nan, nan, nan, nan, nan]
        for multiplier in builtInMultipliers {
            // alpha == 0: A and B are not read (their NaNs must not reach C).
            var c: [Float] = [1, 2, 3, 4]
            multiplier.multiply(.none, .none, m: 2, n: 2, k: 3, alpha: 0, a: a, lda: 3, b: b, ldb: 2,
                                beta: 0.5, c: &c, ldc: 2)
            #expect(c == [0.5, 1, 1.5, 2], "\(multiplier.name) alpha 0")
            // alpha == 0, beta == 0: C becomes zero even if it held NaN.
            var cNaN: [Float] = [nan, nan, nan, nan]
            multiplier.multiply(.none, .none, m: 2, n: 2, k: 3, alpha: 0, a: a, lda: 3, b: b, ldb: 2,
                                beta: 0, c: &cNaN, ldc: 2)
            #expect(cNaN == [0, 0, 0, 0], "\(multiplier.name) alpha 0 beta 0")
            // k == 0: C ← beta·C.
            var cK: [Float] = [1, 2, 3, 4]
            multiplier.multiply(.transposed, .transposed, m: 2, n: 2, k: 0, alpha: 1, a: a, lda: 2, b: b, ldb: 1,
                                beta: 2, c: &cK, ldc: 2)
            #expect(cK == [2, 4, 6, 8], "\(multiplier.name) k 0")
            // m == 0 or n == 0: nothing happens.
            var untouched: [Float] = [7, 7]
            multiplier.multiply(.none, .none, m: 0, n: 2, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 2,
                                beta: 0, c: &untouched, ldc: 2)
            multiplier.multiply(.none, .none, m: 1, n: 0, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 1,
                                beta: 0, c: &untouched, ldc: 1)
            #expect(untouched == [7, 7], "\(multiplier.name) empty")
        }
    }

    @Test("A 2×3 times 3×2 product, by hand")
    func smallProductByHand() {
        let a: [Float] = [1, 2, 3,
                          4, 5, 6]
        let b: [Float] = [7, 8,
                          9, 10,
                          11, 12]
        for multiplier in builtInMultipliers {
            var c: [Float] = [1, 1, 1, 1]
            multiplier.multiply(.none, .none, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 2,
                                beta: 1, c: &c, ldc: 2)
            #expect(c == [59, 65, 140, 155], "\(multiplier.name)")
            // Aᵀ stored as 3×2 and Bᵀ stored as 2×3 give the same product.
            let at: [Float] = [1, 4, 2, 5, 3, 6]
            let bt: [Float] = [7, 9, 11, 8, 10, 12]
            var ct: [Float] = [0, 0, 0, 0]
            multiplier.multiply(.transposed, .transposed, m: 2, n: 2, k: 3, alpha: 1, a: at, lda: 2, b: bt, ldb: 3,
                                beta: 0, c: &ct, ldc: 2)
            #expect(ct == [58, 64, 139, 154], "\(multiplier.name)")
        }
    }

    @Test("The name reports the dispatched kernel")
    func nameReportsKernel() {
        let multiplier = BuiltInMatrixMultiplier()
        #expect(multiplier.kernel == .best)
        #expect(multiplier.kernel.isSupported)
        #expect(BuiltInMatrixMultiplier.Kernel.portable.isSupported)
        #expect(multiplier.name == "built-in (\(multiplier.kernel))")
        #expect(["built-in (AVX-512)", "built-in (AVX2+FMA)", "built-in (portable)"].contains(multiplier.name))
        #if arch(x86_64)
        // A CPU with AVX-512F always has AVX2 and FMA as well.
        if BuiltInMatrixMultiplier.Kernel.avx512.isSupported {
            #expect(BuiltInMatrixMultiplier.Kernel.avx2FMA.isSupported)
            #expect(multiplier.kernel == .avx512)
        }
        #else
        #expect(multiplier.kernel == .portable)
        #endif
    }
}

extension MatrixMultiplier {
    /// The backends' package-level pointer form, with leading dimensions larger than a row,
    /// which the public, view-based requirement cannot express.
    func multiply(
        _ transposeA: Transpose, _ transposeB: Transpose, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        switch self {
        case let builtIn as BuiltInMatrixMultiplier:
            builtIn.multiply(transposeA, transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                             beta: beta, c: c, ldc: ldc)
        case let cblas as CBLASMatrixMultiplier:
            cblas.multiply(transposeA, transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                           beta: beta, c: c, ldc: ldc)
        default:
            preconditionFailure("No pointer form for \(name).")
        }
    }
}
