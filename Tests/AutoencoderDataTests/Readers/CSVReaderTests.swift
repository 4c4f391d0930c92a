import Foundation
import Testing
@testable import AutoencoderData

/// Reads `text` as a table named `name`.
private func table(_ text: String, name: String = "t.csv", delimiter: UInt8? = nil, hasHeader: Bool? = nil,
                   label: ColumnReference? = nil) throws -> Dataset {
    try CSVReader.read(bytes: Array(text.utf8), named: name, delimiter: delimiter, hasHeader: hasHeader, labelColumn: label)
}

/// The message of the error reading `text` throws.
private func message(_ text: String, hasHeader: Bool? = nil, label: ColumnReference? = nil) -> String {
    do { _ = try table(text, hasHeader: hasHeader, label: label); return "no error" } catch { return "\(error)" }
}

@Suite struct CSVReaderTests {
    @Test func readsNumbersWithAHeaderAndNumericLabels() throws {
        let data = try table("label,a,b\n3,1.5,-2\n7,.5,1e3\n", label: .name("label"))
        #expect(data.sampleShape == [2])
        #expect(data.samples(in: 0..<2) == [1.5, -2, 0.5, 1000])
        #expect(data.labels == [3, 7])
        #expect(data.classNames == nil)
        #expect(data.featureNames == ["a", "b"])
    }

    @Test func withoutAHeaderEveryRowIsData() throws {
        let data = try table("1,2\n3,4")
        #expect(data.count == 2)
        #expect(data.featureNames == nil)
        #expect(data.samples(in: 0..<2) == [1, 2, 3, 4])
    }

    @Test func textLabelsBecomeSortedClasses() throws {
        let data = try table("x,kind\n1,dog\n2,cat\n3,dog\n", label: .number(2))
        #expect(data.classNames == ["cat", "dog"])
        #expect(data.labels == [1, 0, 1])
        #expect(data.samples(in: 0..<3) == [1, 2, 3])
    }

    @Test func tabsFromTheExtensionAndSniffedSemicolons() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write(Array("a\tb\n1\t2\n".utf8), to: "t.tsv")
        #expect(try CSVReader.read(path: path).samples(in: 0..<1) == [1, 2])
        #expect(try table("a;b\n1;2\n").samples(in: 0..<1) == [1, 2])
    }

    @Test func gzipTablesAreInflated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let compressed = try gzipped(Array("a\tb\n1\t2\n3\t4\n".utf8))
        let path = try directory.write(compressed, to: "t.tsv.gz")
        let data = try CSVReader.read(path: path)
        #expect(data.featureNames == ["a", "b"])
        #expect(data.samples(in: 0..<2) == [1, 2, 3, 4])
        #expect(try DatasetReader.detectFormat(path: path) == .tsv)
        let cut = try directory.write(Array(compressed.dropLast(12)), to: "cut.csv.gz")
        #expect(throws: CSVError(path: cut, reason: .unreadable("its gzip stream stops before its end (a cut download?)"))) {
            try CSVReader.read(path: cut)
        }
        let damaged = try directory.write([0x1F, 0x8B] + [UInt8](repeating: 7, count: 30), to: "bad.csv.gz")
        #expect(throws: CSVError.self) { try CSVReader.read(path: damaged) }
    }

    @Test func quotedFieldsFollowRFC4180() throws {
        let text = "\"x\",\"name, with \"\"quotes\"\"\nand a line\"\r\n\"1.5\",\"a,b\"\r\n2,\"c\"\"d\"\r\n"
        let data = try table(text, label: .number(2))
        #expect(data.featureNames == ["x"])
        #expect(data.samples(in: 0..<2) == [1.5, 2])
        #expect(data.classNames == ["a,b", "c\"d"])
        #expect(try table("\" 2.5 \",\"-1e2\" \n\"3\",4\n").samples(in: 0..<2) == [2.5, -100, 3, 4])
        #expect(message("a,b\n\"1\",\"nan\"\n") == "t.csv row 2, column \"b\" holds \"nan\", which is not a finite 32-bit number.")
    }

    @Test func blankLinesAndByteOrderMarkAreSkipped() throws {
        let data = try table("\u{FEFF}a,b\n\n1,2\n\n3,4\n\n")
        #expect(data.samples(in: 0..<2) == [1, 2, 3, 4])
    }

    @Test func aForcedHeaderAndAForcedAbsence() throws {
        #expect(try table("1,2\n3,4\n", hasHeader: true).featureNames == ["1", "2"])
        #expect(message("a,b\n1,2\n", hasHeader: false) == "t.csv row 1, column 1 holds \"a\", which is not a number.")
    }

    @Test func badInputIsOneSentenceNamingTheRowAndColumn() {
        #expect(message("a,b\n1,2\n3\n") == "t.csv row 3 has 1 field but the first row has 2.")
        #expect(message("a,b\n1,2\n3,4,5\n") == "t.csv row 3 has 3 fields but the first row has 2.")
        #expect(message("a,b\n1,2\n3,x\n") == "t.csv row 3, column \"b\" holds \"x\", which is not a number.")
        #expect(message("a,b\n1,\n") == "t.csv row 2, column \"b\" is empty; every feature needs a number.")
        #expect(message("a,b\n1,nan\n") == "t.csv row 2, column \"b\" holds \"nan\", which is not a finite 32-bit number.")
        #expect(message("a,b\n1,-inf\n") == "t.csv row 2, column \"b\" holds \"-inf\", which is not a finite 32-bit number.")
        #expect(message("a,b\n1,1e39\n") == "t.csv row 2, column \"b\" holds \"1e39\", which is not a finite 32-bit number.")
        #expect(message("") == "t.csv is empty: a table needs at least one row of numbers.")
        #expect(message("a,b\n") == "t.csv has a header row but no data rows.")
        #expect(message("a,b\n1,2\n", label: .name("c")) == "t.csv has no column named \"c\"; its columns are \"a\", \"b\".")
        #expect(message("a,b\n1,2\n", label: .number(3)) == "t.csv has 2 columns, so it has no column 3 to take labels from.")
        #expect(message("a\n1\n", label: .name("a")) == "t.csv has no feature columns: its only column is the label column.")
        #expect(message("a,b\n1,\"2\n") == "t.csv has a quoted field starting in row 2 that is never closed.")
        #expect(message("a,b\n1,\"2\"x\n") == "t.csv row 2, column \"b\" has text after its closing quote.")
    }

    @Test func rowNumbersCountLinesInBothHalvesOfABigFile() throws {
        var text = "a,b\n"
        for row in 0..<200_000 { text += "\(row),\(row % 7)\n" }
        text += "1,oops\n"
        #expect(message(text) == "t.csv row 200002, column \"b\" holds \"oops\", which is not a number.")
        text.removeLast(7)
        let data = try table(text)
        #expect(data.count == 200_000)
        #expect(data.samples(in: 199_999..<200_000) == [199_999, Float(199_999 % 7)])
    }

    @Test func theDecimalParserAgreesWithSwift() {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "+1", ".5", "5.", "1e5", "1E-5", "3.4028235e38", "1.17549435e-38", "1e-45",
                     "0.1", "123456789", "16777217", "9007199254740993", "0.000000000000000000000000001",
                     "1234567890123456789012345", "4.2e-10", "-7.5E+3", "00012.50"]
        for _ in 0..<20_000 {
            let mantissa = Int.random(in: 0..<100_000_000, using: &generator)
            let exponent = Int.random(in: -40...38, using: &generator)
            let point = Int.random(in: 0...8, using: &generator)
            var digits = String(mantissa)
            if point < digits.count { digits.insert(".", at: digits.index(digits.startIndex, offsetBy: point)) }
            texts.append((Bool.random() ? "-" : "") + digits + (Bool.random() ? "e\(exponent)" : ""))
        }
        for text in texts {
            let bytes = Array(text.utf8)
            let parsed = bytes.withUnsafeBufferPointer { DecimalParser.parse($0.baseAddress!, $0.baseAddress! + $0.count) }
            #expect(parsed?.value.bitPattern == Float(text)?.bitPattern, "\(text)")
        }
        for bad in ["nan", "inf", "", "-", ".", "e5", "0x10"] {
            #expect(CSVReader.number(in: Array(bad.utf8)) == nil, "\(bad)")
        }
    }
}
