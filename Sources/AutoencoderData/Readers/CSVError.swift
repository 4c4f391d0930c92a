import Foundation

/// Why a CSV or TSV table could not be read as a data set: one case per check the reader
/// makes. Its ``description`` is one sentence naming the file (and the row and column),
/// fit to show a user as is.
///
/// Rows are counted from 1 as an editor shows them, header included; a row that is a
/// quoted field's continuation line is named by the line the record starts on.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// The file does not exist.
        case missing
        /// The file could not be opened or read; the payload is the system's reason.
        case unreadable(String)
        /// The file has no bytes (or only blank lines).
        case empty
        /// The file has a header row and no data rows.
        case headerOnly
        /// Every column is the label column: nothing is left to learn from.
        case noFeatureColumns
        /// A row has `fields` fields where the first row has `expected`.
        case ragged(row: Int, fields: Int, expected: Int)
        /// A feature field is empty.
        case emptyField(row: Int, column: String)
        /// A feature field is not a decimal number; the payload holds its text (shortened).
        case notNumber(row: Int, column: String, text: String)
        /// A feature field is NaN, an infinity, or too large for a 32-bit float.
        case notFinite(row: Int, column: String, text: String)
        /// A quoted field is not closed before the end of the file.
        case unterminatedQuote(row: Int)
        /// Text follows a quoted field's closing quote before the next delimiter.
        case textAfterQuote(row: Int, column: String)
        /// The label column named is not in the header; the payload lists the header's names.
        case noSuchLabelColumn(String, available: [String])
        /// The label column's number is larger than the number of columns.
        case labelColumnOutOfRange(Int, columns: Int)
        /// A label column was named, but the file has no header row to find the name in.
        case labelNameWithoutHeader(String)
    }

    /// The path of the file, as the caller gave it.
    public let path: String
    /// What went wrong.
    public let reason: Reason

    /// Creates an error for the file at `path`.
    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// One sentence naming the file and what is wrong with it.
    public var description: String {
        let name = (path as NSString).lastPathComponent
        switch reason {
        case .missing:
            return "\(name) does not exist."
        case .unreadable(let why):
            return "\(name) could not be read: \(why)."
        case .empty:
            return "\(name) is empty: a table needs at least one row of numbers."
        case .headerOnly:
            return "\(name) has a header row but no data rows."
        case .noFeatureColumns:
            return "\(name) has no feature columns: its only column is the label column."
        case .ragged(let row, let fields, let expected):
            return "\(name) row \(row) has \(fields) field\(fields == 1 ? "" : "s") but the first row has \(expected)."
        case .emptyField(let row, let column):
            return "\(name) row \(row), \(column) is empty; every feature needs a number."
        case .notNumber(let row, let column, let text):
            return "\(name) row \(row), \(column) holds \"\(text)\", which is not a number."
        case .notFinite(let row, let column, let text):
            return "\(name) row \(row), \(column) holds \"\(text)\", which is not a finite 32-bit number."
        case .unterminatedQuote(let row):
            return "\(name) has a quoted field starting in row \(row) that is never closed."
        case .textAfterQuote(let row, let column):
            return "\(name) row \(row), \(column) has text after its closing quote."
        case .noSuchLabelColumn(let label, let available):
            let shown = available.prefix(20).map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(name) has no column named \"\(label)\"; its columns are \(shown)\(available.count > 20 ? ", …" : "")."
        case .labelColumnOutOfRange(let index, let columns):
            return "\(name) has \(columns) column\(columns == 1 ? "" : "s"), so it has no column \(index) to take labels from."
        case .labelNameWithoutHeader(let label):
            return "\(name) has no header row, so the label column \"\(label)\" cannot be found; give its number instead."
        }
    }

    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}
