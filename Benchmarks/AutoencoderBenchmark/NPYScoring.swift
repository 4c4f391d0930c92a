import ArgumentParser
import Autoencoder
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `autoencoder-benchmark --score-npy FILE`: how fast a `.npy` of samples is scored when it is
/// read into memory first, and when it is streamed from the file as `autoencoder score --input`
/// reads it (`NumPyReader`: a chunk of samples at a time), with the file's pages in the
/// system's file cache and without them.
///
/// The uncached run stands for a file larger than memory, whose pages must come from the
/// disk as scoring reaches them: before it, the file's cached pages are dropped
/// (`posix_fadvise(POSIX_FADV_DONTNEED)`, which touches no other file). The model is the
/// preset's with fresh weights: the work per sample does not depend on their values.
struct NPYScoring {
    let path: String
    let preset: Preset
    let json: Bool

    /// One way of reading the file, timed.
    struct Measurement: Codable {
        var mode: String
        var samples: Int
        var seconds: Double
        var samplesPerSecond: Double
        /// This mode's rate over the in-memory rate.
        var ratioToInMemory: Double
    }

    func run() throws {
        var generator = RandomGenerator(seed: 0)
        let model = try AutoencoderModel(preset: preset, generator: &generator)
        let file = try NumPyReader.readNPY(path: path)
        guard file.width == model.inputWidth else {
            throw ValidationError("\(path) has \(file.width) values per sample; the \(preset.rawValue) model takes \(model.inputWidth).")
        }
        let megabytes = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1_048_576

        // In memory: every sample converted up front (not timed), then scored.
        let inMemory = Dataset(sampleShape: [file.width],
                               store: FloatSamples(values: file.samples(in: 0..<file.count), width: file.width),
                               origin: "memory")
        let memorySeconds = try bestOf(3) { _ = try model.reconstructionErrors(on: inMemory) }
        let warmSeconds = try bestOf(3) { _ = try model.reconstructionErrors(on: file) }
        // Uncached: the file's pages dropped from the cache before each run.
        let coldSeconds = try bestOf(2, preparing: { Self.dropFromCache(path) }) {
            _ = try model.reconstructionErrors(on: try NumPyReader.readNPY(path: path))
        }
        let rows = [("in memory", memorySeconds), ("from the file, cached", warmSeconds), ("from the file, not cached", coldSeconds)]
            .map { mode, seconds in
                Measurement(mode: mode, samples: file.count, seconds: seconds,
                            samplesPerSecond: Double(file.count) / seconds, ratioToInMemory: memorySeconds / seconds)
            }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for row in rows { print(String(decoding: try encoder.encode(row), as: UTF8.self)) }
            return
        }
        print(String(format: "Scoring %@ (%d samples of %d, %.0f MB) with the %@ model, %d threads, mse:",
                     path, file.count, file.width, megabytes, preset.rawValue, KernelThreads.effective))
        print("| read | s | samples/s | rate / in-memory rate |")
        print("|---|---|---|---|")
        for row in rows {
            print(String(format: "| %@ | %.3f | %.0f | %.2f |", row.mode, row.seconds, row.samplesPerSecond, row.ratioToInMemory))
        }
    }

    /// The shortest of `count` timings of `measure`, each after `prepare` (not timed).
    func bestOf(_ count: Int, preparing prepare: () -> Void, measure: () throws -> Void) throws -> Double {
        var best = Double.infinity
        for _ in 0..<count {
            prepare()
            let start = Date()
            try measure()
            best = min(best, Date().timeIntervalSince(start))
        }
        return best
    }

    func bestOf(_ count: Int, measure: () throws -> Void) throws -> Double {
        try bestOf(count, preparing: {}, measure: measure)
    }

    /// Drops the file's pages from the system's file cache (those no process has mapped).
    static func dropFromCache(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = fdatasync(descriptor)
        _ = posix_fadvise(descriptor, 0, 0, Int32(POSIX_FADV_DONTNEED))
    }
}
