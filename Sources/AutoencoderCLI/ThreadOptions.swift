import ArgumentParser
import Autoencoder

/// `--threads N`: how many threads the kernels of a command that computes may use.
///
/// Every core the process may run on by default (its CPU affinity: `taskset`, a container's
/// CPU set). A number above that is allowed and means all of them: the kernels never split
/// work into more parts than there are cores. The parts stay the same whatever the number,
/// so one thread gives the same results as two, bit for bit.
struct ThreadOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Threads for the kernels: matrix products, convolutions, elementwise passes and losses (default: every core the process may use; more than that means all of them).",
        valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, not \(threads).")
        }
    }

    /// Sets the process-wide limit (``KernelThreads``); nothing when the option is not given.
    func apply() {
        if let threads { KernelThreads.setLimit(threads) }
    }
}

/// A command with `--threads`; ``AutoencoderCommand/main()`` applies it before the command runs.
protocol ThreadedCommand {
    /// The command's `--threads` option.
    var threadOptions: ThreadOptions { get }
}

extension TrainCommand: ThreadedCommand {}
extension DemoCommand: ThreadedCommand {}
extension EncodeCommand: ThreadedCommand {}
extension DecodeCommand: ThreadedCommand {}
extension ReconstructCommand: ThreadedCommand {}
extension EvaluateCommand: ThreadedCommand {}
extension ScoreCommand: ThreadedCommand {}
extension SampleCommand: ThreadedCommand {}
extension ReportCommand: ThreadedCommand {}
