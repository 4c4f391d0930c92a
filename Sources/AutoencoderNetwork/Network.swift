import AutoencoderKernels
import AutoencoderNumerics

/// A stack of layers applied one after another, with all their parameters in one
/// flat array.
///
/// Layer `i`'s tensors occupy `parameters[parameterOffsets[i] ..< parameterOffsets[i + 1]]`,
/// in the order of its ``Layer/parameterShapes``. Keeping them contiguous lets the
/// optimizer update the whole model in one pass and lets a checkpoint save it as is.
public struct Network: Sendable {
    /// The layers, input side first.
    public let layers: [any Layer]
    /// Every parameter of every layer, layer after layer. Its length is fixed by the layers
    /// (``parameterCount``); assigning an array of another length is a programming error.
    public var parameters: [Float] {
        didSet {
            precondition(parameters.count == parameterOffsets.last!,
                         "The network needs \(parameterOffsets.last!) parameters, not \(parameters.count).")
        }
    }
    /// Where each layer's parameters start in ``parameters``; the last entry is their total count.
    public let parameterOffsets: [Int]

    /// Errors raised when layers or parameters do not fit together.
    public enum ShapeError: Error, CustomStringConvertible, Equatable {
        /// A layer's input width differs from the previous layer's output width.
        case widthMismatch(layer: Int, expected: Int, found: Int)
        /// The parameter array has the wrong length for the layers.
        case parameterCount(expected: Int, found: Int)
        /// The network has no layers.
        case empty

        /// One sentence saying why the layers do not make a network.
        public var description: String {
            switch self {
            case let .widthMismatch(layer, expected, found):
                "Layer \(layer) takes \(found) inputs but the layer before it gives \(expected)."
            case let .parameterCount(expected, found):
                "The network needs \(expected) parameters but \(found) were given."
            case .empty:
                "A network needs at least one layer."
            }
        }
    }

    /// Creates a network whose parameters are drawn by each layer's initialisers,
    /// layer by layer, from `generator`.
    public init(layers: [any Layer], generator: inout RandomGenerator) throws {
        let offsets = try Network.offsets(of: layers)
        var parameters = [Float](repeating: 0, count: offsets.last!)
        parameters.withUnsafeMutableBufferPointer { all in
            for (index, layer) in layers.enumerated() {
                layer.initialize(MutableVectorView(UnsafeMutableBufferPointer(rebasing: all[offsets[index]..<offsets[index + 1]])),
                                 using: &generator)
            }
        }
        self.layers = layers
        self.parameters = parameters
        self.parameterOffsets = offsets
    }

    /// Creates a network with the given parameters, laid out as described above.
    public init(layers: [any Layer], parameters: [Float]) throws {
        let offsets = try Network.offsets(of: layers)
        guard parameters.count == offsets.last! else {
            throw ShapeError.parameterCount(expected: offsets.last!, found: parameters.count)
        }
        self.layers = layers
        self.parameters = parameters
        self.parameterOffsets = offsets
    }

    private static func offsets(of layers: [any Layer]) throws -> [Int] {
        guard !layers.isEmpty else { throw ShapeError.empty }
        var offsets = [0]
        for (index, layer) in layers.enumerated() {
            if index > 0, layers[index - 1].outputWidth != layer.inputWidth {
                throw ShapeError.widthMismatch(layer: index, expected: layers[index - 1].outputWidth,
                                               found: layer.inputWidth)
            }
            offsets.append(offsets.last! + layer.parameterCount)
        }
        return offsets
    }

    /// The width of the network's input rows.
    public var inputWidth: Int { layers.first!.inputWidth }
    /// The width of the network's output rows.
    public var outputWidth: Int { layers.last!.outputWidth }
    /// The total number of scalar parameters.
    public var parameterCount: Int { parameterOffsets.last! }

    /// The values of one parameter tensor of one layer, outermost dimension first.
    public func tensor(layer: Int, named name: String) -> [Float]? {
        var offset = parameterOffsets[layer]
        for shape in layers[layer].parameterShapes {
            if shape.name == name { return Array(parameters[offset..<(offset + shape.count)]) }
            offset += shape.count
        }
        return nil
    }

    /// The network's output for `input` (one sample per row, ``inputWidth`` columns: a
    /// precondition): every layer applied in turn, as ``apply(_:layers:chunkSize:multiplier:)`` does.
    public func callAsFunction(_ input: Matrix, multiplier: any MatrixMultiplier = MatrixMultiplication.preferred) -> Matrix {
        apply(input, multiplier: multiplier)
    }

    /// The network's output for one sample of ``inputWidth`` values (a precondition).
    public func callAsFunction(_ sample: [Float], multiplier: any MatrixMultiplier = MatrixMultiplication.preferred) -> [Float] {
        apply(Matrix(rows: 1, columns: sample.count, storage: sample), multiplier: multiplier).storage
    }

    /// Runs layers `range` on `input` (whose width must be the first of those layers'
    /// input width), `chunkSize` (at least 1) rows at a time so memory stays bounded, and
    /// returns the last layer's output.
    public func apply(
        _ input: Matrix, layers range: Range<Int>? = nil, chunkSize: Int = 1024,
        multiplier: any MatrixMultiplier = MatrixMultiplication.preferred
    ) -> Matrix {
        let range = range ?? 0..<layers.count
        precondition(!range.isEmpty, "At least one layer must be applied.")
        precondition(chunkSize >= 1, "The chunk size must be at least 1, not \(chunkSize).")
        precondition(input.columns == layers[range.lowerBound].inputWidth,
                     "The input has \(input.columns) columns but the layer takes \(layers[range.lowerBound].inputWidth).")
        let outputWidth = layers[range.upperBound - 1].outputWidth
        var result = Matrix(rows: input.rows, columns: outputWidth)
        if input.rows == 0 { return result }
        let chunk = min(chunkSize, input.rows)
        let widest = range.map { layers[$0].outputWidth }.max()!
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * chunk * widest)
        defer { scratch.deallocate() }
        // Each layer's own scratch memory (convolutions' unfolded patches, …), for a chunk.
        let layerScratch = LayerScratch(layers: range.map { layers[$0] }, batchSize: chunk)
        var context = LayerContext(multiplier: multiplier)
        // A mostly-zero input (MNIST: four fifths zeros) goes through the first dense layer
        // by its non-zero entries only.
        let first = layers[range.lowerBound] as? any ZeroSkippingLayer
        let sparseWeight: [Float]? = first.flatMap { dense in
            input.withView { $0.isMostlyZero } ? parameters.withUnsafeBufferPointer { all in
                [Float](unsafeUninitializedCapacity: dense.packedWeightCount) { buffer, initialized in
                    dense.packWeight(all.baseAddress! + parameterOffsets[range.lowerBound], into: buffer.baseAddress!)
                    initialized = dense.packedWeightCount
                }
            } : nil
        }
        input.withView { input in
            result.withMutableView { output in
                parameters.withUnsafeBufferPointer { parameters in
                    var start = 0
                    while start < input.rows {
                        let rows = min(chunk, input.rows - start)
                        var current = input.rows(start..<(start + rows))
                        for (step, index) in range.enumerated() {
                            let layer = layers[index]
                            let isLast = index == range.upperBound - 1
                            let destination: MutableMatrixView = isLast
                                ? output.rows(start..<(start + rows))
                                : MutableMatrixView(scratch + (step % 2) * chunk * widest,
                                                    rows: rows, columns: layer.outputWidth)
                            let layerParameters = VectorView(parameters.baseAddress! + parameterOffsets[index],
                                                             count: parameterOffsets[index + 1] - parameterOffsets[index])
                            if step == 0, let first, let sparseWeight {
                                sparseWeight.withUnsafeBufferPointer {
                                    first.forward(sparse: current, packedWeight: $0.baseAddress!,
                                                  parameters: layerParameters.base, into: destination)
                                }
                            } else {
                                context.scratch = layerScratch.buffers[step]
                                layer.forward(current, parameters: layerParameters, into: destination, context: &context)
                            }
                            current = destination.view
                        }
                        start += rows
                    }
                }
            }
        }
        return result
    }
}

/// Scratch memory for a run of layers: one buffer per layer that asks for some
/// (``Layer/scratchCount(batchSize:)``), `nil` for the others, freed with this object.
package final class LayerScratch {
    /// Layer `i`'s buffer, or `nil` when it needs none.
    package let buffers: [MutableVectorView?]

    /// Allocates (and zeroes) each layer's scratch for batches of up to `batchSize` rows.
    package init(layers: [any Layer], batchSize: Int) {
        buffers = layers.map { layer in
            let count = layer.scratchCount(batchSize: batchSize)
            guard count > 0 else { return nil }
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
            buffer.initialize(repeating: 0, count: count)
            return MutableVectorView(buffer, count: count)
        }
    }

    deinit {
        buffers.forEach { $0?.base.deallocate() }
    }
}
