import AutoencoderNumerics
import CAutoencoderKernels
import Foundation
import Testing

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

    /// The CPU time (clock ticks) of each of the pool's workers, by name (`ae-worker-N`).
    static func workerTicks() throws -> [String: Int] {
        var ticks: [String: Int] = [:]
        for task in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") {
            let name = try String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard name.hasPrefix("ae-worker-") else { continue }
            let stat = try String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8)
            // The fields after the name in parentheses; utime and stime are the 14th and 15th.
            let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
            ticks[name] = Int(fields[11])! + Int(fields[12])!
        }
        return ticks
    }

    /// Workers beyond a lowered limit take no tasks and sleep through the batches that run
    /// meanwhile (they used to be woken by each one and look for work for 200 µs), and
    /// take tasks again once the limit is lifted.
    @Test func workersBeyondTheLimitSleepThroughBatches() throws {
        defer { KernelThreads.setLimit(nil) }
        KernelThreads.setLimit(nil)
        // A batch of four tasks starts three workers (ae-worker-0 to -2) if they are not there
        // yet (again if another test's batch held the pool, which then runs this one alone).
        let task: ae_task = { _, _ in }
        var attempts = 0
        while try !Self.workerTicks().keys.contains("ae-worker-2"), attempts < 1_000 {
            ae_parallel_for(4, task, nil)
            attempts += 1
        }
        KernelThreads.setLimit(2)   // the caller and ae-worker-0
        usleep(20_000)              // past the workers' spinning
        let before = try Self.workerTicks()
        #expect(before.keys.contains("ae-worker-1") && before.keys.contains("ae-worker-2"), "\(before)")
        // Batches 0.5 ms apart: each would have kept every excluded worker busy for 200 µs.
        for _ in 0..<1_000 {
            ae_parallel_for(2, task, nil)
            usleep(500)
        }
        let after = try Self.workerTicks()
        for name in ["ae-worker-1", "ae-worker-2"] {
            let used = (after[name] ?? 0) - (before[name] ?? 0)
            #expect(used <= 5, "\(name) used \(used) clock ticks while beyond the limit")
        }
        // Lifted again: every product still comes out whole.
        KernelThreads.setLimit(nil)
        let all = product(multiplier: BuiltInMatrixMultiplier())
        #expect(all.contains { $0 != 0 })
        ae_parallel_for(4, task, nil)
    }
}
