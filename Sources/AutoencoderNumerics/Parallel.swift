import Dispatch

/// Splits elementwise work over the machine's cores when it is large enough to pay.
public enum Parallel {
    /// The number of chunks work is split into: the number of active processors.
    public static let width: Int = max(1, min(ProcessInfoCores.count, 8))

    /// Element counts below this run on the calling thread: waking a second thread
    /// costs a few microseconds, about what 30,000 simple float operations take.
    public static let minimumParallelCount = 32_768

    /// Calls `body` on disjoint subranges that together cover `0..<count`, in parallel
    /// when `count` is at least ``minimumParallelCount``. Subrange bounds are multiples of
    /// `alignment` (except the last), so SIMD loops see whole vectors.
    @inlinable
    public static func forEachChunk(of count: Int, alignment: Int = 16, _ body: (Range<Int>) -> Void) {
        let chunks = count >= minimumParallelCount ? width : 1
        if chunks == 1 {
            body(0..<count)
            return
        }
        let perChunk = ((count + chunks - 1) / chunks + alignment - 1) / alignment * alignment
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { index in
                let start = min(index * perChunk, count)
                let end = min(start + perChunk, count)
                if start < end { box.value(start..<end) }
            }
        }
    }
}

/// Wraps a value that is shared across threads under the caller's guarantee that
/// the threads touch disjoint memory.
@usableFromInline
struct UncheckedSendable<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}

/// The number of processors the process may use.
enum ProcessInfoCores {
    static let count: Int = {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 2
        #endif
    }()
}

#if canImport(Glibc)
import Glibc
#endif
