import Dispatch
import Foundation

/// A column of a table, by its header name or by its number counted from 1 (as `cut -f`
/// and a spreadsheet's column letters count).
public enum ColumnReference: Sendable, Equatable, CustomStringConvertible {
    /// The column whose header field is this text.
    case name(String)
    /// The column at this position, the first being 1.
    case number(Int)

    /// Parses a command-line value: digits are a number, anything else a name.
    public init(_ text: String) {
        if let number = Int(text), number > 0 { self = .number(number) } else { self = .name(text) }
    }

    /// The name, or the number as digits.
    public var description: String {
        switch self {
        case .name(let name): return name
        case .number(let number): return String(number)
        }
    }
}

/// Reads a CSV or TSV table of numbers into a ``Dataset`` of feature vectors, one row a sample.
///
/// - Delimiter: a tab for `.tsv` and `.tab` files, else the most frequent of `,` `;` `|` tab
///   in the first row (a comma when none is there), unless given.
/// - Header: taken when the first row has a field that is not a number in a feature column,
///   unless forced; naming the label column by name implies one.
/// - Labels (optional): one column, by name or number. When every label is an integer the
///   labels are those numbers; otherwise they are class names, numbered in sorted order
///   (byte order, so the numbering does not depend on the order of the rows) in ``Dataset/classNames``.
/// - Every other column is a feature and must hold a finite decimal number in every row
///   (surrounding spaces allowed); NaN, infinities and empty fields are errors.
/// - Quoting follows RFC 4180: quoted fields may hold delimiters, doubled quotes and line
///   breaks; lines end in LF or CRLF; blank lines are skipped; a UTF-8 byte-order mark is skipped.
///
/// The file is memory-mapped and parsed from its bytes with ``DecimalParser``; a file with
/// no quote character is split at a line break into one part per core, parsed at once.
/// A file with quotes is parsed on one thread, since a line break inside quotes cannot be
/// told from a row's end without reading from the start.
///
/// Hand-written because the Swift CSV packages are far slower than `pandas.read_csv` on the
/// 60000x785 MNIST table (110 MB; AMD EPYC, 2 cores): pandas 7.3 s, CSV.swift 2.5.2 29.7 s,
/// SwiftCSV 0.10.0 67.8 s, this reader 1.9 s (docs/benchmarks-data.md).
public enum CSVReader {
    /// The values all rows share: what a part of the file is parsed with.
    struct Layout: Sendable {
        /// The field separator.
        let delimiter: UInt8
        /// The fields of every row.
        let columns: Int
        /// The label column's position from 0, or `nil`.
        let labelIndex: Int?
        /// The fields that are features.
        var features: Int { columns - (labelIndex == nil ? 0 : 1) }
    }

    /// Where a parse of a part failed, and how, before the row is counted.
    struct Failure: Error {
        enum Kind { case ragged(fields: Int), empty(column: Int), notNumber(column: Int, text: String),
                    notFinite(column: Int, text: String), unterminated, textAfterQuote(column: Int) }
        let offset: Int
        let kind: Kind
    }

    /// Reads the table at `path`.
    ///
    /// - Parameters:
    ///   - delimiter: the field separator; `nil` chooses from the extension or the first row.
    ///   - hasHeader: whether the first row names the columns; `nil` detects it.
    ///   - labelColumn: the column holding class labels, or `nil` for none.
    /// - Throws: ``CSVError`` naming the file, and the row and column at fault.
    public static func read(path: String, delimiter: UInt8? = nil, hasHeader: Bool? = nil,
                            labelColumn: ColumnReference? = nil) throws -> Dataset {
        let file = try MappedFile(path: path) { missing, why in
            CSVError(path: path, reason: missing ? .missing : .unreadable(why))
        }
        file.adviseSequential()
        var name = (path as NSString).lastPathComponent.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        let extensionDelimiter: UInt8? = ["tsv", "tab"].contains((name as NSString).pathExtension) ? 9 : nil
        if file.bytes.starts(with: [0x1F, 0x8B]) {
            // A gzip table (`.csv.gz`) is inflated into memory first: the parser splits the
            // text between threads, which needs all of it at once.
            return try inflated(Array(file.bytes), path: path).withUnsafeBytes {
                try parse($0, path: path, delimiter: delimiter ?? extensionDelimiter, hasHeader: hasHeader,
                          labelColumn: labelColumn)
            }
        }
        return try parse(file.bytes, path: path, delimiter: delimiter ?? extensionDelimiter,
                         hasHeader: hasHeader, labelColumn: labelColumn)
    }

    /// The inflated bytes of `compressed`, the gzip file at `path`, with a damaged or cut
    /// stream reported as a ``CSVError``.
    static func inflated(_ compressed: [UInt8], path: String) throws -> [UInt8] {
        do {
            let source = try memoryByteSource(compressed, path: path, kind: .anyArray)
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                bytes.append(contentsOf: chunk[0..<count])
                if count < chunk.count { break }
            }
            if source.endedEarly { throw IDXError(path: path, kind: .anyArray, reason: .gzipCut) }
            return bytes
        } catch let error as IDXError {
            switch error.reason {
            case .corruptGzip(let message): throw CSVError(path: path, reason: .unreadable("its gzip stream is damaged (zlib: \(message))"))
            case .gzipCut: throw CSVError(path: path, reason: .unreadable("its gzip stream stops before its end (a cut download?)"))
            case .dataAfterGzip: throw CSVError(path: path, reason: .unreadable("bytes that are not gzip data follow its compressed stream"))
            default: throw CSVError(path: path, reason: .unreadable(error.description))
            }
        }
    }

    /// Reads a table whose bytes are in memory; `name` names it in errors. For tests and fuzzing.
    public static func read(bytes: [UInt8], named name: String, delimiter: UInt8? = nil, hasHeader: Bool? = nil,
                            labelColumn: ColumnReference? = nil) throws -> Dataset {
        try bytes.withUnsafeBytes {
            try parse($0, path: name, delimiter: delimiter, hasHeader: hasHeader, labelColumn: labelColumn)
        }
    }

    static func parse(_ raw: UnsafeRawBufferPointer, path: String, delimiter given: UInt8?, hasHeader: Bool?,
                      labelColumn: ColumnReference?) throws -> Dataset {
        func failure(_ reason: CSVError.Reason) -> CSVError { CSVError(path: path, reason: reason) }
        guard let rawBase = raw.baseAddress, raw.count > 0 else { throw failure(.empty) }
        let base = rawBase.assumingMemoryBound(to: UInt8.self)
        let end = base + raw.count
        var start = base
        if raw.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start += 3 }
        start = skipBlankLines(start, end)
        guard start < end else { throw failure(.empty) }
        let hasQuotes = memchr(start, Int32(UInt8(ascii: "\"")), end - start) != nil
        let delimiter = given ?? sniffDelimiter(start, end)

        // The first record: its fields give the column count, and perhaps the names.
        var firstFields: [[UInt8]] = []
        var afterFirst = start
        do throws(Failure) {
            while true {
                let (field, next) = try readField(afterFirst, end, delimiter: delimiter, column: firstFields.count)
                firstFields.append(field)
                afterFirst = next
                if afterFirst < end && afterFirst.pointee == delimiter { afterFirst += 1; continue }
                afterFirst = skipLineEnd(afterFirst, end)
                break
            }
        } catch {
            throw describe(Failure(offset: start - base, kind: error.kind), base: base, columnNames: nil,
                           columns: firstFields.count + 1, path: path)
        }
        let columns = firstFields.count
        let firstTexts = firstFields.map { String(decoding: $0, as: UTF8.self) }

        var labelIndex: Int?
        switch labelColumn {
        case nil: break
        case .number(let number):
            guard number >= 1 && number <= columns else { throw failure(.labelColumnOutOfRange(number, columns: columns)) }
            labelIndex = number - 1
        case .name(let name):
            if hasHeader == false { throw failure(.labelNameWithoutHeader(name)) }
            guard let index = firstTexts.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == name }) else {
                throw failure(.noSuchLabelColumn(name, available: firstTexts))
            }
            labelIndex = index
        }
        guard columns > (labelIndex == nil ? 0 : 1) else { throw failure(.noFeatureColumns) }
        let header = hasHeader ?? {
            if case .name = labelColumn { return true }
            return firstFields.indices.contains { $0 != labelIndex && number(in: firstFields[$0]) == nil }
        }()
        let columnNames = header ? firstTexts : nil
        let layout = Layout(delimiter: delimiter, columns: columns, labelIndex: labelIndex)
        let dataStart = header ? skipBlankLines(afterFirst, end) : start
        guard dataStart < end else { throw failure(header ? .headerOnly : .empty) }

        // One part per core when no quote can hide a line break; else one.
        var bounds = [dataStart]
        let parts = hasQuotes || end - dataStart < 1 << 20 ? 1 : 2
        for part in 1..<parts {
            let guess = dataStart + (end - dataStart) * part / parts
            guard guess > bounds.last!, let newline = memchr(guess, 10, end - guess) else { continue }
            bounds.append(newline.assumingMemoryBound(to: UInt8.self) + 1)
        }
        bounds.append(end)
        let lineBounds = (0..<(bounds.count - 1)).map { countLines(bounds[$0], bounds[$0 + 1]) }
        let capacityRows = lineBounds.reduce(0, +)
        let features = layout.features
        var labels: [String] = []
        var firstFailure: Failure?
        var values = [Float](unsafeUninitializedCapacity: capacityRows * features) { buffer, initialized in
            let results = parseParts(bounds: bounds, base: base, lineBounds: lineBounds, layout: layout, output: buffer.baseAddress!)
            // Close the gaps blank lines left between parts, and gather labels and failures.
            var written = 0
            var rowOffset = 0
            for (part, result) in results.enumerated() {
                switch result {
                case .failure(let error):
                    if firstFailure == nil { firstFailure = error }
                case .success(let (rows, partLabels)):
                    if written != rowOffset * features {
                        (buffer.baseAddress! + written).update(from: buffer.baseAddress! + rowOffset * features,
                                                               count: rows * features)
                    }
                    written += rows * features
                    labels += partLabels
                }
                rowOffset += lineBounds[part]
            }
            initialized = firstFailure == nil ? written : 0
        }
        if let firstFailure { throw describe(firstFailure, base: base, columnNames: columnNames, columns: columns, path: path) }
        guard !values.isEmpty else { throw failure(header ? .headerOnly : .empty) }
        if values.capacity > values.count + values.count / 4 { values = Array(values) }

        var classNames: [String]?
        var numericLabels: [Int]?
        if labelIndex != nil {
            let numbers = labels.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            if numbers.count == labels.count {
                numericLabels = numbers
            } else {
                let names = Array(Set(labels)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                let indices = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
                numericLabels = labels.map { indices[$0]! }
                classNames = names
            }
        }
        let featureNames = columnNames.map { names in names.indices.filter { $0 != labelIndex }.map { names[$0] } }
        return Dataset(sampleShape: [features], store: FloatSamples(values: values, width: features),
                       labels: numericLabels, classNames: classNames, featureNames: featureNames,
                       scaling: .none, origin: path)
    }

    /// Parses each part of the data (part `i` is `bounds[i]..<bounds[i+1]`) on its own core,
    /// writing part `i`'s rows from row `lineBounds[..<i].sum` of `output`.
    private static func parseParts(bounds: [UnsafePointer<UInt8>], base: UnsafePointer<UInt8>, lineBounds: [Int], layout: Layout,
                                   output: UnsafeMutablePointer<Float>) -> [Result<(Int, [String]), Failure>] {
        let parts = bounds.count - 1
        let slots = UnsafeMutablePointer<Result<(Int, [String]), Failure>>.allocate(capacity: parts)
        defer { slots.deinitialize(count: parts); slots.deallocate() }
        let job = PartJob(bounds: bounds, base: base, lineBounds: lineBounds, output: output, slots: slots)
        let run: @Sendable (Int) -> Void = { part in
            let firstRow = job.lineBounds[..<part].reduce(0, +)
            let result: Result<(Int, [String]), Failure>
            do {
                result = .success(try parseRows(job.bounds[part], job.bounds[part + 1], base: job.base, layout: layout,
                                                 output: job.output + firstRow * layout.features))
            } catch let error as Failure { result = .failure(error) } catch { fatalError("\(error)") }
            (job.slots + part).initialize(to: result)
        }
        if parts == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: run) }
        return Array(UnsafeBufferPointer(start: slots, count: parts))
    }

    /// The pointers a part's thread needs. @unchecked Sendable: each thread reads the shared
    /// read-only file and writes only its own rows of `output` and its own slot.
    private struct PartJob: @unchecked Sendable {
        let bounds: [UnsafePointer<UInt8>]
        let base: UnsafePointer<UInt8>
        let lineBounds: [Int]
        let output: UnsafeMutablePointer<Float>
        let slots: UnsafeMutablePointer<Result<(Int, [String]), Failure>>
    }

    /// Parses the rows in `start..<end` into `output`; returns the row count and the label
    /// texts. A failure's offset counts from `base`, the file's first byte.
    static func parseRows(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, base: UnsafePointer<UInt8>,
                          layout: Layout, output: UnsafeMutablePointer<Float>) throws(Failure) -> (Int, [String]) {
        let delimiter = layout.delimiter, columns = layout.columns, labelIndex = layout.labelIndex ?? -1
        var p = start
        var out = output
        var rows = 0
        var labels: [String] = []
        while true {
            p = skipBlankLines(p, end)
            guard p < end else { break }
            let rowStart = p
            var column = 0
            while true {
                if column >= columns {
                    throw Failure(offset: rowStart - base, kind: .ragged(fields: countFields(rowStart, end, delimiter)))
                        
                }
                if column == labelIndex {
                    do {
                        let (field, next) = try readField(p, end, delimiter: delimiter, column: column)
                        labels.append(String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespaces))
                        p = next
                    } catch { throw Failure(offset: rowStart - base, kind: error.kind) }
                } else if p < end && p.pointee == UInt8(ascii: "\""), let (value, next) = quotedNumber(p, end, delimiter) {
                    out.pointee = value
                    out += 1
                    p = next
                } else if p < end && p.pointee == UInt8(ascii: "\"") {
                    do throws(Failure) {
                        let (field, next) = try readField(p, end, delimiter: delimiter, column: column)
                        guard let value = number(in: field) else {
                            throw Failure(offset: 0, kind: classify(field, column: column))
                        }
                        out.pointee = value
                        out += 1
                        p = next
                    } catch { throw Failure(offset: rowStart - base, kind: error.kind) }
                } else {
                    var q = p
                    while q < end && (q.pointee == 32 || (q.pointee == 9 && delimiter != 9)) { q += 1 }
                    var accepted = false
                    if let (value, next) = DecimalParser.parse(q, end) {
                        var r = next
                        while r < end && (r.pointee == 32 || (r.pointee == 9 && delimiter != 9)) { r += 1 }
                        if r == end || r.pointee == delimiter || r.pointee == 10
                            || (r.pointee == 13 && (r + 1 == end || r[1] == 10)) {
                            if value.isFinite {
                                out.pointee = value
                                out += 1
                                p = r
                                accepted = true
                            }
                        }
                    }
                    if !accepted {
                        var fieldEnd = p
                        while fieldEnd < end && fieldEnd.pointee != delimiter && fieldEnd.pointee != 10 { fieldEnd += 1 }
                        if fieldEnd > p && fieldEnd[-1] == 13 { fieldEnd -= 1 }
                        let field = Array(UnsafeBufferPointer(start: p, count: fieldEnd - p))
                        throw Failure(offset: rowStart - base, kind: classify(field, column: column))
                    }
                }
                column += 1
                if p < end && p.pointee == delimiter { p += 1; continue }
                p = skipLineEnd(p, end)
                break
            }
            if column != columns {
                throw Failure(offset: rowStart - base, kind: .ragged(fields: column))
            }
            rows += 1
        }
        return (rows, labels)
    }

    /// The finite number in the quoted field at `p` and the position after the field, when the
    /// field holds only a number (spaces around it allowed) and no doubled quote: read in
    /// place, without copying the field. `nil` sends the field the slow way (and to its error).
    @inline(__always)
    private static func quotedNumber(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>,
                                     _ delimiter: UInt8) -> (Float, UnsafePointer<UInt8>)? {
        let open = p + 1
        guard open < end, let found = memchr(open, 34, end - open) else { return nil }
        let close = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
        var after = close + 1
        if after < end && after.pointee == 34 { return nil }
        while after < end && after.pointee == 32 { after += 1 }
        guard after == end || after.pointee == delimiter || after.pointee == 10
                || (after.pointee == 13 && (after + 1 == end || after[1] == 10)) else { return nil }
        var first = open, last = close
        while first < last && (first.pointee == 32 || first.pointee == 9) { first += 1 }
        while last > first && (last[-1] == 32 || last[-1] == 9) { last -= 1 }
        guard let (value, next) = DecimalParser.parse(first, last), next == last, value.isFinite else { return nil }
        return (value, after)
    }

    /// Why `field`, which is not a finite number, was refused.
    private static func classify(_ field: [UInt8], column: Int) -> Failure.Kind {
        let text = String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return .empty(column: column) }
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        if Float(text) != nil { return .notFinite(column: column, text: shown) }
        return .notNumber(column: column, text: shown)
    }

    /// The finite number `field` holds (spaces around it allowed), or `nil`.
    static func number(in field: [UInt8]) -> Float? {
        field.withUnsafeBufferPointer { buffer -> Float? in
            guard let base = buffer.baseAddress else { return nil }
            var p = base, end = base + buffer.count
            while p < end && (p.pointee == 32 || p.pointee == 9) { p += 1 }
            while end > p && (end[-1] == 32 || end[-1] == 9) { end -= 1 }
            guard let (value, next) = DecimalParser.parse(p, end), next == end, value.isFinite else { return nil }
            return value
        }
    }

    /// Reads one field at `p` (quoted or not), returning its text (unquoted, with doubled
    /// quotes made single, without a line end's CR) and the position of the delimiter or
    /// line end after it.
    static func readField(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, delimiter: UInt8,
                          column: Int) throws(Failure) -> ([UInt8], UnsafePointer<UInt8>) {
        var q = p
        while q < end && q.pointee == 32 { q += 1 }
        if q < end && q.pointee == UInt8(ascii: "\"") {
            var text: [UInt8] = []
            q += 1
            while true {
                guard q < end else { throw Failure(offset: 0, kind: .unterminated) }
                if q.pointee == UInt8(ascii: "\"") {
                    if q + 1 < end && q[1] == UInt8(ascii: "\"") { text.append(q.pointee); q += 2; continue }
                    q += 1
                    break
                }
                text.append(q.pointee)
                q += 1
            }
            while q < end && q.pointee == 32 { q += 1 }
            guard q == end || q.pointee == delimiter || q.pointee == 10 || (q.pointee == 13 && (q + 1 == end || q[1] == 10)) else {
                throw Failure(offset: 0, kind: .textAfterQuote(column: column))
            }
            return (text, q)
        }
        var fieldEnd = p
        while fieldEnd < end && fieldEnd.pointee != delimiter && fieldEnd.pointee != 10 { fieldEnd += 1 }
        var textEnd = fieldEnd
        if textEnd > p && textEnd[-1] == 13 && (textEnd == end || textEnd.pointee == 10) { textEnd -= 1 }
        return (Array(UnsafeBufferPointer(start: p, count: textEnd - p)), textEnd)
    }

    /// The number of fields of the record at `p`, quotes respected (for a ragged row's message).
    private static func countFields(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ delimiter: UInt8) -> Int {
        var q = p, fields = 0
        while true {
            guard let (_, next) = try? readField(q, end, delimiter: delimiter, column: fields) else { return fields + 1 }
            fields += 1
            if next < end && next.pointee == delimiter { q = next + 1; continue }
            return fields
        }
    }

    /// `p` moved past one CR LF, LF or CR at the end of a line, if there is one.
    private static func skipLineEnd(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        var q = p
        if q < end && q.pointee == 13 { q += 1 }
        if q < end && q.pointee == 10 { q += 1 }
        return q
    }

    /// `p` moved past empty lines.
    private static func skipBlankLines(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        var q = p
        while q < end {
            if q.pointee == 10 { q += 1 } else if q.pointee == 13 && q + 1 < end && q[1] == 10 { q += 2 } else { break }
        }
        return q
    }

    /// The number of lines in `p..<end`: line breaks, plus one for a last line without one.
    private static func countLines(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Int {
        var q = p, lines = 0
        while q < end, let found = memchr(q, 10, end - q) {
            lines += 1
            q = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) + 1
        }
        return lines + (q < end ? 1 : 0)
    }

    /// The most frequent of `,` `;` `|` and tab outside quotes in the first line; a comma if none.
    private static func sniffDelimiter(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UInt8 {
        let candidates: [UInt8] = [44, 9, 59, 124]
        var counts = [0, 0, 0, 0]
        var q = p, quoted = false
        while q < end && (quoted || q.pointee != 10) {
            if q.pointee == UInt8(ascii: "\"") { quoted.toggle() }
            if !quoted, let index = candidates.firstIndex(of: q.pointee) { counts[index] += 1 }
            q += 1
        }
        let best = counts.indices.max { counts[$0] < counts[$1] }!
        return counts[best] > 0 ? candidates[best] : 44
    }

    /// The error for `failure`, whose offset counts from `base`, with its row counted.
    private static func describe(_ failure: Failure, base: UnsafePointer<UInt8>, columnNames: [String]?,
                                 columns: Int, path: String) -> CSVError {
        let row = countNewlines(base, base + failure.offset) + 1
        func name(_ column: Int) -> String {
            if let columnNames, column < columnNames.count { return "column \"\(columnNames[column])\"" }
            return "column \(column + 1)"
        }
        let reason: CSVError.Reason
        switch failure.kind {
        case .ragged(let fields): reason = .ragged(row: row, fields: fields, expected: columns)
        case .empty(let column): reason = .emptyField(row: row, column: name(column))
        case .notNumber(let column, let text): reason = .notNumber(row: row, column: name(column), text: text)
        case .notFinite(let column, let text): reason = .notFinite(row: row, column: name(column), text: text)
        case .unterminated: reason = .unterminatedQuote(row: row)
        case .textAfterQuote(let column): reason = .textAfterQuote(row: row, column: name(column))
        }
        return CSVError(path: path, reason: reason)
    }

    private static func countNewlines(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Int {
        var q = p, count = 0
        while q < end, let found = memchr(q, 10, end - q) {
            count += 1
            q = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) + 1
        }
        return count
    }
}

