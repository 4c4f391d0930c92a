@testable import Autoencoder
import Foundation
import Testing

/// The output folder's write check says why a folder cannot take files (it used to say
/// "permission denied or the disk is full" whatever the reason).
@Suite struct OutputFolderTests {
    @Test func writeProblemsAreNamed() {
        #expect(OutputFolder.writeProblem(EACCES) == "permission denied")
        #expect(OutputFolder.writeProblem(EROFS) == "its file system is read-only")
        #expect(OutputFolder.writeProblem(ENOSPC) == "the disk is full")
        #expect(OutputFolder.writeProblem(EIO) == String(cString: strerror(EIO)))
    }

    @Test func aWritableFolderIsCheckedWithoutLeavingAFile() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try OutputFolder(folder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
}
