// libFuzzer harness for the image-file reader of `encode`/`reconstruct --input` (compiled
// by Fuzz/run.sh together with Sources/Autoencoder/*.swift into one module, so internal API
// is visible; the modules it depends on are built first, each on its own, under
// Fuzz/.work/modules/).
//
// Each input is read both ways `ImageFile.read(_:)` reads a file: as a `.npy` array
// (`NPYArray(bytes:file:)`, then `ImageFile.images(npy:path:)`) and as IDX, raw or gzip
// (`IDXReader.read(bytes:named:as:)`, then `ImageFile.images(idx:path:)`); the two
// underlying readers are fuzzed on their own by the `npy` and `idx` targets. A refusal must
// be one `ArrayFileError` sentence. Images that load must be one row per image, as wide as
// the array's other dimensions multiply to (and the recorded rows x columns, if any), with
// every pixel in [0, 1] (bytes divided by 255).

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    if let array = try? NPYArray(bytes: bytes, file: "fuzz-input.npy"),
       let file = accepted({ try ImageFile.images(npy: array, path: "fuzz-input.npy") }) {
        check(file, dimensions: array.shape)
        if array.dtype == .uint8 {
            precondition(file.images.storage == (try! array.uint8Values()).map { Float($0) / 255 },
                         "bytes are not divided by 255")
        } else {
            precondition(file.images.storage == array.floats(), "float pixels were changed")
        }
    }

    // `.anyArray`, as `ImageFile.read(_:)` asks the IDX reader.
    if let array = try? IDXReader.read(bytes: bytes, named: "fuzz-input.idx", as: .anyArray),
       let file = accepted({ try ImageFile.images(idx: array, path: "fuzz-input.idx") }) {
        check(file, dimensions: array.dimensions)
        precondition(file.images.storage == array.bytes.map { Float($0) / 255 }, "bytes are not divided by 255")
    }
    return 0
}

/// What a loaded image file promises for an array of the given dimensions.
func check(_ file: ImageFile, dimensions: [Int]) {
    let images = file.images
    precondition(dimensions.count == 2 || dimensions.count == 3, "accepted \(dimensions.count) dimensions")
    precondition(images.rows == dimensions[0], "not one row per image")
    precondition(images.columns == dimensions.dropFirst().reduce(1, *), "a row is not one image")
    precondition(images.storage.count == images.rows * images.columns, "the matrix's size is wrong")
    precondition(images.storage.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "accepted a pixel outside [0, 1]")
    if let shape = file.shape {
        precondition(dimensions.count == 3 && shape.rows == dimensions[1] && shape.columns == dimensions[2]
                     && shape.pixelCount == images.columns, "the image shape is not the array's")
    } else {
        precondition(dimensions.count == 2, "a 3-D array lost its image shape")
    }
}
