import Foundation
@testable import AutoencoderData

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "autoencoder-data-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let target = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Reads a whole file.
func contents(of path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// `bytes` compressed by the system's `gzip`, an encoder independent of this library.
func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let process = Process()
    let gzip = ["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    process.executableURL = URL(fileURLWithPath: gzip ?? "/usr/bin/gzip")
    process.arguments = ["-c", "-n"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(bytes))
    try input.fileHandleForWriting.close()
    let result = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return [UInt8](result)
}

/// The header of an IDX file of unsigned bytes with the given sizes.
func idxHeader(_ dimensions: [UInt32], type: UInt8 = 0x08) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for size in dimensions {
        bytes += [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
    }
    return bytes
}

/// A small labelled set whose pixel values are a simple function of position, for round trips.
func sampleSet(count: Int, rows: Int = 3, columns: Int = 2, labelOffset: Int = 0) -> LabeledImages {
    let pixels = (0..<(count * rows * columns)).map { UInt8(($0 * 37 + 11) % 256) }
    let labels = (0..<count).map { UInt8(($0 + labelOffset) % 10) }
    return LabeledImages(rows: rows, columns: columns, pixels: pixels, labels: labels)
}

/// Runs `body` and returns the error it throws as `E`, or `nil` if it threw nothing or something else.
func error<E: Error>(_ type: E.Type, from body: () throws -> some Any) -> E? {
    do {
        _ = try body()
        return nil
    } catch let error as E {
        return error
    } catch {
        return nil
    }
}

/// The root of the package, found from this file's path.
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// The writing end of a pipe made by `servePipe`: how much a reader took.
final class PipeWriter: @unchecked Sendable {
    /// Bytes written before the reader closed the pipe or all were written; read it after `finished`.
    private(set) var written = 0
    private let done = DispatchSemaphore(value: 0)

    /// Waits until the writing thread has stopped and returns how many bytes it wrote.
    func finished() -> Int {
        done.wait()
        return written
    }

    fileprivate func serve(_ bytes: [UInt8], at path: String) {
        defer { done.signal() }
        let descriptor = open(path, O_WRONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count <= 0 { break }
                written += count
            }
        }
    }
}

/// Makes a FIFO at `path` and, from another thread, writes `bytes` into it once a reader has
/// opened it, then closes it: a pipe such as the shell's `<(zcat …)`. A reader that stops
/// early makes the write fail (SIGPIPE is ignored for that), not the test process.
@discardableResult
func servePipe(_ bytes: [UInt8], at path: String) throws -> PipeWriter {
    guard mkfifo(path, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    signal(SIGPIPE, SIG_IGN)
    let writer = PipeWriter()
    Thread { writer.serve(bytes, at: path) }.start()
    return writer
}
