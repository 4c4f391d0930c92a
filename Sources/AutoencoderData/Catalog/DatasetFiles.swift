import CZlib
import Foundation

/// Checks on a folder's copy of a data set, cheap enough for `datasets list`: the files are
/// there and start as their format says (a whole read happens when the data is loaded).
enum DatasetFiles {
    /// Whether `folder` holds a readable copy of `entry` made elsewhere (a system package's,
    /// the project's own): each IDX file, raw or `.gz`, starts with an IDX header. Such
    /// copies are trusted without their SHA-256 (the bundled MNIST files were recompressed).
    static func areReadable(_ entry: DatasetEntry, in folder: String) -> Bool {
        switch entry.format {
        case .idx:
            return MNISTFile.allCases.allSatisfy { file in
                file.path(in: folder).map(startsWithIDXHeader) ?? false
            }
        case .cifar10Binary:
            return CIFAR10.fileNames.allSatisfy { isNonEmptyFile(joinPath(folder, $0)) }
        }
    }

    /// Whether the cache folder `folder` holds a finished fetch of `entry`: every file under its
    /// real name (given only once verified) and, for an archive, its unpacked files.
    static func areComplete(_ entry: DatasetEntry, in folder: String) -> Bool {
        let downloaded = entry.files.allSatisfy { isNonEmptyFile(joinPath(folder, $0.name)) }
        switch entry.format {
        case .idx: return downloaded
        case .cifar10Binary: return downloaded && areReadable(entry, in: folder)
        }
    }

    private static func isNonEmptyFile(_ path: String) -> Bool {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return size > 0
    }

    /// Whether the file, inflated if it is gzip, starts with an IDX magic number of unsigned bytes.
    private static func startsWithIDXHeader(_ path: String) -> Bool {
        guard let file = gzopen(path, "rb") else { return false }
        defer { gzclose(file) }
        var magic = [UInt8](repeating: 0xFF, count: 4)
        let count = magic.withUnsafeMutableBytes { gzread(file, $0.baseAddress, 4) }
        return count == 4 && magic[0] == 0 && magic[1] == 0 && magic[2] == 0x08 && (1...3).contains(magic[3])
    }
}
