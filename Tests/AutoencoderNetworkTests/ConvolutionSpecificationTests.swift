import AutoencoderNetwork
import Foundation
import Testing

/// The image layers' specifications: strict decoding of Keras's fields and the shape
/// problems of impossible chains.
@Suite struct ConvolutionSpecificationTests {
    /// Decodes `json` as a description does: snake-case keys converted to camel case.
    static func decode<Specification: LayerSpecification>(_ type: Specification.Type, _ json: String) throws -> Specification {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(json.utf8))
    }

    @Test func conv2DDefaultsAndKernelSizes() throws {
        let square = try Self.decode(Conv2D.Specification.self, #"{"kind": "Conv2D", "filters": 16, "kernel_size": 3}"#)
        #expect(square == Conv2D.Specification(filters: 16, kernelSize: PairOfSizes(3)))
        #expect(square.strides == PairOfSizes(1) && square.padding == .valid && square.activation == .linear)
        #expect(square.moduleCount == 2)
        let oblong = try Self.decode(Conv2D.Specification.self, """
            {"filters": 4, "kernel_size": [3, 5], "strides": [2, 1], "padding": "same", "activation": "relu",
             "kernel_initializer": "normal", "bias_initializer": "zeros"}
            """)
        #expect(oblong == Conv2D.Specification(filters: 4, kernelSize: PairOfSizes(3, 5), strides: PairOfSizes(2, 1),
                                               padding: .same, activation: .relu, kernelInitializer: .normal,
                                               biasInitializer: .zeros))
        #expect(try oblong.outputShape(for: SampleShape([1, 28, 28])) == SampleShape([4, 14, 28]))
        let layer = oblong.makeLayer(for: SampleShape([1, 28, 28]))
        #expect(layer.summary == "Conv2D(1x28x28 → 4x14x28, 3x5, stride 2x1, same, relu)")
        #expect(layer.inputWidth == 784 && layer.outputWidth == 4 * 14 * 28 && layer.parameterCount == 4 * 15 + 4)
    }

    @Test func transposeAndPoolingAndUpsamplingDefaults() throws {
        let transpose = try Self.decode(Conv2DTranspose.Specification.self,
                                        #"{"filters": 8, "kernel_size": 3, "strides": 2, "activation": "sigmoid"}"#)
        #expect(transpose == Conv2DTranspose.Specification(filters: 8, kernelSize: PairOfSizes(3),
                                                           strides: PairOfSizes(2), activation: .sigmoid))
        #expect(try transpose.outputShape(for: SampleShape([16, 7, 7])) == SampleShape([8, 15, 15]))
        var same = transpose
        same.padding = .same
        #expect(try same.outputShape(for: SampleShape([16, 7, 7])) == SampleShape([8, 14, 14]))
        #expect(transpose.moduleCount == 2)

        let pooling = try Self.decode(MaxPooling2D.Specification.self, #"{"kind": "MaxPooling2D"}"#)
        #expect(pooling == MaxPooling2D.Specification(poolSize: PairOfSizes(2), strides: nil, padding: .valid))
        #expect(try pooling.outputShape(for: SampleShape([16, 28, 27])) == SampleShape([16, 14, 13]))
        let samePooling = try Self.decode(MaxPooling2D.Specification.self,
                                          #"{"pool_size": 3, "strides": 2, "padding": "same"}"#)
        #expect(try samePooling.outputShape(for: SampleShape([2, 5, 7])) == SampleShape([2, 3, 4]))

        var upsampling = try Self.decode(UpSampling2D.Specification.self, #"{"kind": "UpSampling2D"}"#)
        #expect(upsampling.size == PairOfSizes(2))
        #expect(try upsampling.outputShape(for: SampleShape([16, 7, 7])) == SampleShape([16, 14, 14]))
        upsampling.activation = .relu   // ignored: upsampling has no activation
        #expect(upsampling.activation == nil && upsampling.moduleCount == 1)
        #expect(pooling.moduleCount == 1)

        let flatten = try Self.decode(Flatten.Specification.self, #"{"kind": "Flatten"}"#)
        #expect(try flatten.outputShape(for: SampleShape([16, 7, 7])) == SampleShape([784]))
        #expect(flatten.moduleCount == 1)
        let reshape = try Self.decode(Reshape.Specification.self, #"{"kind": "Reshape", "target_shape": [1, 28, 28]}"#)
        #expect(try reshape.outputShape(for: SampleShape([784])) == SampleShape([1, 28, 28]))
        #expect(reshape.moduleCount == 1)
    }

    @Test func unknownFieldsAreRefused() throws {
        #expect(throws: LayerFieldError(field: "dilation_rate", reason: "is not a field of Conv2D")) {
            try Self.decode(Conv2D.Specification.self, #"{"filters": 4, "kernel_size": 3, "dilation_rate": 2}"#)
        }
        #expect(throws: LayerFieldError(field: "output_padding", reason: "is not a field of Conv2DTranspose")) {
            try Self.decode(Conv2DTranspose.Specification.self, #"{"filters": 4, "kernel_size": 3, "output_padding": 1}"#)
        }
        #expect(throws: LayerFieldError(field: "pool", reason: "is not a field of MaxPooling2D")) {
            try Self.decode(MaxPooling2D.Specification.self, #"{"pool": 2}"#)
        }
        #expect(throws: LayerFieldError(field: "interpolation", reason: "is not a field of UpSampling2D")) {
            try Self.decode(UpSampling2D.Specification.self, #"{"size": 2, "interpolation": "bilinear"}"#)
        }
        #expect(throws: LayerFieldError(field: "data_format", reason: "is not a field of Flatten")) {
            try Self.decode(Flatten.Specification.self, #"{"data_format": "channels_first"}"#)
        }
        #expect(throws: LayerFieldError(field: "shape", reason: "is not a field of Reshape")) {
            try Self.decode(Reshape.Specification.self, #"{"target_shape": [784], "shape": [784]}"#)
        }
    }

    @Test func nonPositiveSizesAreRefused() throws {
        #expect(throws: LayerFieldError(field: "filters", reason: "must be positive, not 0")) {
            try Self.decode(Conv2D.Specification.self, #"{"filters": 0, "kernel_size": 3}"#)
        }
        #expect(throws: LayerFieldError(field: "kernel_size", reason: "must be positive, not [3, 0]")) {
            try Self.decode(Conv2D.Specification.self, #"{"filters": 2, "kernel_size": [3, 0]}"#)
        }
        #expect(throws: LayerFieldError(field: "strides", reason: "must be positive, not -1")) {
            try Self.decode(Conv2DTranspose.Specification.self, #"{"filters": 2, "kernel_size": 3, "strides": -1}"#)
        }
        #expect(throws: LayerFieldError(field: "pool_size", reason: "must be positive, not 0")) {
            try Self.decode(MaxPooling2D.Specification.self, #"{"pool_size": 0}"#)
        }
        #expect(throws: LayerFieldError(field: "strides", reason: "must be positive, not [0, 2]")) {
            try Self.decode(MaxPooling2D.Specification.self, #"{"strides": [0, 2]}"#)
        }
        #expect(throws: LayerFieldError(field: "size", reason: "must be positive, not 0")) {
            try Self.decode(UpSampling2D.Specification.self, #"{"size": 0}"#)
        }
        #expect(throws: LayerFieldError(field: "target_shape", reason: "must have positive dimensions, not [1, -1, 28]")) {
            try Self.decode(Reshape.Specification.self, #"{"target_shape": [1, -1, 28]}"#)
        }
        #expect(throws: LayerFieldError(field: "target_shape", reason: "must have 1 or 3 dimensions, not 2")) {
            try Self.decode(Reshape.Specification.self, #"{"target_shape": [28, 28]}"#)
        }
    }

    @Test func impossibleChainsAreExplained() throws {
        let conv = Conv2D.Specification(filters: 4, kernelSize: PairOfSizes(3))
        #expect(throws: LayerShapeProblem(
            "it takes an image [channels, height, width] but is given [784] (put a Reshape before it)")) {
            try conv.outputShape(for: SampleShape([784]))
        }
        #expect(throws: LayerShapeProblem("a 3x3 kernel does not fit a 2x2 map with valid padding")) {
            try conv.outputShape(for: SampleShape([1, 2, 2]))
        }
        #expect(throws: LayerShapeProblem("it is given an empty or impossibly large image [0, 5, 5]")) {
            try conv.outputShape(for: SampleShape([0, 5, 5]))
        }
        // 'same' padding fits any map.
        var same = conv
        same.padding = .same
        #expect(try same.outputShape(for: SampleShape([1, 2, 2])) == SampleShape([4, 2, 2]))
        #expect(throws: LayerShapeProblem("a 2x3 pool does not fit a 5x2 map with valid padding")) {
            try MaxPooling2D.Specification(poolSize: PairOfSizes(2, 3)).outputShape(for: SampleShape([4, 5, 2]))
        }
        #expect(throws: LayerShapeProblem(
            "it takes an image [channels, height, width] but is given [784] (put a Reshape before it)")) {
            try MaxPooling2D.Specification().outputShape(for: SampleShape([784]))
        }
        #expect(throws: LayerShapeProblem("it takes an image [channels, height, width] but is given [28, 28]")) {
            try UpSampling2D.Specification().outputShape(for: SampleShape([28, 28]))
        }
        #expect(throws: LayerShapeProblem(
            "it takes an image [channels, height, width] but is given [64] (put a Reshape before it)")) {
            try Conv2DTranspose.Specification(filters: 1, kernelSize: PairOfSizes(3)).outputShape(for: SampleShape([64]))
        }
        #expect(throws: LayerShapeProblem("its output for [1, 4611686018427387904, 1] is too large")) {
            try UpSampling2D.Specification().outputShape(for: SampleShape([1, 1 << 62, 1]))
        }
        #expect(throws: LayerShapeProblem("it cannot reshape [784] (784 values) to [1, 28, 29] (812 values)")) {
            try Reshape.Specification(targetShape: [1, 28, 29]).outputShape(for: SampleShape([784]))
        }
    }
}

extension ConvolutionSpecificationTests {
    /// Encodes `specification` with snake-case keys and decodes it again.
    static func roundTrip<Specification: LayerSpecification & Equatable>(_ specification: Specification) throws
        -> Specification
    {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try decode(Specification.self, String(decoding: try encoder.encode(specification), as: UTF8.self))
    }

    @Test func specificationsSurviveEncoding() throws {
        let conv = Conv2D.Specification(filters: 4, kernelSize: PairOfSizes(3, 5), strides: PairOfSizes(2),
                                        padding: .same, activation: .tanh, kernelInitializer: .normal)
        #expect(try Self.roundTrip(conv) == conv)
        let transpose = Conv2DTranspose.Specification(filters: 2, kernelSize: PairOfSizes(4), strides: PairOfSizes(2, 1),
                                                      biasInitializer: .normal)
        #expect(try Self.roundTrip(transpose) == transpose)
        let pooling = MaxPooling2D.Specification(poolSize: PairOfSizes(3), strides: PairOfSizes(2), padding: .same)
        #expect(try Self.roundTrip(pooling) == pooling)
        #expect(try Self.roundTrip(MaxPooling2D.Specification()) == MaxPooling2D.Specification())
        #expect(try Self.roundTrip(UpSampling2D.Specification(size: PairOfSizes(2, 3))).size == PairOfSizes(2, 3))
        #expect(try Self.roundTrip(Flatten.Specification()) == Flatten.Specification())
        #expect(try Self.roundTrip(Reshape.Specification(targetShape: [1, 28, 28])).targetShape == [1, 28, 28])
    }
}
