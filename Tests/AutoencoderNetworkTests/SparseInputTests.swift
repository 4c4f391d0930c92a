@testable import AutoencoderNetwork
import AutoencoderKernels
import AutoencoderNumerics
import CAutoencoderKernels
import Testing

@Suite struct SparseInputTests {
    /// The zero-skipping first layer (used for mostly-zero inputs such as MNIST) agrees with
    /// the dense product: output widths that are not a multiple of the vector width or of
    /// a pass's 64 columns, inputs wider than one listing piece (1024) and not a multiple
    /// of it, row counts that leave 1-3 rows after the blocks of 4, enough work to be split
    /// over threads (263 rows: on two cores 128 and 135, the second ending in 3 single rows), and rows
    /// with no non-zero at all (next to rows that have some).
    @Test(arguments: [(40, 50, 256), (40, 50, 130), (40, 50, 7), (300, 784, 100), (1, 17, 16), (70, 5000, 20),
                      (23, 784, 64), (6, 33, 200), (263, 64, 130), (14, 40, 70)])
    func sparseAndDenseForwardAgree(rows: Int, inputWidth: Int, outputWidth: Int) throws {
        var g = RandomGenerator(seed: 21)
        let network = try Network(layers: [
            Dense(inputWidth, outputWidth, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
            Dense(outputWidth, 3, activation: .linear, weightInitializer: .normal, biasInitializer: .normal),
        ], generator: &g)
        // 80 % zeros, like MNIST, and every third row all zeros (after the first 16 rows,
        // which decide whether the input counts as mostly zeros).
        var storage = (0..<(rows * inputWidth)).map { _ in
            g.nextInt(below: 5) == 0 ? Float(g.nextUnitDouble()) : 0
        }
        for row in stride(from: 18, to: rows, by: 3) {
            for c in 0..<inputWidth { storage[row * inputWidth + c] = 0 }
        }
        let input = Matrix(rows: rows, columns: inputWidth, storage: storage)
        var denseLooking = input
        denseLooking.storage = denseLooking.storage.map { $0 == 0 ? 1e-30 : $0 }  // defeats the zero check
        let sparse = network.apply(input, multiplier: BuiltInMatrixMultiplier())
        let dense = network.apply(denseLooking, multiplier: BuiltInMatrixMultiplier())
        #expect(sparse.rows == rows)
        for (a, b) in zip(sparse.storage, dense.storage) { #expect(abs(a - b) <= 1e-4 * max(1, abs(b))) }
    }

    /// `rows × width` values, four fifths zeros, row `emptyRow(rows)` all zeros and, with
    /// more than 5 rows, a NaN in row 5.
    static func mostlyZeros(rows: Int, width: Int, using g: inout RandomGenerator) -> [Float] {
        var x = (0..<(rows * width)).map { _ in g.nextInt(below: 5) == 0 ? Float(g.nextUnitDouble()) : 0 }
        for c in 0..<width { x[emptyRow(rows) * width + c] = 0 }
        if rows > 5 { x[5 * width + width / 2] = .nan }
        return x
    }

    static func emptyRow(_ rows: Int) -> Int { min(2, rows - 1) }

    /// Whether `values` are within 1e-5 (relative, or absolute below 1) of the reference.
    static func close(_ values: [Float], _ reference: [Double]) -> Bool {
        zip(values, reference).allSatisfy { a, b in b.isNaN ? a.isNaN : abs(Double(a) - b) <= 1e-5 * max(1, abs(b)) }
    }

    /// Every instruction-set variant of the zero-skipping product this CPU runs (AVX-512,
    /// AVX2, baseline: each lays out its passes differently), and AVX-512's passes compiled
    /// for the baseline (so that every machine tests them), sums each row over its own
    /// non-zeros only, whatever rows share its block (of 4 rows, or of 6 in AVX2's groups,
    /// which reorder their rows): a row alone gives the same bits as in a batch. The two FMA
    /// variants agree bit for bit; the baseline rounds products separately, so it agrees
    /// within tolerance. Weights packed in panels (several, a short last one). Odd shapes,
    /// every leftover of 1-5 rows, more blocks than one group holds, inputs wider than a
    /// group's lists, rows with no non-zero, and a NaN (not a zero, so it must count).
    @Test(arguments: [(9, 50, 200), (4, 784, 64), (7, 1100, 19), (1, 16, 1), (6, 40, 70), (13, 30, 33),
                      (101, 784, 40), (200, 60, 37), (17, 1100, 24)])
    func everyVariantSumsEachRowOverItsOwnNonZeros(rows: Int, inputWidth: Int, outputWidth: Int) {
        var g = RandomGenerator(seed: 5)
        let x = Self.mostlyZeros(rows: rows, width: inputWidth, using: &g)
        let emptyRow = Self.emptyRow(rows)
        let w = (0..<(outputWidth * inputWidth)).map { _ in Float(g.nextUnitDouble() - 0.5) }
        let packed = Self.packed(w, outputWidth: outputWidth, inputWidth: inputWidth)
        func product(variant: Int32, rows range: Range<Int>) -> [Float]? {
            var y = [Float](repeating: -1, count: range.count * outputWidth)
            let supported = x[(range.lowerBound * inputWidth)...].withUnsafeBufferPointer {
                ae_sparse_input_product_variant(variant, $0.baseAddress!, range.count, inputWidth, packed, outputWidth, &y)
            }
            return supported != 0 ? y : nil
        }
        var expected = [Double](repeating: 0, count: rows * outputWidth)
        for r in 0..<rows {
            for k in 0..<inputWidth where x[r * inputWidth + k] != 0 {
                for c in 0..<outputWidth {
                    expected[r * outputWidth + c] += Double(w[c * inputWidth + k]) * Double(x[r * inputWidth + k])
                }
            }
        }
        var fusedResults: [[Float]] = []
        for variant in Int32(0)...AE_SPARSE_WIDE_PASSES {
            guard let y = product(variant: variant, rows: 0..<rows) else { continue }
            if variant == 1 || variant == 2 { fusedResults.append(y) }
            #expect(Self.close(y, expected), "variant \(variant)")
            #expect(y[(emptyRow * outputWidth)..<((emptyRow + 1) * outputWidth)].allSatisfy { $0 == 0 })
            if rows > 5 { #expect(y[5 * outputWidth].isNaN) }
            for r in 0..<rows {
                let alone = product(variant: variant, rows: r..<(r + 1))!
                #expect(alone.map(\.bitPattern) == y[(r * outputWidth)..<((r + 1) * outputWidth)].map(\.bitPattern),
                        "variant \(variant), row \(r)")
            }
        }
        #expect(product(variant: 0, rows: 0..<rows) != nil)
        if fusedResults.count == 2 { #expect(fusedResults[0].map(\.bitPattern) == fusedResults[1].map(\.bitPattern)) }
    }

    /// The zero-skipping weight gradient δᵀ·x agrees with a reference in every variant, and
    /// bit for bit between the two FMA variants and the threaded product. A sample that is
    /// zero in a block of 16 inputs adds exactly nothing there: leaving out an all-zero
    /// sample gives the same bits. A NaN input is not a zero, so it counts. Shapes: input
    /// widths that are and are not multiples of 16, output widths below and above
    /// AVX-512's 28-row tile, exactly one tile and its 4-row tail (32), tails of 4 + 1 (33,
    /// 61), more samples than one list (1024), inputs wider than the work-balanced split
    /// handles (16,400, split evenly), and a δ too large to copy into column panels (over
    /// 2^20 values: read in place).
    @Test(arguments: [(9, 50, 200), (256, 784, 256), (7, 33, 19), (1, 16, 1), (1100, 40, 17), (5, 40, 32),
                      (6, 70, 33), (4, 24, 61), (3, 16_400, 2), (1030, 20, 1020)])
    func weightGradientSkipsZeroBlocks(rows: Int, inputWidth: Int, outputWidth: Int) {
        var g = RandomGenerator(seed: 8)
        let x = Self.mostlyZeros(rows: rows, width: inputWidth, using: &g)
        let delta = (0..<(rows * outputWidth)).map { _ in Float(g.nextUnitDouble() - 0.5) }
        var expected = [Double](repeating: 0, count: outputWidth * inputWidth)
        for r in 0..<rows {
            for k in 0..<inputWidth where x[r * inputWidth + k] != 0 {
                for o in 0..<outputWidth {
                    expected[o * inputWidth + k] += Double(delta[r * outputWidth + o]) * Double(x[r * inputWidth + k])
                }
            }
        }
        var fused: [[Float]] = []
        for variant in Int32(0)...2 {
            var dw = [Float](repeating: -1, count: outputWidth * inputWidth)
            guard ae_sparse_weight_gradient_variant(variant, delta, rows, outputWidth, x, inputWidth, &dw) != 0 else { continue }
            if variant > 0 { fused.append(dw) }
            #expect(Self.close(dw, expected), "variant \(variant)")
        }
        var threaded = [Float](repeating: -1, count: outputWidth * inputWidth)
        ae_sparse_weight_gradient(delta, rows, outputWidth, x, inputWidth, &threaded)
        if let first = fused.first {
            for dw in fused + [threaded] { #expect(dw.map(\.bitPattern) == first.map(\.bitPattern)) }
        }
        if rows > 5 { #expect(threaded[inputWidth / 2].isNaN) }
        if rows > 1 {
            let emptyRow = Self.emptyRow(rows)
            let xWithout = Array(x[..<(emptyRow * inputWidth)] + x[((emptyRow + 1) * inputWidth)...])
            let deltaWithout = Array(delta[..<(emptyRow * outputWidth)] + delta[((emptyRow + 1) * outputWidth)...])
            var without = [Float](repeating: -1, count: outputWidth * inputWidth)
            ae_sparse_weight_gradient(deltaWithout, rows - 1, outputWidth, xWithout, inputWidth, &without)
            #expect(without.map(\.bitPattern) == threaded.map(\.bitPattern))
        }
    }

    /// The threaded gradient splits the blocks of 16 inputs by their non-zero rows, not by
    /// count: when all the non-zeros sit in a few blocks at one end (or in none), each
    /// block is still computed exactly once, with the bits of the one-thread variant.
    @Test(arguments: [0, 3, 49])
    func weightGradientSplitFollowsTheNonZeros(busyBlocks: Int) {
        let rows = 256, inputWidth = 784, outputWidth = 64
        var g = RandomGenerator(seed: 9)
        var x = [Float](repeating: 0, count: rows * inputWidth)
        for r in 0..<rows {
            for k in (inputWidth - 16 * busyBlocks)..<inputWidth where g.nextInt(below: 3) == 0 {
                x[r * inputWidth + k] = Float(g.nextUnitDouble())
            }
        }
        let delta = (0..<(rows * outputWidth)).map { _ in Float(g.nextUnitDouble() - 0.5) }
        var alone = [Float](repeating: -1, count: outputWidth * inputWidth)
        // The best variant this CPU runs, on the calling thread.
        let ran = [Int32(2), 1, 0].first {
            ae_sparse_weight_gradient_variant($0, delta, rows, outputWidth, x, inputWidth, &alone) != 0
        }
        #expect(ran != nil)
        var threaded = [Float](repeating: -1, count: outputWidth * inputWidth)
        ae_sparse_weight_gradient(delta, rows, outputWidth, x, inputWidth, &threaded)
        #expect(threaded.map(\.bitPattern) == alone.map(\.bitPattern))
        #expect(threaded.contains(-1) == false)
    }

    /// The split balances the work, not the block count: when the ink grows from none in
    /// the first blocks to most rows in the last (as an MNIST image holds more ink in its
    /// lower half), each part's work (the rows with a non-zero in each of its blocks, plus
    /// one per block for its listing) stays within one block's work of an equal share,
    /// where an even split of the blocks is several blocks off.
    @Test(arguments: [2, 3, 5])
    func weightGradientSplitBalancesTheWork(parts: Int) {
        let rows = 256, inputWidth = 784, blocks = 49
        var g = RandomGenerator(seed: 21)
        var x = [Float](repeating: 0, count: rows * inputWidth)
        for r in 0..<rows {
            for k in 0..<inputWidth where g.nextUnitDouble() < Double(k / 16) / Double(blocks - 1) / 8 {
                x[r * inputWidth + k] = 1
            }
        }
        let work = (0..<blocks).map { b in
            1 + (0..<rows).filter { r in (0..<16).contains { x[r * inputWidth + b * 16 + $0] != 0 } }.count
        }
        func imbalance(_ bounds: [Int]) -> Int {
            let share = Double(work.reduce(0, +)) / Double(parts)
            return (0..<parts).map { p in
                Int(abs(Double(work[bounds[p]..<bounds[p + 1]].reduce(0, +)) - share).rounded(.up))
            }.max()!
        }
        var bounds = [Int](repeating: -1, count: parts + 1)
        ae_sparse_weight_gradient_split(rows, x, inputWidth, Int32(parts), &bounds)
        #expect(bounds.first == 0 && bounds.last == blocks && zip(bounds, bounds.dropFirst()).allSatisfy { $0 <= $1 })
        let even = (0...parts).map { blocks * $0 / parts }
        let largestBlock = work.max()!
        #expect(imbalance(bounds) <= largestBlock, "split \(bounds), work per block \(work)")
        #expect(imbalance(even) > 2 * largestBlock)
    }

    /// With the input's columns permuted (`ae_permute_columns`), the gradient comes out in
    /// the original order with the bits of the unpermuted one: for a random order and for
    /// image patches (runs of 4), with more samples than one list (1024, so blocks are
    /// summed over two lists and dw is read back through the order), with no samples (zeros
    /// land where the order puts them), on the threaded path (the 256 × 784 case) and in
    /// every instruction-set variant this CPU runs.
    @Test(arguments: [(256, 784, 64, true), (9, 50, 37, false), (1100, 48, 20, true), (0, 64, 30, false),
                      (40, 36, 28, true)])
    func permutedInputGivesTheSameGradient(rows: Int, inputWidth: Int, outputWidth: Int, patches: Bool) {
        var g = RandomGenerator(seed: 12)
        let x = rows == 0 ? [] : Self.mostlyZeros(rows: rows, width: inputWidth, using: &g)
        let delta = (0..<(rows * outputWidth)).map { _ in Float(g.nextUnitDouble() - 0.5) }
        let order: [Int32]
        if patches {
            let side = Int(Double(inputWidth).squareRoot())
            order = PixelPatches.columnOrder(height: inputWidth / side, width: side)
        } else {
            var shuffled = Array(0..<inputWidth)
            g.shuffle(&shuffled)
            order = shuffled.map { Int32($0) }
        }
        #expect(order.sorted() == (0..<Int32(inputWidth)).map { $0 })
        var permuted = [Float](repeating: .nan, count: rows * inputWidth)
        ae_permute_columns(x, rows, inputWidth, order, &permuted)
        for r in 0..<rows {
            for j in 0..<inputWidth {
                #expect(permuted[r * inputWidth + j].bitPattern == x[r * inputWidth + Int(order[j])].bitPattern)
            }
        }
        var plain = [Float](repeating: -1, count: outputWidth * inputWidth)
        ae_sparse_weight_gradient(delta, rows, outputWidth, x, inputWidth, &plain)
        var viaOrder = [Float](repeating: -1, count: outputWidth * inputWidth)
        ae_sparse_weight_gradient_permuted(delta, rows, outputWidth, permuted, inputWidth, order, &viaOrder)
        #expect(viaOrder.map(\.bitPattern) == plain.map(\.bitPattern))
        if rows == 0 { #expect(viaOrder.allSatisfy { $0 == 0 }) }
        for variant in Int32(0)...2 {
            var natural = [Float](repeating: -1, count: outputWidth * inputWidth)
            var ordered = [Float](repeating: -2, count: outputWidth * inputWidth)
            guard ae_sparse_weight_gradient_variant(variant, delta, rows, outputWidth, x, inputWidth, &natural) != 0
            else { continue }
            #expect(ae_sparse_weight_gradient_permuted_variant(variant, delta, rows, outputWidth, permuted, inputWidth,
                                                               order, &ordered) != 0)
            #expect(ordered.map(\.bitPattern) == natural.map(\.bitPattern), "variant \(variant)")
        }
    }

    /// Empty sums are zeros, not whatever the output held: no inputs for the product, no
    /// samples for the gradient.
    @Test func emptySumsAreZero() {
        var y = [Float](repeating: .nan, count: 3 * 5)
        ae_sparse_input_product([], 3, 0, [], 5, &y)
        #expect(y.allSatisfy { $0 == 0 })
        var dw = [Float](repeating: .nan, count: 5 * 40)
        ae_sparse_weight_gradient([], 0, 5, [], 40, &dw)
        #expect(dw.allSatisfy { $0 == 0 })
    }

    /// The forward product takes a group's rows in blocks of similar rows: rows whose
    /// non-zeros lie in two different halves, interleaved, go into blocks of one half each;
    /// the first row not yet taken starts each block, and equals go in their order.
    @Test func blocksGatherSimilarRows() {
        let inputWidth = 64
        var x = [Float](repeating: 0, count: 12 * inputWidth)
        for r in 0..<12 {
            let half = r % 2 == 0 ? 0 : 32
            x[r * inputWidth + half + r] = Float(r + 1)
        }
        var order = [Int32](repeating: -1, count: 12)
        #expect(ae_sparse_block_order(x, 12, inputWidth, 6, &order) == 1)
        #expect(order == [0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11])
        #expect(ae_sparse_block_order(x, 12, inputWidth, 7, &order) == 0)
        #expect(ae_sparse_block_order(x, 12, 1025, 6, &order) == 0)
    }

    /// `w` (`outputWidth × inputWidth`) packed for the zero-skipping product.
    static func packed(_ w: [Float], outputWidth: Int, inputWidth: Int) -> [Float] {
        var packed = [Float](repeating: .nan, count: ae_sparse_packed_weight_count(outputWidth, inputWidth))
        ae_sparse_pack_weight(w, outputWidth, inputWidth, &packed)
        return packed
    }

    /// The packing that lays out the first layer's weight, on shapes around its 8 × 8 tiles
    /// and its panels of 16 outputs (one short panel, several, exactly whole ones, inputs that
    /// leave columns past the tiles, enough panels to be split over threads): exact, with
    /// a short panel's missing outputs zero.
    @Test(arguments: [(1, 1), (1, 9), (7, 8), (16, 7), (17, 9), (16, 8), (33, 24), (256, 784), (784, 256), (1000, 33)])
    func packingIsExact(outputWidth: Int, inputWidth: Int) {
        let w = (0..<(outputWidth * inputWidth)).map { Float($0 + 1) }
        let panels = (outputWidth + 15) / 16
        #expect(ae_sparse_packed_weight_count(outputWidth, inputWidth) == panels * 16 * inputWidth)
        var expected = [Float](repeating: 0, count: panels * 16 * inputWidth)
        for o in 0..<outputWidth {
            for p in 0..<inputWidth { expected[(o / 16) * 16 * inputWidth + p * 16 + o % 16] = w[o * inputWidth + p] }
        }
        #expect(Self.packed(w, outputWidth: outputWidth, inputWidth: inputWidth) == expected)
    }
}

@Suite struct SparseFirstLayerTrainingTests {
    /// Mostly-zero samples (like MNIST: 80 % zeros, with whole blocks of zeros) of 48 features.
    static func data(count: Int = 96) -> Matrix {
        var g = RandomGenerator(seed: 31)
        let storage = (0..<(count * 48)).map { i in
            (i % 48) / 16 == (i / 48) % 3 && g.nextInt(below: 2) == 0 ? Float(g.nextUnitDouble()) : 0
        }
        return Matrix(rows: count, columns: 48, storage: storage)
    }

    static func trainer(skipsZeros: Bool) throws -> Trainer {
        var g = RandomGenerator(seed: 3)
        let network = try Network(layers: [
            Dense(48, 20, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
            Dense(20, 48, activation: .sigmoid, weightInitializer: .normal, biasInitializer: .normal),
        ], generator: &g)
        return Trainer(network: network, optimizer: Adam(learningRate: 0.01), batchSize: 16, generator: g,
                       multiplier: BuiltInMatrixMultiplier(), firstLayerSkipsZeros: skipsZeros)
    }

    /// Training that skips the input's zeros in the first layer follows the dense path up to
    /// rounding, step after step (here, with 48 inputs, even to the bit); a batch that is not
    /// mostly zeros takes the dense path.
    @Test func followsTheDensePath() throws {
        let data = Self.data()
        #expect(data.withView { $0.isMostlyZero })
        let sparse = try Self.trainer(skipsZeros: true), dense = try Self.trainer(skipsZeros: false)
        #expect(sparse.firstLayerSkipsZeros && !dense.firstLayerSkipsZeros)
        for _ in 0..<5 {
            let a = try sparse.trainEpoch(on: data), b = try dense.trainEpoch(on: data)
            #expect(abs(a.meanCost - b.meanCost) <= 1e-4 * b.meanCost)
        }
        let worst = zip(sparse.network.parameters, dense.network.parameters).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-3)
        #expect(sparse.stepsSkippingZeros == 5 * 6 && dense.stepsSkippingZeros == 0)

        var denseData = data
        denseData.storage = denseData.storage.map { $0 + 0.5 }
        let third = try Self.trainer(skipsZeros: true)
        _ = try third.trainEpoch(on: denseData)
        #expect(third.stepsSkippingZeros == 0)
    }

    /// Images of `height × width` pixels (the data of ``data(count:)``, 48 = 6 × 8).
    struct Images: BatchSource {
        let matrix: Matrix
        let size: (height: Int, width: Int)?
        var count: Int { matrix.count }
        var width: Int { matrix.width }
        var imageSize: (height: Int, width: Int)? { size }
        func fillBatch(_ indices: ArraySlice<Int>, into destination: MutableMatrixView) {
            matrix.fillBatch(indices, into: destination)
        }
    }

    /// When the data says its samples are images, the first layer's weight gradient takes
    /// their pixels 4 × 4 patch by patch; training gives the same bits as without, and a
    /// size that does not match the samples, or is smaller than a patch, is ignored. A
    /// trainer given images of another size builds the order anew.
    @Test func imagesTrainToTheSameBits() throws {
        let data = Self.data()
        let plain = try Self.trainer(skipsZeros: true)
        for _ in 0..<3 { _ = try plain.trainEpoch(on: data) }
        #expect(plain.stepsSkippingZeros == 18 && plain.stepsInPatchOrder == 0)
        for size in [(6, 8), (8, 6), (5, 5), (2, 24), (1 << 62, 4)] {
            let images = try Self.trainer(skipsZeros: true)
            for _ in 0..<3 { _ = try images.trainEpoch(on: Images(matrix: data, size: size)) }
            #expect(images.stepsSkippingZeros == plain.stepsSkippingZeros)
            let patched = [(6, 8), (8, 6)].contains { $0 == size }   // 48 pixels, at least 4 × 4
            #expect(images.stepsInPatchOrder == (patched ? 18 : 0), "\(size)")
            #expect(images.network.parameters.map(\.bitPattern) == plain.network.parameters.map(\.bitPattern),
                    "\(size)")
        }
        let switching = try Self.trainer(skipsZeros: true)
        for size in [(6, 8), (8, 6), (6, 8)] { _ = try switching.trainEpoch(on: Images(matrix: data, size: size)) }
        #expect(switching.stepsInPatchOrder == 18)
        #expect(switching.network.parameters.map(\.bitPattern) == plain.network.parameters.map(\.bitPattern))
    }

    /// A NaN among the zeros is not skipped: training stops at that batch as on the dense path.
    @Test func aNaNInAMostlyZeroBatchStopsTraining() throws {
        var data = Self.data(count: 32)
        data[3, 40] = .nan
        let trainer = try Self.trainer(skipsZeros: true)
        #expect(throws: TrainingError.self) { try trainer.trainEpoch(on: data) }
    }
}
