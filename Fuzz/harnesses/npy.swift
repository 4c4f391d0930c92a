// libFuzzer harness for the .npy reader (compiled by Fuzz/run.sh together with
// Sources/AutoencoderSerialization/*.swift into one module, so internal API is visible).
//
// Besides "does not crash", it checks what a successful parse promises: the data size
// matches the shape and dtype, and a float32 array survives a write/read round trip.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let array = try? NPYArray(bytes: bytes, file: "fuzz-input") else { return 0 }

    var elements = 1
    for dimension in array.shape {
        precondition(dimension >= 0, "accepted a negative dimension")
        let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
        precondition(!overflow, "accepted a shape whose element count overflows")
        elements = product
    }
    // Even with a 0 among them, the other sizes multiply to a count that fits, so that a
    // reader may multiply any of them (the pixels of one image, say).
    var nonZero = 1
    for dimension in array.shape where dimension != 0 {
        let (product, overflow) = nonZero.multipliedReportingOverflow(by: dimension)
        precondition(!overflow, "accepted sizes whose product without the zeros overflows")
        nonZero = product
    }
    precondition(elements * array.dtype.byteCount == array.data.count, "size does not match shape")
    let values = array.floats()
    precondition(values.count == elements)
    if array.dtype == .uint8 {
        precondition(try! array.uint8Values().count == elements)
    }
    if array.dtype == .float32 {
        let again = try! NPYArray(bytes: NPY.encode(values, shape: array.shape))
        precondition(again.shape == array.shape, "shape changed in a round trip")
        precondition(again.data.elementsEqual(array.data), "values changed in a round trip")
    }
    return 0
}
