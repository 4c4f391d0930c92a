import AutoencoderErrors
import Foundation

/// A saved model: one `.safetensors` file that PyTorch, NumPy and this package all read.
///
/// **Tensors.** Float32, named as the `state_dict` of a PyTorch module with two
/// `nn.Sequential`s, `encoder` and `decoder`, in which every `nn.Linear` is followed by
/// its activation module (`nn.Sigmoid()`, `nn.ReLU()`, `nn.Tanh()`, or `nn.Identity()` for
/// a linear one, which may be left out when it is the last module). Linear layer `i` of a
/// half is therefore module `2i`: `encoder.0.weight` `[out, in]`, `encoder.0.bias` `[out]`,
/// `encoder.2.weight`, …, `decoder.0.weight`, …. The weight layout is `nn.Linear`'s, which
/// is also `Dense`'s, so the values are copied without any transpose.
///
/// **Metadata.** The header's `__metadata__` (string to string, as the format requires):
///
/// | key | value |
/// |---|---|
/// | `format` | `swift-autoencoder` (required) |
/// | `format_version` | `1`, or `2` for a model trained with input noise, or `3` for a model made from a ``ModelDescription`` (required) |
/// | `architecture` | versions 1 and 2: JSON of ``ModelConfiguration`` (required) |
/// | `description` | version 3: the ``ModelDescription``'s JSON on one line (required); tensor names are the PyTorch module paths it gives (``ModelDescription/Architecture/tensorPrefixes``) |
/// | `preset` | `autoencoder`, `encoder2d` or `custom` |
/// | `training` | JSON of ``TrainingConfiguration`` |
/// | `epochs_completed` | decimal |
/// | `normalization` | `pixel/255`: inputs are bytes divided by 255 (also when the key is missing); `none`: values are used as they are; `minmax` or `standard`: per-feature scaling given by `scaling` |
/// | `scaling` | with `minmax` and `standard`: JSON `{"method": …, "offsets": […], "factors": […]}`, each feature `x` going in as `(x - offset) * factor` |
/// | `image_shape` | JSON `[rows, columns]` of one greyscale input image, or `[channels, rows, columns]` of a colour one |
/// | `code_range` | JSON `{"low": […], "high": […]}`: the 1st and 99th percentile of each code dimension over the test set at the end of training (`decode --grid`'s default box) |
/// | `data_folder` | the absolute path of the data folder the model was trained on (where `encode`, `reconstruct` and `evaluate` look first) |
/// | `training_labels` | JSON list of the labels the training images were restricted to (`train --only-labels`) |
/// | `anomaly_threshold` | JSON of ``AnomalyThreshold`` (`{"error": "mse", "rule": "percentile", "parameter": 95, "value": 0.012}`): the threshold `score` chose, used by later `score` runs given no rule |
/// | `data` | JSON of ``DataRecipe``: how the training data was read (path, format options, test split), for data other than an MNIST-format folder |
///
/// Other keys are kept and shown by `inspect` but not interpreted.
public struct ModelFile: Sendable {
    /// The value of the `format` key.
    public static let formatName = "swift-autoencoder"
    /// The value of the `format_version` key this code writes for a model trained without
    /// input noise (every file before it existed too).
    public static let formatVersion = "1"
    /// The `format_version` of a model or checkpoint trained with input noise (a denoising
    /// autoencoder): builds that read only version 1 refuse it, where they would otherwise
    /// resume its checkpoint without the noise, as a plain run. This code reads both.
    public static let denoisingFormatVersion = "2"
    /// The `format_version` of a model described by a ``ModelDescription`` (the `description`
    /// entry) rather than the tutorial's dense `architecture`: convolutional, variational and
    /// every other model that is not a mirrored stack of dense layers.
    public static let descriptionFormatVersion = "3"
    /// The only input normalisation the package uses.
    public static let pixelNormalization = "pixel/255"
    /// The name `train` gives the file in its output folder.
    public static let defaultName = "model.safetensors"

    /// The model.
    public var model: AutoencoderModel
    /// The preset the model came from (`custom` when options changed it), if recorded.
    public var preset: String?
    /// The training settings, if recorded.
    public var training: TrainingConfiguration?
    /// How many epochs trained the weights, if recorded.
    public var epochsCompleted: Int?
    /// The size of one input image, if recorded.
    public var imageShape: ImageShape?
    /// How the data's values become the model's inputs (fitted on the training data): every
    /// command scales new data with it and decoded outputs are turned back with its inverse.
    /// Files without a `normalization` entry, as every file before it existed, divide by 255.
    public var scaling: Scaling = .pixels
    /// The code range the `decode --grid` sweep covers, if recorded.
    public var codeRange: CodeRange?
    /// The folder of the data the model was trained on, if recorded: the commands on a
    /// saved model measure and draw on that data unless told otherwise.
    public var dataFolder: String?
    /// The labels the training images were restricted to (`train --only-labels`), if they
    /// were: `score` measures the training errors on those images only.
    public var trainingLabels: [Int]?
    /// The anomaly threshold `score` chose for this model, if recorded: later scoring
    /// without a rule of its own uses it.
    public var anomalyThreshold: AnomalyThreshold?
    /// How the training data was read, when it was not an MNIST-format folder: the commands
    /// on a saved model read its test data the same way.
    public var dataRecipe: DataRecipe?
    /// Metadata entries this format does not define: another tool's, or your own (a data
    /// set's name, a run's id), read from the file and written back as they are. A key this
    /// format defines (`preset`, `training`, …: set the property instead) makes
    /// ``write(to:)`` throw.
    public var notes: [String: String] = [:]
    /// Every metadata entry of the file, as read (the format's own and the ``notes``).
    /// Writing writes the format's entries from the properties above and the notes.
    public private(set) var rawMetadata: [String: String] = [:]
    /// The file the model was read from; `nil` for one made in memory.
    public private(set) var path: String?

    /// The height, width and channels of an input image.
    public struct ImageShape: Sendable, Equatable, Codable {
        /// Rows of pixels.
        public var rows: Int
        /// Columns of pixels.
        public var columns: Int
        /// Colour channels: 1 for greyscale, 3 for RGB (stored channels first).
        public var channels: Int
        /// Creates a shape.
        public init(rows: Int, columns: Int, channels: Int = 1) {
            self.rows = rows
            self.columns = columns
            self.channels = channels
        }
        /// Reads a shape; `channels` is optional (1), as files from before colour images have none.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            rows = try container.decode(Int.self, forKey: .rows)
            columns = try container.decode(Int.self, forKey: .columns)
            channels = try container.decodeIfPresent(Int.self, forKey: .channels) ?? 1
        }
        /// `rows * columns`.
        public var pixelCount: Int { rows * columns }
        /// The number of values of one image, `channels * rows * columns`.
        public var valueCount: Int { channels * rows * columns }
        /// `rows x columns`, such as `28x28` (`3x32x32` with colour), as messages show a shape.
        public var text: String { channels == 1 ? "\(rows)x\(columns)" : "\(channels)x\(rows)x\(columns)" }
    }

    /// A box in code space: per dimension, a low and a high end.
    public struct CodeRange: Sendable, Equatable, Codable {
        /// The low end of each dimension.
        public var low: [Float]
        /// The high end of each dimension.
        public var high: [Float]
        /// Creates a range.
        public init(low: [Float], high: [Float]) {
            self.low = low
            self.high = high
        }

        /// Whether every dimension runs from a finite low end up to a finite high end a
        /// finite distance away: a sweep over a wider box would compute `high - low` as
        /// infinity and decode NaN codes.
        public var isUsableBox: Bool {
            low.count == high.count
                && zip(low, high).allSatisfy { $0.isFinite && $1.isFinite && $0 < $1 && ($1 - $0).isFinite }
        }
    }

    /// Bundles a model with what is known about it.
    public init(model: AutoencoderModel, preset: String? = nil, training: TrainingConfiguration? = nil,
                epochsCompleted: Int? = nil, imageShape: ImageShape? = nil, codeRange: CodeRange? = nil) {
        self.model = model
        self.preset = preset
        self.training = training
        self.epochsCompleted = epochsCompleted
        self.imageShape = imageShape
        self.codeRange = codeRange
    }

    // MARK: Tensor names

    /// The PyTorch-style name prefix of network layer `layer` (`encoder.0`, `decoder.4`, …).
    public static func tensorPrefix(layer: Int, of configuration: ModelConfiguration) -> String {
        let depth = configuration.encoderDepth
        return layer < depth ? "encoder.\(2 * layer)" : "decoder.\(2 * (layer - depth))"
    }

    /// Every tensor the architecture has, in the network's parameter order, with its shape.
    public static func tensorLayout(of configuration: ModelConfiguration) -> [(name: String, shape: [Int])] {
        configuration.layers().enumerated().flatMap { index, layer in
            layer.parameterShapes.map { ("\(tensorPrefix(layer: index, of: configuration)).\($0.name)", $0.shape) }
        }
    }

    /// Every tensor a built description has, in the network's parameter order, with its
    /// shape, named by PyTorch's module paths (`encoder.0.weight`).
    public static func tensorLayout(of layout: ModelDescription.Architecture) -> [(name: String, shape: [Int])] {
        layout.layers.enumerated().flatMap { index, layer in
            layer.parameterShapes.map { ("\(layout.tensorPrefixes[index]).\($0.name)", $0.shape) }
        }
    }

    /// The model's parameters as named tensors.
    public func tensors() -> [NamedFloatTensor] {
        Self.tensors(of: model.network.parameters, layout: model.layout)
    }

    /// Flat parameters (in network order) split into named tensors.
    static func tensors(of parameters: [Float], layout: ModelDescription.Architecture, namePrefix: String = "")
        -> [NamedFloatTensor]
    {
        var offset = 0
        return tensorLayout(of: layout).map { name, shape in
            let count = shape.reduce(1, *)
            defer { offset += count }
            return NamedFloatTensor(name: namePrefix + name, shape: shape,
                                    values: Array(parameters[offset..<(offset + count)]))
        }
    }

    // MARK: Writing

    /// The metadata entries this format defines: written from the properties, never carried
    /// over from a file read (a property set to `nil` drops its entry). `checkpoint` is a
    /// checkpoint's own (see ``Checkpoint``): a model written from one is a plain model file.
    static let definedMetadataKeys: Set<String> = ["format", "format_version", "architecture", "normalization", "preset",
                                                   "training", "epochs_completed", "image_shape", "code_range", "data_folder",
                                                   "checkpoint", "description", "scaling", "data", "anomaly_threshold",
                                                   "training_labels"]

    /// The metadata entries written with the model: the ``notes``, and the format's own from
    /// the properties. Throws ``ModelFileError`` for a note under a key the format defines.
    public func metadata() throws -> [String: String] {
        try metadata(file: path ?? "<memory>")
    }

    /// ``metadata()``, naming `file` in its error.
    func metadata(file: String) throws -> [String: String] {
        if let key = notes.keys.sorted().first(where: Self.definedMetadataKeys.contains) {
            throw ModelFileError(file: file, problem: .noteUnderDefinedKey(key), isWrite: true)
        }
        var entries = notes
        entries["format"] = Self.formatName
        // A tutorial-kind model trained with settings that builds reading only versions 1 and
        // 2 would ignore (and so resume without) is written as a description: they refuse it.
        if let configuration = model.configuration, !(training?.needsDescriptionFormat ?? false) {
            entries["format_version"] = (training?.inputNoise ?? 0) > 0 ? Self.denoisingFormatVersion : Self.formatVersion
            entries["architecture"] = try Self.json(configuration)
        } else {
            entries["format_version"] = Self.descriptionFormatVersion
            entries["description"] = model.architecture.compactJSON()
        }
        switch scaling.method {
        case .pixels: entries["normalization"] = Self.pixelNormalization
        case .none: entries["normalization"] = "none"
        case .minmax, .standard:
            entries["normalization"] = scaling.method.rawValue
            entries["scaling"] = try Self.json(scaling)
        }
        if let preset { entries["preset"] = preset }
        if let training { entries["training"] = try Self.json(training) }
        if let epochsCompleted { entries["epochs_completed"] = String(epochsCompleted) }
        if let imageShape {
            entries["image_shape"] = imageShape.channels == 1 ? "[\(imageShape.rows),\(imageShape.columns)]"
                : "[\(imageShape.channels),\(imageShape.rows),\(imageShape.columns)]"
        }
        if let codeRange { entries["code_range"] = try Self.json(codeRange) }
        if let dataFolder { entries["data_folder"] = dataFolder }
        if let trainingLabels { entries["training_labels"] = try Self.json(trainingLabels) }
        if let anomalyThreshold { entries["anomaly_threshold"] = try Self.json(anomalyThreshold) }
        if let dataRecipe { entries["data"] = try Self.json(dataRecipe) }
        return entries
    }

    /// Writes the model to `url` atomically (temporary file, fsync, rename), after checking
    /// that ``read(from:)`` will take what is written: a property that does not fit the model
    /// (a code range of another width, an image shape of other pixels, a NaN parameter) throws
    /// ``ModelFileError`` and nothing is written.
    public func write(to url: URL) throws {
        let bytes = try SafeTensors.encode(tensors(), metadata: metadata(file: url.path), file: url.path)
        do {
            _ = try ModelFile(safetensors: SafeTensorsFile(bytes: bytes, file: url.path))
        } catch var error as ModelFileError {
            error.isWrite = true
            throw error
        }
        try AtomicFileWriter.write(bytes, toPath: url.path)
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    // MARK: Reading

    /// Reads and checks the model file at `url`.
    ///
    /// Besides the safetensors format (checked by `SafeTensors`), the metadata must name
    /// this format and version and describe a valid architecture, and the tensors must be
    /// exactly the architecture's, each F32, of its shape and finite. A checkpoint written by
    /// `train --checkpoint-every` also loads (its optimizer tensors are then ignored).
    ///
    /// Throws `FileAccessError`, `SafeTensorsError` or ``ModelFileError``, each one sentence.
    public static func read(from url: URL) throws -> ModelFile {
        try ModelFile(safetensors: SafeTensors.read(from: url))
    }

    /// Builds the model from a safetensors file already read and validated, from a file by
    /// ``read(from:)`` or from memory by `SafeTensorsFile(bytes:file:)` (as the fuzzer does);
    /// a checkpoint's optimizer tensors are ignored.
    init(safetensors file: SafeTensorsFile) throws {
        try self.init(file: file, ignoringTensorsWithPrefixes: file.metadata["checkpoint"] == nil ? [] : Checkpoint.tensorPrefixes)
    }

    /// Builds the model from an already validated safetensors file.
    init(file: SafeTensorsFile, ignoringTensorsWithPrefixes ignored: [String] = []) throws {
        let path = file.file
        func failure(_ problem: ModelFileError.Problem) -> ModelFileError { ModelFileError(file: path, problem: problem) }
        let metadata = file.metadata
        guard let format = metadata["format"] else { throw failure(.missingMetadata("format")) }
        guard format == Self.formatName else { throw failure(.wrongFormat(format)) }
        guard let version = metadata["format_version"] else { throw failure(.missingMetadata("format_version")) }
        guard [Self.formatVersion, Self.denoisingFormatVersion, Self.descriptionFormatVersion].contains(version) else {
            throw failure(.unsupportedVersion(version))
        }
        let configuration: ModelConfiguration?
        let architecture: ModelDescription
        if version == Self.descriptionFormatVersion {
            guard let text = metadata["description"] else { throw failure(.missingMetadata("description")) }
            do {
                architecture = try ModelDescription.decode(json: Data(text.utf8))
            } catch let error as DescriptionError {
                throw failure(.invalidArchitecture(error.description))
            }
            configuration = nil
        } else {
            guard let architectureText = metadata["architecture"] else { throw failure(.missingMetadata("architecture")) }
            let decoded: ModelConfiguration = try Self.decode(architectureText, key: "architecture", file: path)
            try Self.checkArchitectureFields(architectureText, file: path)
            do {
                try decoded.validate()
            } catch let error as ConfigurationError {
                throw failure(.invalidArchitecture(Self.architectureProblem(error)))
            }
            configuration = decoded
            architecture = decoded.architecture
        }
        let built: ModelDescription.Architecture
        do {
            built = try architecture.build()
        } catch {
            throw failure(.invalidArchitecture(error.description))
        }
        let widths = built.shapes[0...built.encoderDepth].map(\.width)
        let scaling: Scaling
        switch metadata["normalization"] {
        case nil, Self.pixelNormalization: scaling = .pixels
        case "none": scaling = .none
        case let method? where method == "minmax" || method == "standard":
            guard let text = metadata["scaling"] else { throw failure(.invalidMetadata("scaling", "(missing)")) }
            let read: Scaling = try Self.decode(text, key: "scaling", file: path)
            guard read.method.rawValue == method, read.offsets.count == widths[0], read.factors.count == widths[0],
                  read.offsets.allSatisfy(\.isFinite), read.factors.allSatisfy({ $0.isFinite && $0 != 0 }) else {
                throw failure(.invalidMetadata("scaling", text))
            }
            scaling = read
        case let other?: throw failure(.unsupportedNormalization(other))
        }

        // The tensors: exactly the architecture's, F32, of the right shapes, finite.
        let layout = Self.tensorLayout(of: built)
        let byName = Dictionary(file.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let expectedNames = Set(layout.map(\.name))
        if let extra = file.tensors.map(\.name).sorted().first(where: {
            !expectedNames.contains($0) && !ignored.contains(where: $0.hasPrefix)
        }) {
            throw failure(.unexpectedTensor(extra, widths: widths))
        }
        // Every tensor is checked before any memory is set aside for them, so a few bytes
        // claiming a huge architecture cost nothing: the file must hold its tensors' data.
        let tensors = try layout.map { name, shape in
            guard let tensor = byName[name] else { throw failure(.missingTensor(name, widths: widths)) }
            guard tensor.dtype == .float32 else { throw failure(.notFloat32(name, dtype: tensor.dtype.rawValue)) }
            guard tensor.shape == shape else { throw failure(.wrongShape(name, found: tensor.shape, expected: shape)) }
            return (name, tensor)
        }
        var parameters: [Float] = []
        parameters.reserveCapacity(layout.reduce(0) { $0 + $1.shape.reduce(1, *) })
        for (name, tensor) in tensors {
            let values = try tensor.floats()
            guard values.allSatisfy(\.isFinite) else { throw failure(.nonFinite(name)) }
            parameters += values
        }

        let model = try configuration.map { try AutoencoderModel(configuration: $0, parameters: parameters) }
            ?? AutoencoderModel(architecture: architecture, parameters: parameters)
        var result = ModelFile(model: model)
        result.rawMetadata = metadata
        result.notes = metadata.filter { !Self.definedMetadataKeys.contains($0.key) }
        result.path = path
        result.preset = metadata["preset"]
        result.scaling = scaling
        if let text = metadata["training"] {
            let training: TrainingConfiguration = try Self.decode(text, key: "training", file: path)
            guard (try? training.validate()) != nil else { throw failure(.invalidMetadata("training", text)) }
            result.training = training
        }
        if let text = metadata["epochs_completed"] {
            guard let epochs = Int(text), epochs >= 0 else { throw failure(.invalidMetadata("epochs_completed", text)) }
            result.epochsCompleted = epochs
        }
        if let text = metadata["image_shape"] {
            let shape: [Int] = try Self.decode(text, key: "image_shape", file: path)
            guard shape.count == 2 || shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
                throw failure(.invalidMetadata("image_shape", text))
            }
            var (values, overflow) = (1, false)
            for size in shape where !overflow { (values, overflow) = values.multipliedReportingOverflow(by: size) }
            guard !overflow, values == model.inputWidth else {
                throw failure(.imageShapeMismatch(shape: shape, inputWidth: model.inputWidth))
            }
            result.imageShape = shape.count == 2 ? ImageShape(rows: shape[0], columns: shape[1])
                : ImageShape(rows: shape[1], columns: shape[2], channels: shape[0])
        }
        if let text = metadata["code_range"] {
            let range: CodeRange = try Self.decode(text, key: "code_range", file: path)
            guard range.low.count == model.codeWidth, range.high.count == model.codeWidth,
                  range.isUsableBox
            else { throw failure(.invalidMetadata("code_range", text)) }
            result.codeRange = range
        }
        if let text = metadata["data_folder"] {
            guard !text.isEmpty else { throw failure(.invalidMetadata("data_folder", text)) }
            result.dataFolder = text
        }
        if let text = metadata["training_labels"] {
            let labels: [Int] = try Self.decode(text, key: "training_labels", file: path)
            guard !labels.isEmpty else { throw failure(.invalidMetadata("training_labels", text)) }
            result.trainingLabels = labels
        }
        if let text = metadata["anomaly_threshold"] {
            let threshold: AnomalyThreshold = try Self.decode(text, key: "anomaly_threshold", file: path)
            guard threshold.value.isFinite else { throw failure(.invalidMetadata("anomaly_threshold", text)) }
            result.anomalyThreshold = threshold
        }
        if let text = metadata["data"] {
            let recipe: DataRecipe = try Self.decode(text, key: "data", file: path)
            guard !recipe.path.isEmpty else { throw failure(.invalidMetadata("data", text)) }
            result.dataRecipe = recipe
        }
        self = result
    }

    /// The metadata entry `key`'s JSON as a `T`; the error names the field at fault when
    /// the JSON parses but a field does not fit.
    static func decode<T: Decodable>(_ text: String, key: String, file: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch let DecodingError.keyNotFound(missing, context) {
            let path = (context.codingPath + [missing]).map(\.stringValue).joined(separator: ".")
            throw ModelFileError(file: file, problem: .missingMetadataField(key, field: path))
        } catch let error as DecodingError {
            let context: DecodingError.Context? = switch error {
            case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context): context
            default: nil
            }
            if let path = context.map({ $0.codingPath.map(\.stringValue).joined(separator: ".") }), !path.isEmpty {
                throw ModelFileError(file: file, problem: .invalidMetadataField(key, field: path))
            }
            throw ModelFileError(file: file, problem: .invalidMetadata(key, text))
        } catch {
            throw ModelFileError(file: file, problem: .invalidMetadata(key, text))
        }
    }

    /// Refuses an architecture with a field this program does not know (a misspelt
    /// `output_activation` would otherwise be dropped and the model built differently).
    static func checkArchitectureFields(_ text: String, file: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return }
        let known = Set(ModelConfiguration.CodingKeys.allCases.map(\.stringValue))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw ModelFileError(file: file, problem: .unknownMetadataField("architecture", field: unknown))
        }
    }

    private static func architectureProblem(_ error: ConfigurationError) -> String {
        switch error {
        case let .tooFewWidths(widths): "it has \(widths.count) encoder width(s), fewer than the two needed"
        case let .nonPositiveWidth(width): "it has the width \(width), which is not positive"
        case let .tooManyParameters(_, count):
            "it needs \(ConfigurationError.parameters(count))"
        default: error.description
        }
    }

    // MARK: Derived facts

    /// The image size: the recorded one, else a square whose side squared is the input width.
    public var inferredImageShape: ImageShape? {
        if let imageShape { return imageShape }
        if let image = model.architecture.inputShape.image, image.channels == 1 {
            return ImageShape(rows: image.height, columns: image.width)
        }
        let side = Int(Double(model.inputWidth).squareRoot().rounded())
        return side * side == model.inputWidth ? ImageShape(rows: side, columns: side) : nil
    }
}

/// A model file whose metadata or tensors do not describe a usable model.
public struct ModelFileError: Error, AutoencoderError, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The file the error is about.
    public var subject: String? { file }

    /// What is wrong.
    public enum Problem: Equatable, Sendable {
        /// A required metadata key is absent.
        case missingMetadata(String)
        /// The `format` key names another format.
        case wrongFormat(String)
        /// The `format_version` is not one this code reads.
        case unsupportedVersion(String)
        /// A metadata value cannot be decoded or is out of range.
        case invalidMetadata(String, String)
        /// A field of a metadata value's JSON has a value of the wrong kind (such as an
        /// unknown activation name).
        case invalidMetadataField(String, field: String)
        /// A field a metadata value's JSON needs is absent.
        case missingMetadataField(String, field: String)
        /// A metadata value's JSON has a field this program does not know.
        case unknownMetadataField(String, field: String)
        /// The architecture decodes but cannot be built.
        case invalidArchitecture(String)
        /// The `normalization` is none of `pixel/255`, `none`, `minmax` and `standard`.
        case unsupportedNormalization(String)
        /// A tensor the architecture needs is absent.
        case missingTensor(String, widths: [Int])
        /// A tensor the architecture does not have is present.
        case unexpectedTensor(String, widths: [Int])
        /// A tensor is not F32.
        case notFloat32(String, dtype: String)
        /// A tensor has another shape than the architecture's.
        case wrongShape(String, found: [Int], expected: [Int])
        /// A tensor holds NaN or an infinity.
        case nonFinite(String)
        /// The `image_shape` does not multiply to the input width.
        case imageShapeMismatch(shape: [Int], inputWidth: Int)
        /// A note (written, never read) uses a key the format defines.
        case noteUnderDefinedKey(String)
    }

    /// The file's path.
    public let file: String
    /// What is wrong.
    public let problem: Problem
    /// Whether the file was being written (and was not, as it could not have been read back)
    /// rather than read.
    public var isWrite: Bool

    /// Creates the error.
    public init(file: String, problem: Problem, isWrite: Bool = false) {
        self.file = file
        self.problem = problem
        self.isWrite = isWrite
    }

    /// One sentence naming the file and the problem.
    public var description: String {
        let widths = { (w: [Int]) in w.map(String.init).joined(separator: "-") }
        let reason: String
        switch problem {
        case let .missingMetadata(key):
            reason = "its metadata has no '\(key)' entry, so it is not a swift-autoencoder model file"
        case let .wrongFormat(format):
            reason = "its metadata says the format is '\(format)', not '\(ModelFile.formatName)'"
        case let .unsupportedVersion(version):
            reason = "its format version is '\(version)' but this program reads versions \(ModelFile.formatVersion), \(ModelFile.denoisingFormatVersion) and \(ModelFile.descriptionFormatVersion)"
        case let .invalidMetadata(key, value):
            let shown = value.count > 80 ? String(value.prefix(77)) + "..." : value
            reason = "its metadata entry '\(key)' has the invalid value '\(shown)'"
        case let .invalidMetadataField(key, field):
            reason = "its metadata entry '\(key)' has an invalid value for '\(field)'"
        case let .missingMetadataField(key, field):
            reason = "its metadata entry '\(key)' has no '\(field)'"
        case let .unknownMetadataField(key, field):
            reason = "its metadata entry '\(key)' has the field '\(field)', which this program does not know"
        case let .invalidArchitecture(why):
            reason = "its architecture cannot be built: \(why)"
        case let .unsupportedNormalization(value):
            reason = "its normalization is '\(value)' but only '\(ModelFile.pixelNormalization)', 'none', 'minmax' and 'standard' are supported"
        case let .missingTensor(name, w):
            reason = "it has no tensor '\(name)', which its architecture \(widths(w)) needs"
        case let .unexpectedTensor(name, w):
            reason = "it has a tensor '\(name)' that its architecture \(widths(w)) does not have"
        case let .notFloat32(name, dtype):
            reason = "tensor '\(name)' is \(dtype) but model tensors must be F32"
        case let .wrongShape(name, found, expected):
            reason = "tensor '\(name)' has shape \(found) but its architecture needs \(expected)"
        case let .nonFinite(name):
            reason = "tensor '\(name)' holds NaN or infinite values"
        case let .imageShapeMismatch(shape, inputWidth):
            reason = "its image_shape \(shape) does not have the \(inputWidth) pixels its architecture takes"
        case let .noteUnderDefinedKey(key):
            return "Cannot write the model file '\(file)': the note '\(key)' uses a metadata key of the format itself; set the model file's property instead."
        }
        return isWrite ? "Cannot write the model file '\(file)', which could not be read back: \(reason)."
            : "The model file '\(file)' is invalid: \(reason)."
    }

    /// The same sentence, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}
