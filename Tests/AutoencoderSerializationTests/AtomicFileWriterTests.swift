import Foundation
import Testing
@testable import AutoencoderSerialization

@Suite("atomic writes: all or nothing")
struct AtomicFileWriterTests {
    @Test("a missing folder makes the write fail, naming the file, and creates nothing")
    func missingFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("absent/model.safetensors")
        #expect {
            try SafeTensors.write([NamedFloatTensor(name: "w", shape: [1], values: [1])], to: url)
        } throws: { error in
            guard let error = error as? FileAccessError else { return false }
            return error.step == .creatingTemporaryFile && error.code == ENOENT
                && error.description == "Could not access the file '\(url.path)' while creating its temporary file: No such file or directory."
        }
        #expect(try folder.entries().isEmpty)
    }

    @Test("a failing rename removes the temporary file")
    func failingRenameCleansUp() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // A non-empty folder cannot be replaced by a file: the rename fails after the
        // temporary file has been fully written.
        let url = folder.url.appendingPathComponent("target.npy")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        try Data([1]).write(to: url.appendingPathComponent("keep"))
        #expect {
            try NPY.write([1, 2], shape: [2], to: url)
        } throws: { error in
            guard let error = error as? FileAccessError else { return false }
            return error.step == .renaming
                && error.description.hasPrefix("Could not access the file '\(url.path)' while renaming its temporary file onto it: ")
        }
        #expect(try folder.entries() == ["target.npy"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.path) == ["keep"])
    }

    @Test("a file that is not writable as a folder entry fails cleanly")
    func destinationUnderAFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let blocker = folder.url.appendingPathComponent("plain-file")
        try Data([1]).write(to: blocker)
        let url = blocker.appendingPathComponent("model.safetensors")
        #expect(throws: FileAccessError(path: url.path, step: .creatingTemporaryFile, code: ENOTDIR)) {
            try SafeTensors.write([], to: url)
        }
        #expect(try folder.entries() == ["plain-file"])
    }

    @Test("an existing file is replaced whole")
    func replacesExistingFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("values.npy")
        try NPY.write(Array(repeating: 1, count: 1000), shape: [1000], to: url)
        try NPY.write([5, 6], shape: [2], to: url)
        #expect(try NPY.read(from: url).floats() == [5, 6])
        #expect(try folder.entries() == ["values.npy"])
    }

    @Test("a bare file name is written into the current folder's path form")
    func folderOfPath() {
        #expect(AtomicFileWriter.folderPath(of: "model.safetensors") == ".")
        #expect(AtomicFileWriter.folderPath(of: "/model.safetensors") == "/")
        #expect(AtomicFileWriter.folderPath(of: "/a/b/c.npy") == "/a/b")
        #expect(AtomicFileWriter.folderPath(of: "a/c.npy") == "a")
    }
}
