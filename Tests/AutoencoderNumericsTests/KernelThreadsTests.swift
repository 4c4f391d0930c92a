import Testing
import AutoencoderNumerics

/// The process-wide thread limit of the kernels' worker pool.
@Suite(.serialized) struct KernelThreadsTests {
    /// A product large enough to be split over the cores (above the parallel threshold).
    func product(multiplier: BuiltInMatrixMultiplier) -> [Float] {
        let m = 256, n = 384, k = 300
        let a = (0..<(m * k)).map { Float(($0 * 37) % 101) / 101 - 0.5 }
        let b = (0..<(k * n)).map { Float(($0 * 53) % 97) / 97 - 0.5 }
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    multiplier.multiply(.none, .none, m: m, n: n, k: k, alpha: 1, a: a.baseAddress!, lda: k,
                                        b: b.baseAddress!, ldb: n, beta: 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    @Test func theLimitIsSetReadAndRemoved() {
        defer { KernelThreads.setLimit(nil) }
        KernelThreads.setLimit(1)
        #expect(KernelThreads.limit == 1 && KernelThreads.effective == 1)
        KernelThreads.setLimit(1000)
        #expect(KernelThreads.limit == 1000)
        #expect(KernelThreads.effective == BuiltInMatrixMultiplier.coreCount)
        KernelThreads.setLimit(nil)
        #expect(KernelThreads.limit == nil && KernelThreads.effective == BuiltInMatrixMultiplier.coreCount)
    }

    /// The split into parts does not depend on the limit, so neither does any result: one
    /// thread, two, and a multiplier that never splits all give the same bits.
    @Test func aProductIsTheSameOnOneThreadAsOnAll() {
        defer { KernelThreads.setLimit(nil) }
        let all = product(multiplier: BuiltInMatrixMultiplier())
        KernelThreads.setLimit(1)
        let one = product(multiplier: BuiltInMatrixMultiplier())
        KernelThreads.setLimit(2)
        let two = product(multiplier: BuiltInMatrixMultiplier())
        KernelThreads.setLimit(nil)
        let unsplit = product(multiplier: BuiltInMatrixMultiplier(maximumThreads: 1))
        #expect(one == all)
        #expect(two == all)
        #expect(unsplit == all)
        #expect(all.contains { $0 != 0 })
    }
}
