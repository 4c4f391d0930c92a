import CZlib
import Foundation

/// Unpacks chosen regular files from a `.tar.gz` archive (ustar or GNU tar), streaming it
/// through zlib. Hand-written because none of the Swift packages at hand reads tar; only
/// what CIFAR-10's archive needs is supported.
enum TarGzArchive {
    /// Writes each regular file of the archive at `path` whose last path component is in
    /// `files` into `folder` under that name (directories in the archive are dropped, so
    /// no entry can write outside `folder`). Each file is written beside its final name and
    /// renamed once complete.
    ///
    /// - Throws: ``DatasetError/unusableFile(path:reason:)`` when the archive cannot be read
    ///   or lacks one of `files`.
    static func extract(_ path: String, files: [String], into folder: String) throws {
        guard let archive = gzopen(path, "rb") else {
            throw DatasetError.unusableFile(path: path, reason: "it cannot be opened")
        }
        defer { gzclose(archive) }
        func fail(_ reason: String) -> DatasetError { .unusableFile(path: path, reason: reason) }
        func read(_ count: Int) throws -> [UInt8] {
            var buffer = [UInt8](repeating: 0, count: count)
            var filled = 0
            while filled < count {
                let chunk = Int32(min(count - filled, 1 << 20))
                let got = buffer.withUnsafeMutableBytes { gzread(archive, $0.baseAddress! + filled, UInt32(chunk)) }
                guard got > 0 else { throw fail("the archive ends early or is not gzip") }
                filled += Int(got)
            }
            return buffer
        }
        var wanted = Set(files)
        while !wanted.isEmpty {
            let header = try read(512)
            if header.allSatisfy({ $0 == 0 }) { break }
            let name = field(header, 0, 100)
            let prefix = header[257..<263].elementsEqual(Array("ustar".utf8) + [0]) ? field(header, 345, 155) : ""
            guard let size = Int(field(header, 124, 12).trimmingCharacters(in: .whitespaces), radix: 8) else {
                throw fail("a tar header has no valid size")
            }
            let type = header[156]
            let baseName = String((prefix.isEmpty ? name : prefix + "/" + name).split(separator: "/").last ?? "")
            let padded = (size + 511) / 512 * 512
            if (type == UInt8(ascii: "0") || type == 0), wanted.contains(baseName) {
                let temporary = joinPath(folder, "." + baseName + ".unpacking")
                guard FileManager.default.createFile(atPath: temporary, contents: nil),
                      let output = FileHandle(forWritingAtPath: temporary) else {
                    throw DatasetError.unusableFile(path: temporary, reason: "it cannot be written")
                }
                var left = size
                while left > 0 {
                    let chunk = try read(min(left, 1 << 20))
                    try output.write(contentsOf: chunk)
                    left -= chunk.count
                }
                try output.close()
                _ = try read(padded - size)
                let final = joinPath(folder, baseName)
                try? FileManager.default.removeItem(atPath: final)
                try FileManager.default.moveItem(atPath: temporary, toPath: final)
                wanted.remove(baseName)
            } else {
                var left = padded
                while left > 0 { left -= try read(min(left, 1 << 20)).count }
            }
        }
        if let missing = wanted.sorted().first { throw fail("the archive holds no \(missing)") }
    }

    /// A NUL-terminated text field of a tar header.
    private static func field(_ header: [UInt8], _ offset: Int, _ length: Int) -> String {
        let bytes = header[offset..<(offset + length)].prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
