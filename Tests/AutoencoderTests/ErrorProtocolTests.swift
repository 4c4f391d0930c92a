import Autoencoder
import Foundation
import Testing

/// Every error of the package is an `AutoencoderError`: one sentence, and the file or field
/// it is about where there is one.
@Suite struct ErrorProtocolTests {
    @Test func errorsFromEveryLayerOfThePackageShareOneProtocol() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.safetensors")
        try Data("not a model".utf8).write(to: bad)
        var caught: [any AutoencoderError] = []
        do { _ = try ModelFile.read(from: bad) } catch let error as any AutoencoderError { caught.append(error) }
        let table = folder.appendingPathComponent("ragged.csv")
        try Data("a,b\n1,2\n3\n".utf8).write(to: table)
        do { _ = try DatasetReader.read(path: table.path) } catch let error as any AutoencoderError { caught.append(error) }
        do { _ = try ModelDescription.decode(json: Data(#"{"input_shape": [4], "encoder": [{"kind": "Dense"}], "decoder": [], "loss": {"kind": "mse"}}"#.utf8)) }
        catch let error as any AutoencoderError { caught.append(error) }
        #expect(caught.count == 3)
        #expect(caught[0].subject == bad.path)
        #expect(caught[1].subject == table.path)
        for error in caught {
            #expect(error.description.hasSuffix("."), "\(error.description)")
            #expect(!error.description.contains("\n"), "\(error.description)")
        }
    }
}
