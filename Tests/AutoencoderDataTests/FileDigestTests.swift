import Testing
@testable import AutoencoderData

@Suite struct FileDigestTests {
    /// The expected sums are Python's `hashlib.sha256(...).hexdigest()`.
    @Test("a file's SHA-256 is the standard one, over chunks too", arguments: [
        (Array("abc".utf8), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ([], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        // Two chunks (1 MiB and the rest): bytes((i * 7 + 3) % 251 for i in range(1_100_001)).
        ((0..<1_100_001).map { UInt8(($0 * 7 + 3) % 251) }, "f0fb67bd309396cbe94b2a930b557b4edc175c5b189c0cd33f3877053e23a1d9"),
    ])
    func sumsMatchPython(bytes: [UInt8], expected: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write(bytes, to: "file")
        #expect(try FileDigest.sha256(ofFileAt: path) == expected)
    }

    @Test func aMissingFileIsNamed() throws {
        #expect(throws: DatasetError.self) { try FileDigest.sha256(ofFileAt: "/nonexistent/file") }
    }
}
