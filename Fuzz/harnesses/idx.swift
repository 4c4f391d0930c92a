// libFuzzer harness for the IDX reader (compiled by Fuzz/run.sh together with
// Sources/AutoencoderData/*.swift into one module; needs -I Sources/CZlib -lz).
//
// Each input goes straight to the in-memory entry `IDXReader.read(bytes:named:as:)`,
// which runs the same checks as the file reader and covers both the raw and the gzip
// paths (told apart by the gzip magic). On success it checks that the payload size
// matches the declared dimensions.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for kind in [IDXKind.anyArray, .images] {
        guard let array = try? IDXReader.read(bytes: bytes, named: "fuzz-input", as: kind) else { continue }
        var elements = 1
        for dimension in array.dimensions {
            precondition(dimension >= 0, "accepted a negative dimension")
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            precondition(!overflow, "accepted a shape whose element count overflows")
            elements = product
        }
        // Even with a 0 among them, the other sizes multiply to a count that fits, so that a
        // reader may multiply any of them (the pixels of one image, say).
        var nonZero = 1
        for dimension in array.dimensions where dimension != 0 {
            let (product, overflow) = nonZero.multipliedReportingOverflow(by: dimension)
            precondition(!overflow, "accepted sizes whose product without the zeros overflows")
            nonZero = product
        }
        precondition(elements == array.bytes.count, "payload size does not match the dimensions")
        if let expected = kind.dimensionCount { precondition(array.dimensions.count == expected) }
    }
    return 0
}
