// libFuzzer harness for the safetensors reader (compiled by Fuzz/run.sh together with
// Sources/AutoencoderSerialization/*.swift into one module, so internal API is visible).
//
// Besides "does not crash", it checks what a successful parse promises: every tensor's
// byte count matches its shape and dtype, the tensors account for every byte of the
// file, and an all-F32 file survives a write/read round trip unchanged.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? SafeTensorsFile(bytes: bytes, file: "fuzz-input") else { return 0 }

    let headerLength = Int(LittleEndian.unsigned(bytes[...], at: 0, size: 8))
    var covered = 0
    var float32Tensors: [NamedFloatTensor] = []
    var allFloat32 = true
    for tensor in file.tensors {
        var elements = 1
        for dimension in tensor.shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            precondition(!overflow, "accepted a shape whose element count overflows")
            elements = product
        }
        precondition(elements * tensor.dtype.byteCount == tensor.data.count, "size does not match shape")
        precondition(tensor.elementCount == elements)
        covered += tensor.data.count
        if tensor.dtype == .float32 {
            let values = try! tensor.floats()
            precondition(values.count == elements)
            float32Tensors.append(NamedFloatTensor(name: tensor.name, shape: tensor.shape, values: values))
        } else {
            allFloat32 = false
            if let values = try? tensor.floats() { precondition(values.count == elements) }
        }
    }
    precondition(8 + headerLength + covered == size, "accepted bytes that belong to no tensor")

    if allFloat32 {
        let again = try! SafeTensorsFile(bytes: SafeTensors.encode(float32Tensors, metadata: file.metadata))
        precondition(again.metadata == file.metadata, "metadata changed in a round trip")
        precondition(again.tensorNames == file.tensorNames, "names changed in a round trip")
        for tensor in float32Tensors {
            let read = try! again.tensor(named: tensor.name)
            precondition(read.shape == tensor.shape, "shape changed in a round trip")
            precondition(try! read.floats().map(\.bitPattern) == tensor.values.map(\.bitPattern), "values changed")
        }
    }
    return 0
}
