import AutoencoderNetwork
import Foundation
import Testing

@Suite struct InitializerTests {
    static func draw(_ initializer: Initializer, count: Int, fanIn: Int, fanOut: Int, seed: UInt64)
        -> (values: [Float], generator: RandomGenerator) {
        var generator = RandomGenerator(seed: seed)
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { initializer.fill($0, fanIn: fanIn, fanOut: fanOut, using: &generator) }
        return (values, generator)
    }

    /// The original four initialisers draw exactly what they drew before the He and Glorot
    /// normal cases existed: the first draws' bits for seed 42, and an FNV-1a hash of
    /// 1000 draws' bits for seed 7 with the generator's next word after them, all recorded
    /// from the code of that time.
    @Test func existingInitializersDrawAsBefore() {
        let first: [Initializer: [UInt32]] = [
            .normal: [0xbfce7e1e, 0x3f481cf8, 0x3c820484, 0x3ef455c3, 0xbf23b311],
            .truncatedNormal: [0xbfce7e1e, 0x3f481cf8, 0x3c820484, 0x3ef455c3, 0xbf23b311],
            .glorotUniform: [0xbf250988, 0xbe3ffb8a, 0x3e8ecedf, 0x3f286e33, 0x3f430bd6],
            .zeros: [0, 0, 0, 0, 0],
        ]
        for (initializer, bits) in first {
            #expect(Self.draw(initializer, count: 5, fanIn: 3, fanOut: 7, seed: 42).values.map(\.bitPattern) == bits,
                    "\(initializer)")
        }
        let recorded: [Initializer: (hash: UInt64, next: UInt64)] = [
            .normal: (0x6640_2983_f5a8_f65c, 3_856_410_015_012_219_124),
            .truncatedNormal: (0x7d75_2b1e_08cf_cb9a, 5_391_293_757_893_205_970),
            .glorotUniform: (0x6635_5313_4923_abba, 3_301_002_798_311_131_737),
            .zeros: (0x1263_3b17_8b17_a745, 12_923_355_070_828_475_994),
        ]
        for (initializer, expected) in recorded {
            var (values, generator) = Self.draw(initializer, count: 1000, fanIn: 3, fanOut: 7, seed: 7)
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for v in values { hash = (hash ^ UInt64(v.bitPattern)) &* 0x100_0000_01b3 }
            #expect(hash == expected.hash, "\(initializer)")
            #expect(generator.next() == expected.next, "\(initializer)")
        }
    }

    static func meanAndVariance(_ values: [Float]) -> (mean: Double, variance: Double) {
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)
        return (mean, variance)
    }

    /// 20 000 draws each, all with variance 0.04: He with fanIn 50 (2/50, and for the uniform
    /// limit² / 3 = (6/50)/3), Glorot normal with fanIn 30 and fanOut 20 (2/50). The sample
    /// variance's relative standard error is about 1%, the mean's standard error 0.0014.
    @Test(arguments: [Initializer.heUniform, .heNormal, .glorotNormal])
    func newInitializersHaveTheirVariance(_ initializer: Initializer) {
        let fanIn = initializer == .glorotNormal ? 30 : 50
        let (values, _) = Self.draw(initializer, count: 20_000, fanIn: fanIn, fanOut: 20, seed: 11)
        let (mean, variance) = Self.meanAndVariance(values)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 0.04) < 0.04 * 0.05, "\(variance)")
        if initializer == .heUniform {
            let limit = Float((6.0 / 50).squareRoot())
            #expect(values.allSatisfy { abs($0) <= limit })
        } else {
            #expect(values.contains { abs($0) > 2 * 0.2 }, "normal draws are not truncated")
        }
    }

    @Test func decodesKerasSpellingsAndEncodesHyphens() throws {
        let decoded = try JSONDecoder().decode(
            [Initializer].self,
            from: Data(#"["he_uniform", "glorot_uniform", "zeros", "he-normal"]"#.utf8))
        #expect(decoded == [.heUniform, .glorotUniform, .zeros, .heNormal])
        // Keras's normal variants truncate (or, truncated_normal, scale) differently: refused.
        for keras in ["he_normal", "glorot_normal", "truncated_normal"] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode([Initializer].self, from: Data("[\"\(keras)\"]".utf8)) }
        }
        let encoded = String(decoding: try JSONEncoder().encode(Initializer.allCases), as: UTF8.self)
        #expect(encoded == #"["normal","truncated-normal","glorot-uniform","zeros","he-uniform","he-normal","glorot-normal"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Initializer].self, from: Data(#"["lecun_normal"]"#.utf8)) }
    }
}
