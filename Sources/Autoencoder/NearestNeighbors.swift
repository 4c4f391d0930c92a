/// Brute-force k-nearest-neighbour classification in Euclidean distance, the measure of how
/// well a code separates the digits.
///
/// Distances: for a block of queries, `‖r‖² − 2·q·r` for every reference `r` comes from one
/// matrix product (`‖q‖²` is the same for every reference, so it does not change the order),
/// after subtracting the references' mean from both sides to keep the numbers small. The
/// `k + 8` best candidates of each query are then re-ranked by their exact squared distance in
/// `Double`, so rounding in the product changes the result only when more than 8 other
/// references come within its rounding error (about 1e-7 of the squared norms) of the `k`-th
/// nearest: codes whose clusters lie far from their mean and close together within (points
/// ±1 apart around ±10000) can then get another neighbour than exact arithmetic would give.
///
/// Ties: neighbours at equal distance are ordered by reference index (lower first). The vote
/// goes to the label with the most of the `k` neighbours; when several labels have that many,
/// to the one among them whose member is nearest.
public enum NearestNeighbors {
    /// The predicted label of each row of `queries`.
    public static func classify(
        queries: Matrix, references: Matrix, labels: [UInt8], k: Int = 5,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred, blockSize: Int = 256
    ) -> [UInt8] {
        precondition(queries.columns == references.columns, "Queries and references differ in width.")
        precondition(labels.count == references.rows, "One label per reference is needed.")
        precondition(k >= 1 && k <= references.rows, "k must be between 1 and the number of references.")
        precondition(blockSize >= 1, "The block size must be at least 1, not \(blockSize).")
        let width = references.columns
        let referenceCount = references.rows
        let candidates = min(k + 8, referenceCount)

        // Centre both sets on the references' mean.
        var mean = [Double](repeating: 0, count: width)
        for r in 0..<referenceCount { for c in 0..<width { mean[c] += Double(references[r, c]) } }
        let center = mean.map { Float($0 / Double(referenceCount)) }
        func centred(_ m: Matrix) -> Matrix {
            var result = m
            result.storage.withUnsafeMutableBufferPointer { x in
                for r in 0..<m.rows { for c in 0..<width { x[r * width + c] -= center[c] } }
            }
            return result
        }
        let refs = centred(references)
        let queries = centred(queries)
        var norms = [Float](repeating: 0, count: referenceCount)
        refs.storage.withUnsafeBufferPointer { x in
            for r in 0..<referenceCount {
                var sum: Float = 0
                for c in 0..<width { sum += x[r * width + c] * x[r * width + c] }
                norms[r] = sum
            }
        }

        var predictions = [UInt8](repeating: 0, count: queries.rows)
        var dots = Matrix(rows: min(blockSize, max(queries.rows, 1)), columns: referenceCount)
        var bestScores = [Float](repeating: 0, count: candidates)
        var bestIndices = [Int](repeating: 0, count: candidates)
        var start = 0
        while start < queries.rows {
            let rows = min(blockSize, queries.rows - start)
            queries.withView { q in
                refs.withView { r in
                    dots.withMutableView { d in
                        multiplier.multiply(q.rows(start..<(start + rows)), .none, r, .transposed, into: d.rows(0..<rows))
                    }
                }
            }
            dots.storage.withUnsafeBufferPointer { dot in
                norms.withUnsafeBufferPointer { norm in
                    for row in 0..<rows {
                        // The `candidates` smallest scores, kept sorted (ties: lower index first).
                        var filled = 0
                        let line = dot.baseAddress! + row * referenceCount
                        for j in 0..<referenceCount {
                            let score = norm[j] - 2 * line[j]
                            if filled == candidates && !(score < bestScores[filled - 1]) { continue }
                            var position = filled == candidates ? candidates - 1 : filled
                            if filled < candidates { filled += 1 }
                            while position > 0 && score < bestScores[position - 1] {
                                bestScores[position] = bestScores[position - 1]
                                bestIndices[position] = bestIndices[position - 1]
                                position -= 1
                            }
                            bestScores[position] = score
                            bestIndices[position] = j
                        }
                        // Exact re-ranking of the candidates.
                        let query = start + row
                        var exact: [(distance: Double, index: Int)] = []
                        for index in bestIndices[0..<filled] {
                            exact.append((squaredDistance(queries, query, refs, index), index))
                        }
                        exact.sort(by: closer)
                        predictions[query] = vote(exact.prefix(k).map { labels[$0.index] })
                    }
                }
            }
            start += rows
        }
        return predictions
    }

    private static func squaredDistance(_ a: Matrix, _ row: Int, _ b: Matrix, _ other: Int) -> Double {
        var sum = 0.0
        for c in 0..<a.columns {
            let difference = Double(a[row, c]) - Double(b[other, c])
            sum += difference * difference
        }
        return sum
    }

    private static func closer(_ a: (distance: Double, index: Int), _ b: (distance: Double, index: Int)) -> Bool {
        if a.distance != b.distance { return a.distance < b.distance }
        return a.index < b.index
    }

    /// The majority label of `neighbours` (nearest first); a tie goes to the label whose
    /// member comes first.
    public static func vote(_ neighbours: [UInt8]) -> UInt8 {
        var counts = [Int](repeating: 0, count: 256)
        for label in neighbours { counts[Int(label)] += 1 }
        let most = neighbours.map { counts[Int($0)] }.max() ?? 0
        return neighbours.first { counts[Int($0)] == most } ?? 0
    }

    /// The fraction of `queries` whose predicted label equals `queryLabels`.
    public static func accuracy(
        queries: Matrix, queryLabels: [UInt8], references: Matrix, referenceLabels: [UInt8], k: Int = 5,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred
    ) -> Double {
        precondition(queryLabels.count == queries.rows, "One label per query is needed.")
        guard queries.rows > 0 else { return 0 }
        let predicted = classify(queries: queries, references: references, labels: referenceLabels, k: k,
                                 multiplier: multiplier)
        return Double(zip(predicted, queryLabels).filter { $0 == $1 }.count) / Double(queries.rows)
    }
}
