// libFuzzer harness for the NumPy data-set reader (compiled by Fuzz/run.sh together with
// Sources/AutoencoderData/**/*.swift into one module, so internal API is visible).
//
// Each input is read as a `.npy` (every channel choice) and as an `.npz` archive (every
// member as an array, unzipped in memory). On success every sample is converted, so a
// layout whose offsets or strides reached past the data would show under AddressSanitizer.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for channelsFirst in [nil, true, false] {
        if let dataset = try? NumPyReader.readNPY(bytes: bytes, named: "fuzz.npy", channelsFirst: channelsFirst) {
            check(dataset)
        }
    }
    if let archive = try? ZIPArchive(bytes: bytes) {
        for entry in archive.entries.prefix(4) {
            guard let member = try? archive.contents(of: entry) else { continue }
            if let dataset = try? NumPyReader.inMemoryDataset(member, path: "fuzz.npz", array: entry.name,
                                                              channelsFirst: nil, labels: nil) {
                check(dataset)
            }
        }
    }
    return 0
}

/// Converts every sample (a few at most, to stay fast) and reads the summary.
private func check(_ dataset: Dataset) {
    precondition(dataset.sampleShape.reduce(1, *) == dataset.width, "a sample shape that does not hold the width")
    let count = min(dataset.count, 64)
    guard count > 0, dataset.width <= 1 << 16 else { return }
    let values = dataset.samples(in: 0..<count)
    precondition(values.count == count * dataset.width)
    if dataset.count <= 64 { _ = DatasetSummary(dataset) }
}
