// libFuzzer harness for the CSV/TSV data-set reader (compiled by Fuzz/run.sh together with
// Sources/AutoencoderData/**/*.swift into one module, so internal API is visible).
//
// Each input is read as a table without and with a label column (the first), header
// detected. On success it checks what a read promises: at least one sample, every feature
// finite, one label per sample, class indices inside the class names.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for label in [nil, ColumnReference.number(1)] {
        let dataset: Dataset
        do {
            dataset = try CSVReader.read(bytes: bytes, named: "fuzz.csv", labelColumn: label)
        } catch let error as CSVError {
            precondition(error.description.hasPrefix("fuzz.csv "), "an error that does not name the file")
            continue
        } catch {
            preconditionFailure("an error that is not a CSVError: \(error)")
        }
        precondition(dataset.count > 0 && dataset.width > 0, "accepted a table of no values")
        let values = (dataset.store as! FloatSamples).values
        precondition(values.count == dataset.count * dataset.width, "values do not fill the samples")
        precondition(values.allSatisfy(\.isFinite), "accepted a value that is not finite")
        if label != nil {
            precondition(dataset.labels?.count == dataset.count, "not one label per sample")
            if let names = dataset.classNames {
                precondition(dataset.labels!.allSatisfy { $0 >= 0 && $0 < names.count }, "a class index outside the names")
            }
        }
    }
    return 0
}
