// Reads one data file with the library's readers and prints how long it took, for
// Benchmarks/csv/compare.py to set against pandas: `autoencoder-read-benchmark FILE [--label-column C]`.
import AutoencoderData
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard let path = arguments.first else {
    FileHandle.standardError.write("usage: autoencoder-read-benchmark FILE [--label-column C]\n".data(using: .utf8)!)
    exit(2)
}
var options = DatasetReadOptions()
if let index = arguments.firstIndex(of: "--label-column"), index + 1 < arguments.count {
    options.labelColumn = ColumnReference(arguments[index + 1])
}
let clock = ContinuousClock()
let start = clock.now
do {
    let file = try DatasetReader.read(path: path, options: options)
    let seconds = (clock.now - start) / .seconds(1)
    print("seconds \(seconds) \(file.training.summary)")
} catch {
    FileHandle.standardError.write("\(error)\n".data(using: .utf8)!)
    exit(1)
}
