// libFuzzer harness for the IDX reader (compiled by Fuzz/run.sh together with
// Sources/AutoencoderData/*.swift into one module; needs -I Sources/CZlib -lz).
//
// The reader has no parse-from-bytes entry point: it reads from a path (so that it can
// stream and inflate gzip without holding the file twice). The harness therefore writes
// each input to one scratch file — under $FUZZ_SCRATCH, which Fuzz/run.sh points into
// Fuzz/.work/ — and calls the public `IDXReader.read(contentsOf:as:)`, which covers both
// the raw and the gzip paths. On success it checks that the payload size matches the
// declared dimensions.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The scratch file that holds the current input, created once per process.
private let scratchPath: String = {
    let folder = getenv("FUZZ_SCRATCH").map { String(cString: $0) } ?? "/tmp"
    return folder + "/idx-input-\(getpid())"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let descriptor = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    precondition(descriptor >= 0, "cannot create the scratch file \(scratchPath)")
    var written = 0
    while written < size {
        let count = write(descriptor, data + written, size - written)
        precondition(count > 0, "cannot write the scratch file \(scratchPath)")
        written += count
    }
    close(descriptor)

    for kind in [IDXKind.anyArray, .images] {
        guard let array = try? IDXReader.read(contentsOf: scratchPath, as: kind) else { continue }
        var elements = 1
        for dimension in array.dimensions {
            precondition(dimension >= 0, "accepted a negative dimension")
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            precondition(!overflow, "accepted a shape whose element count overflows")
            elements = product
        }
        precondition(elements == array.bytes.count, "payload size does not match the dimensions")
        if let expected = kind.dimensionCount { precondition(array.dimensions.count == expected) }
    }
    return 0
}
