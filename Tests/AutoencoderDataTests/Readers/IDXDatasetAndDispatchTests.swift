import Foundation
import Testing
@testable import AutoencoderData

@Suite struct IDXDatasetReaderTests {
    @Test func unsignedBytesOfRankThreeAreImagesWithLabels() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let images = try directory.write(idxHeader([2, 1, 2]) + [0, 255, 51, 102], to: "x.idx")
        let labels = try directory.write(idxHeader([2]) + [4, 5], to: "y.idx")
        let data = try IDXDatasetReader.read(path: images, labelsPath: labels)
        #expect(data.sampleShape == [1, 1, 2])
        #expect(data.scaling == .pixels)
        #expect(data.store is ByteSamples)
        #expect(data.labels == [4, 5])
        #expect(data.samples(in: 0..<2) == [0, 1, 0.2, 0.4])
        let wrong = try directory.write(idxHeader([3]) + [1, 2, 3], to: "z.idx")
        #expect(throws: MNISTError.self) { try IDXDatasetReader.read(path: images, labelsPath: wrong) }
    }

    @Test func otherTypesAreBigEndianAndRankFourIsChannelsLast() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let floats = try directory.write(idxHeader([1, 2], type: 0x0D) + floatBytes([1.5, -2], bigEndian: true), to: "f.idx")
        let data = try IDXDatasetReader.read(path: floats)
        #expect(data.sampleShape == [2])
        #expect(data.samples(in: 0..<1) == [1.5, -2])
        let shorts = try directory.write(idxHeader([1, 1], type: 0x0B) + [0xFF, 0xFE], to: "s.idx")
        #expect(try IDXDatasetReader.read(path: shorts).samples(in: 0..<1) == [-2])
        let doubles = try directory.write(idxHeader([1, 1], type: 0x0E) + withUnsafeBytes(of: (0.5).bitPattern.bigEndian) { Array($0) },
                                          to: "d.idx")
        #expect(try IDXDatasetReader.read(path: doubles).samples(in: 0..<1) == [0.5])
        let colour = try directory.write(idxHeader([1, 1, 2, 3]) + [1, 2, 3, 4, 5, 6], to: "c.idx")
        let image = try IDXDatasetReader.read(path: colour)
        #expect(image.sampleShape == [3, 1, 2])
        #expect((image.store as! ByteSamples).bytes == [1, 4, 2, 5, 3, 6])
        let cut = try directory.write(idxHeader([1, 2], type: 0x0C) + [0, 0, 0, 1], to: "cut.idx")
        #expect(throws: IDXError.self) { try IDXDatasetReader.read(path: cut) }
        let vector = try directory.write(idxHeader([3]) + [1, 2, 3], to: "v.idx")
        #expect(throws: DatasetReaderError.self) { try IDXDatasetReader.read(path: vector) }
    }
}

@Suite struct DatasetReaderTests {
    @Test func formatsAreToldByNameAndContent() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try DatasetReader.detectFormat(path: try directory.write(Array("1,2\n".utf8), to: "a.csv")) == .csv)
        #expect(try DatasetReader.detectFormat(path: try directory.write(Array("1\t2\n".utf8), to: "a.tsv")) == .tsv)
        #expect(try DatasetReader.detectFormat(path: try directory.write(npyBytes(descr: "<f4", shape: [1, 1], data: floatBytes([1])),
                                                                          to: "noext")) == .npy)
        #expect(try DatasetReader.detectFormat(path: try directory.write(idxHeader([1, 1]) + [1], to: "train-idx2-ubyte")) == .idx)
        #expect(try DatasetReader.detectFormat(path: directory.path) == .images)
        #expect(throws: DatasetReaderError.self) { try DatasetReader.detectFormat(path: try directory.write([1, 2, 3], to: "x.bin")) }
    }

    @Test func anMNISTFolderGivesTrainingAndTest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try MNIST(training: sampleSet(count: 3), test: sampleSet(count: 2)).write(to: directory.path)
        let file = try DatasetReader.read(path: directory.path)
        #expect(file.training.count == 3)
        #expect(file.test?.count == 2)
        #expect(file.training.sampleShape == [1, 3, 2])
    }

    @Test func aCSVThroughTheDispatcherAndItsSummary() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write(Array("x,y,kind\n1,-2,b\n3,4,a\n5,6,b\n".utf8), to: "t.csv")
        let file = try DatasetReader.read(path: path, options: DatasetReadOptions(labelColumn: .name("kind")))
        let summary = DatasetSummary(file.training)
        #expect(summary.count == 3)
        #expect(summary.range == -2...6)
        #expect(summary.classCounts == [.init(name: "a", count: 1), .init(name: "b", count: 2)])
        #expect(summary.elementType == "float32")
        #expect(summary.description.contains("default scaling: minmax"))
    }
}
