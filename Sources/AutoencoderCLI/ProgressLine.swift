import Autoencoder
import Foundation

/// The text of the one-line progress reports a terminal shows while a command works: an
/// epoch's batches as they train, a file's bytes as they download. One renderer for both,
/// so they read alike; ``TerminalProgress`` puts the line on the screen.
enum ProgressLine {
    /// The width of the bar between its brackets.
    static let barWidth = 10

    /// `Epoch 3/50  [#####.....] 240/469 batches  12,345 samples/s  loss 0.0123  0:12 elapsed, ETA 0:11`.
    static func training(_ progress: EpochProgress) -> String {
        let batch = progress.batch
        let fraction = batch.batchCount > 0 ? Double(batch.batchesDone) / Double(batch.batchCount) : 0
        let rate = batch.seconds > 0 ? Double(batch.samplesDone) / batch.seconds : 0
        let eta = batch.batchesDone > 0
            ? batch.seconds * Double(batch.batchCount - batch.batchesDone) / Double(batch.batchesDone) : nil
        return "Epoch \(progress.epoch)/\(progress.epochs)  \(bar(fraction)) \(batch.batchesDone)/\(batch.batchCount) batches  "
            + "\(grouped(Int(rate.rounded()))) samples/s  loss \(String(format: "%.4f", batch.meanLoss))  "
            + "\(duration(batch.seconds)) elapsed, ETA \(eta.map(duration) ?? "-")"
    }

    /// The same in fewer columns, for a narrow terminal:
    /// `Epoch 3/50 [#####.....] 240/469 12,345/s loss 0.0123 ETA 0:11`.
    static func compactTraining(_ progress: EpochProgress) -> String {
        let batch = progress.batch
        let fraction = batch.batchCount > 0 ? Double(batch.batchesDone) / Double(batch.batchCount) : 0
        let rate = batch.seconds > 0 ? Double(batch.samplesDone) / batch.seconds : 0
        let eta = batch.batchesDone > 0
            ? batch.seconds * Double(batch.batchCount - batch.batchesDone) / Double(batch.batchesDone) : nil
        return "Epoch \(progress.epoch)/\(progress.epochs) \(bar(fraction)) \(batch.batchesDone)/\(batch.batchCount) "
            + "\(grouped(Int(rate.rounded())))/s loss \(String(format: "%.4f", batch.meanLoss)) ETA \(eta.map(duration) ?? "-")"
    }

    /// `train-images-idx3-ubyte.gz  [####......] 4.2 MB/9.9 MB  42%  1.5 MB/s`.
    static func download(_ progress: DownloadProgress) -> String {
        let fraction = progress.totalBytes > 0 ? Double(progress.bytes) / Double(progress.totalBytes) : 0
        return "\(progress.fileName)  \(bar(fraction)) \(bytes(progress.bytes))/\(bytes(progress.totalBytes))  "
            + "\(Int((fraction * 100).rounded(.down)))%  \(bytes(Int(progress.bytesPerSecond.rounded())))/s"
    }

    /// `[#####.....]`: `fraction` (clamped to 0...1) of ``barWidth`` filled, rounded down.
    static func bar(_ fraction: Double) -> String {
        let filled = Int((min(max(fraction, 0), 1) * Double(barWidth)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]"
    }

    /// `0:07`, `12:03`, `1:02:03`: whole seconds as minutes and seconds, with hours past an hour.
    static func duration(_ seconds: Double) -> String {
        let total = seconds.isFinite ? max(0, Int(seconds.rounded())) : 0
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }

    /// `12,345`: a whole number with its thousands grouped by commas.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (value < 0 ? "-" : "") + result
    }

    /// `512 B`, `4.2 kB`, `9.9 MB`, `1.3 GB`: bytes in decimal units, one decimal past bytes.
    static func bytes(_ count: Int) -> String {
        let units = ["kB", "MB", "GB", "TB"]
        guard count >= 1000 else { return "\(count) B" }
        var value = Double(count) / 1000
        var unit = 0
        while value >= 999.95, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return String(format: "%.1f %@", value, units[unit])
    }
}

/// Shows a progress line on the terminal, redrawn in place (`\r`, the line, clear to its
/// end) at most five times a second, and clears it before other output.
///
/// Only made when standard output is a terminal (``isStandardOutputATerminal``): in a pipe
/// or a file a command's output has no progress in it at all.
final class TerminalProgress: @unchecked Sendable {
    /// Seconds between two redraws: five a second.
    static let interval = 0.2
    private let lock = NSLock()
    private var lastDraw = -Double.infinity
    private var shown = false
    private let write: (String) -> Void
    private let columns: () -> Int

    /// Whether standard output is a terminal, where a progress line belongs.
    static var isStandardOutputATerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    /// A progress line written with `write` (standard output unless told), cut to `columns`
    /// (the terminal's width unless told) so that it never wraps.
    init(write: @escaping (String) -> Void = { text in
             FileHandle.standardOutput.write(Data(text.utf8))
         },
         columns: @escaping () -> Int = TerminalProgress.terminalColumns) {
        self.write = write
        self.columns = columns
    }

    /// Draws the first of `lines` that fits the terminal (else the last, cut to fit) in place
    /// of the last one drawn, unless one was drawn less than ``interval`` ago (`force` draws
    /// it anyway).
    func show(_ lines: String..., now: Double = ProcessInfo.processInfo.systemUptime, force: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        guard force || now - lastDraw >= Self.interval else { return }
        lastDraw = now
        shown = true
        let width = max(columns() - 1, 1)
        let line = lines.first { $0.count <= width } ?? lines.last ?? ""
        write("\r" + String(line.prefix(width)) + "\u{1B}[K")
    }

    /// Removes the line, if one is shown, so that the next output starts on a clean line.
    func clear() {
        lock.lock()
        defer { lock.unlock() }
        guard shown else { return }
        shown = false
        lastDraw = -Double.infinity
        write("\r\u{1B}[K")
    }

    /// The terminal's width in columns; 80 when it cannot be told.
    static func terminalColumns() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

extension TerminalProgress {
    /// The progress line of a training run: `nil` with `--quiet` or when standard output is
    /// not a terminal, so that the output is then exactly the run's lines.
    static func forTraining(quiet: Bool) -> TerminalProgress? {
        quiet || !isStandardOutputATerminal ? nil : TerminalProgress()
    }

    /// Shows an epoch's progress.
    func showTraining(_ progress: EpochProgress) {
        show(ProgressLine.training(progress), ProgressLine.compactTraining(progress))
    }

    /// Prints `line` as ``printLine(_:)`` does, after removing the progress line.
    func log(_ line: String) {
        clear()
        printLine(line)
    }
}

extension Experiment {
    /// The experiment reporting its batches to `display`, when there is one.
    func showingProgress(on display: TerminalProgress?) -> Experiment {
        var experiment = self
        if let display { experiment.progress = { display.showTraining($0) } }
        return experiment
    }
}
