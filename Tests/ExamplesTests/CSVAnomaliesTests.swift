import Foundation
import Testing

/// `Examples/CSVAnomalies` writes a table with planted anomalies, trains on its normal rows
/// and flags the held-out rows above a threshold: the planted rows it held out must be
/// flagged, and the ROC-AUC must say the scores rank anomalies first.
@Suite struct CSVAnomaliesTests {
    @Test func flagsThePlantedAnomalies() throws {
        let result = try ExampleProgram.run("csv-anomalies")
        #expect(result.status == 0, "\(result.error)")
        let lines = result.lines
        let planted = try #require(lines.first { $0.hasPrefix("planted anomalies: rows ") })
        let plantedRows = Set(planted.dropFirst("planted anomalies: rows ".count).split(separator: " ").compactMap { Int($0) })
        #expect(plantedRows.count == 24)

        // Every flagged line names its row and its label; the anomalies among them are planted ones.
        let flagged = lines.compactMap { line -> (row: Int, label: Int)? in
            guard let match = line.wholeMatch(of: /flagged row (\d+): error [0-9.e-]+, label (\d)/) else { return nil }
            return (Int(match.1)!, Int(match.2)!)
        }
        #expect(!flagged.isEmpty)
        for row in flagged where row.label == 1 { #expect(plantedRows.contains(row.row)) }
        for row in flagged where plantedRows.contains(row.row) { #expect(row.label == 1) }

        // All held-out anomalies flagged: "flagged F of N rows: A of A anomalies".
        let count = try #require(lines.compactMap { $0.wholeMatch(of: /flagged (\d+) of (\d+) rows: (\d+) of (\d+) anomalies/) }.first)
        #expect(Int(count.4)! > 0)
        #expect(count.3 == count.4)
        #expect(Int(count.1)! == flagged.count)
        #expect(Int(count.1)! < Int(count.2)! / 5, "more than a fifth of the rows flagged")

        let auc = try #require(lines.compactMap { $0.wholeMatch(of: /ROC-AUC: ([0-9.]+)/) }.first.flatMap { Double($0.1) })
        #expect(auc > 0.95)
    }

    @Test func trainingLowersTheLoss() throws {
        let result = try ExampleProgram.run("csv-anomalies")
        let line = try #require(result.lines.compactMap {
            $0.wholeMatch(of: /training loss: ([0-9.e-]+) after epoch 1, ([0-9.e-]+) after epoch (\d+)/)
        }.first)
        let first = try #require(Double(line.1)), last = try #require(Double(line.2))
        #expect(first.isFinite && last.isFinite)
        #expect(last < first / 2)
    }

    @Test func refusesAMissingTableInOneSentence() throws {
        let result = try ExampleProgram.run("csv-anomalies", ["no-such-table.csv"])
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        // One sentence on one line, naming the path.
        #expect(result.error.split(separator: "\n").count == 1, "\(result.error)")
        #expect(result.error.contains("no-such-table.csv"), "\(result.error)")
    }
}
