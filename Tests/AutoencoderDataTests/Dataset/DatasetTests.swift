import AutoencoderData
import Testing

/// The data-set type every reader produces: its subsets, its batches, and the scalings
/// fitted on training data and undone for outputs.
@Suite struct DatasetTests {
    /// Four samples of three features: a constant column, a rising one and a mixed one.
    static let table = Dataset(sampleShape: [3], store: FloatSamples(values: [5, 0, -1,
                                                                              5, 1, 3,
                                                                              5, 2, 1,
                                                                              5, 3, 1], width: 3),
                               labels: [0, 1, 0, 1], origin: "table")

    @Test func minMaxScalingMapsEachFeatureOntoTheUnitIntervalAndKeepsConstantsAtZero() {
        let scaling = Scaling.fit(.minmax, to: Self.table)
        #expect(scaling.offsets == [5, 0, -1])
        #expect(scaling.factors == [1, Float(1) / 3, 0.25])
        var data = Self.table
        data.scaling = scaling
        #expect(data.samples(in: 0..<2) == [0, 0, 0, 0, Float(1) / 3, 1])
        let inverted = scaling.inverted(data.samples(in: 0..<4), width: 3)
        for (value, original) in zip(inverted, FloatSamples(values: [5, 0, -1, 5, 1, 3, 5, 2, 1, 5, 3, 1], width: 3).values) {
            #expect(abs(value - original) < 1e-6)
        }
    }

    @Test func standardScalingGivesZeroMeanAndUnitDeviation() {
        let scaling = Scaling.fit(.standard, to: Self.table)
        var data = Self.table
        data.scaling = scaling
        let values = data.samples(in: 0..<4)
        for feature in 1..<3 {
            let column = stride(from: feature, to: values.count, by: 3).map { Double(values[$0]) }
            let mean = column.reduce(0, +) / 4
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            #expect(abs(mean) < 1e-6 && abs(variance - 1) < 1e-5)
        }
        // The constant feature has no deviation: it becomes 0, not a division by zero.
        #expect(stride(from: 0, to: values.count, by: 3).allSatisfy { values[$0] == 0 })
    }

    @Test func aScalingIsFittedOnTheSubsetOnly() {
        let part = Self.table.subset([0, 1])
        let scaling = Scaling.fit(.minmax, to: part)
        #expect(scaling.offsets == [5, 0, -1])
        #expect(scaling.factors == [1, 1, 0.25])
        #expect(part.labels == [0, 1])
        #expect(part.subset([1]).samples(in: 0..<1) == [5, 1, 3])
    }

    @Test func bytesOfImagesAreDividedBy255InOnePass() {
        let images = Dataset(sampleShape: [1, 1, 2], store: ByteSamples(bytes: [0, 255, 51, 102], width: 2),
                             scaling: .pixels, origin: "images")
        #expect(images.samples(in: 0..<2) == [0, 1, 0.2, 0.4])
        #expect(images.imageShape?.channels == 1 && images.imageShape?.width == 2)
        var indices = [1, 0]  // shuffled, as a training batch is
        var batch = [Float](repeating: -1, count: 4)
        indices.withUnsafeMutableBufferPointer { indices in
            batch.withUnsafeMutableBufferPointer { images.copySamples(at: UnsafeBufferPointer(indices), into: $0.baseAddress!) }
        }
        #expect(batch == [0.2, 0.4, 0, 1])
        #expect(Scaling.pixels.inverted([0.2, 1], width: 2) == [51, 255])
    }
}
