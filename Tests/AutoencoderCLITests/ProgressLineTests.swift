@testable import AutoencoderCLI
import Autoencoder
import Foundation
import Testing

/// The progress line's text for given numbers, and how the terminal writer draws it.
@Suite struct ProgressLineTests {
    static func epoch(_ done: Int, of count: Int, samples: Int, loss: Double, seconds: Double) -> EpochProgress {
        EpochProgress(epoch: 3, epochs: 50, batch: BatchProgress(batchesDone: done, batchCount: count, samplesDone: samples,
                                                                 meanLoss: loss, seconds: seconds))
    }

    @Test func trainingLine() {
        #expect(ProgressLine.training(Self.epoch(240, of: 469, samples: 61_440, loss: 0.01234, seconds: 12))
            == "Epoch 3/50  [#####.....] 240/469 batches  5,120 samples/s  loss 0.0123  0:12 elapsed, ETA 0:11")
        #expect(ProgressLine.training(Self.epoch(0, of: 469, samples: 0, loss: 0, seconds: 0))
            == "Epoch 3/50  [..........] 0/469 batches  0 samples/s  loss 0.0000  0:00 elapsed, ETA -")
        #expect(ProgressLine.training(Self.epoch(469, of: 469, samples: 120_064, loss: 112.5, seconds: 3725))
            == "Epoch 3/50  [##########] 469/469 batches  32 samples/s  loss 112.5000  1:02:05 elapsed, ETA 0:00")
        #expect(ProgressLine.compactTraining(Self.epoch(240, of: 469, samples: 61_440, loss: 0.01234, seconds: 12))
            == "Epoch 3/50 [#####.....] 240/469 5,120/s loss 0.0123 ETA 0:11")
    }

    @Test func downloadLine() {
        let progress = DownloadProgress(fileName: "train-images-idx3-ubyte.gz", bytes: 4_200_000, totalBytes: 9_912_422,
                                        resumedFrom: 1_200_000, seconds: 2)
        #expect(ProgressLine.download(progress) == "train-images-idx3-ubyte.gz  [####......] 4.2 MB/9.9 MB  42%  1.5 MB/s")
    }

    @Test func numbersDurationsAndBars() {
        #expect(ProgressLine.grouped(0) == "0")
        #expect(ProgressLine.grouped(999) == "999")
        #expect(ProgressLine.grouped(12_345) == "12,345")
        #expect(ProgressLine.grouped(1_234_567) == "1,234,567")
        #expect(ProgressLine.duration(7.4) == "0:07")
        #expect(ProgressLine.duration(723) == "12:03")
        #expect(ProgressLine.duration(3723) == "1:02:03")
        #expect(ProgressLine.duration(.infinity) == "0:00")
        #expect(ProgressLine.bytes(512) == "512 B")
        #expect(ProgressLine.bytes(4_200) == "4.2 kB")
        #expect(ProgressLine.bytes(999_999) == "1.0 MB")
        #expect(ProgressLine.bytes(170_052_171) == "170.1 MB")
        #expect(ProgressLine.bar(0.55) == "[#####.....]")
        #expect(ProgressLine.bar(1.7) == "[##########]")
    }

    /// Collects what the terminal writer writes.
    final class Screen: @unchecked Sendable {
        var text = ""
    }

    @Test func theTerminalLineIsRedrawnInPlaceAtMostFiveTimesASecondAndCleared() {
        let screen = Screen()
        // 30 columns: lines of up to 29 characters, so that the cursor never wraps.
        let display = TerminalProgress(write: { screen.text += $0 }, columns: { 30 })
        display.show("first line", now: 10)
        display.show("too soon", now: 10.1)
        display.show("a line far too long for thirty columns", "short one", now: 10.25)
        display.show("a line far too long for thirty columns, twice", now: 10.5)
        display.clear()
        display.clear()
        #expect(screen.text == "\rfirst line\u{1B}[K\rshort one\u{1B}[K\ra line far too long for thirt\u{1B}[K\r\u{1B}[K")
    }
}
