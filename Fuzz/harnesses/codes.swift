// libFuzzer harness for the codes readers of `decode --codes` (compiled by Fuzz/run.sh
// together with Sources/Autoencoder/*.swift into one module, so internal API is visible;
// the modules it depends on are built first, each on its own, under Fuzz/.work/modules/).
//
// Each input is read both ways `CodeFile.read(_:)` reads a file after loading its bytes:
// as CSV text (`CodeFile.codes(csv:path:)`) and as a `.npy` array (`NPYArray(bytes:file:)`,
// fuzzed on its own by the `npy` target, then `CodeFile.codes(npy:path:)`). A refusal must
// be one `ArrayFileError` sentence. Codes that load must be a matrix of finite numbers (at
// least one code from CSV), and survive being written (as `CodeFile.write` writes CSV and
// `.npy`) and read back bit for bit.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    if let codes = accepted({ try CodeFile.codes(csv: Data(bytes), path: "fuzz-input.csv") }) {
        checkCodes(codes)
        precondition(codes.rows >= 1 && codes.columns >= 1, "accepted a CSV file without codes")
        // Written as `encode` writes CSV (with and without labels) and read again.
        for labels in [nil, (0..<codes.rows).map { UInt8(truncatingIfNeeded: $0) }] {
            let text = CodeFile.csv(codes, labels: labels)
            let again = try! CodeFile.codes(csv: Data(text.utf8), path: "round-trip.csv")
            precondition(again.rows == codes.rows && again.columns == codes.columns
                         && again.storage.map(\.bitPattern) == codes.storage.map(\.bitPattern),
                         "CSV codes changed in a write/read round trip")
        }
    }

    if let array = try? NPYArray(bytes: bytes, file: "fuzz-input.npy"),
       let codes = accepted({ try CodeFile.codes(npy: array, path: "fuzz-input.npy") }) {
        checkCodes(codes)
        precondition(array.shape == [codes.rows, codes.columns], "the codes' shape is not the array's")
        let again = try! CodeFile.codes(npy: NPYArray(bytes: NPY.encode(codes.storage, shape: [codes.rows, codes.columns])),
                                        path: "round-trip.npy")
        precondition(again.rows == codes.rows && again.columns == codes.columns
                     && again.storage.map(\.bitPattern) == codes.storage.map(\.bitPattern),
                     ".npy codes changed in a write/read round trip")
    }
    return 0
}

/// What every code matrix promises: a value per cell, all finite.
func checkCodes(_ codes: Matrix) {
    precondition(codes.rows >= 0 && codes.columns >= 0 && codes.storage.count == codes.rows * codes.columns,
                 "the matrix's size is wrong")
    precondition(codes.storage.allSatisfy(\.isFinite), "accepted NaN or infinite codes")
}
