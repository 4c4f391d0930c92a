import Foundation

extension ModelDescription {
    /// The description's top-level JSON fields, snake case.
    static let fields = ["input_shape", "encoder", "decoder", "loss", "training"]

    /// Reads a description from JSON; throws ``DescriptionError`` naming the field or layer
    /// at fault (an unknown layer kind or field, a missing or wrong value). The layers are
    /// not checked against each other: ``build()`` does that.
    public static func decode(json data: Data) throws -> ModelDescription {
        guard let object = try? JSONSerialization.jsonObject(with: data), let top = object as? [String: Any] else {
            throw DescriptionError("The model description is not a JSON object.")
        }
        if let unknown = top.keys.sorted().first(where: { !fields.contains($0) }) {
            throw DescriptionError("The model description has the field '\(unknown)', which is not one of \(fields.joined(separator: ", ")).")
        }
        for required in ["input_shape", "encoder", "decoder"] where top[required] == nil {
            throw DescriptionError("The model description has no '\(required)'.")
        }
        let inputShape: SampleShape = try decodeField(top["input_shape"]!, as: SampleShape.self, what: "Its 'input_shape'")
        let loss = try top["loss"].map { try decodeField($0, as: LossSpecification.self, what: "Its 'loss'") } ?? LossSpecification()
        let training = try top["training"].map { try decodeField($0, as: TrainingConfiguration.self, what: "Its 'training'") }
        var parts: [[any LayerSpecification]] = []
        for part in ["encoder", "decoder"] {
            guard let list = top[part] as? [Any] else { throw DescriptionError("The model description's '\(part)' is not a list of layers.") }
            parts.append(try list.enumerated().map { index, entry in
                try decodeLayer(entry, name: "Layer \(index) of the \(part)")
            })
        }
        return ModelDescription(inputShape: inputShape, encoder: parts[0], decoder: parts[1], loss: loss, training: training)
    }

    /// Reads a description from the JSON file at `url` (see ``decode(json:)``).
    public static func read(from url: URL) throws -> ModelDescription {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DescriptionError("Cannot read the model description '\(url.path)': \(OutputFolder.reason(error)).")
        }
        do {
            return try decode(json: data)
        } catch let error as DescriptionError {
            throw DescriptionError("The model description '\(url.path)' is invalid: " + error.description.prefix(1).lowercased()
                                   + error.description.dropFirst())
        }
    }

    /// One layer: its `kind` looked up among ``layerKinds``, its fields decoded strictly.
    static func decodeLayer(_ entry: Any, name: String) throws -> any LayerSpecification {
        guard let object = entry as? [String: Any] else { throw DescriptionError("\(name) is not a JSON object.") }
        guard let kind = object["kind"] as? String else { throw DescriptionError("\(name) has no 'kind' (such as \"Dense\" or \"Conv2D\").") }
        guard let type = layerKinds.first(where: { $0.kind == kind }) else {
            throw DescriptionError("\(name) has the kind '\(kind)', which is not one of \(layerKinds.map { $0.kind }.joined(separator: ", ")).")
        }
        return try decodeField(object, as: type, what: "\(name) (\(kind))")
    }

    /// `value` (a JSON value already parsed) decoded as `T` with snake-case keys; the error
    /// names `what` and the field at fault.
    static func decodeField<T: Decodable>(_ value: Any, as type: T.Type, what: String) throws -> T {
        do {
            let data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(type, from: data)
        } catch let error as LayerFieldError {
            throw DescriptionError("\(what): \(error).")
        } catch let error as ConfigurationError {
            throw DescriptionError("\(what): \(error.description.prefix(1).lowercased() + error.description.dropFirst())")
        } catch let DecodingError.keyNotFound(key, _) {
            throw DescriptionError("\(what) has no '\(LayerFields.snakeCase(key.stringValue))'.")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.last.map { "'\(LayerFields.snakeCase($0.stringValue))'" }
            throw DescriptionError("\(what) has an invalid value\(field.map { " for \($0)" } ?? "")"
                                   + (context.debugDescription.isEmpty ? "." : ": \(Self.plain(context.debugDescription))."))
        } catch {
            throw DescriptionError("\(what) is invalid: \(error).")
        }
    }

    /// Foundation's decoding message without its Swift jargon.
    private static func plain(_ message: String) -> String {
        if message.hasPrefix("Cannot initialize ") { return "not one of the names this program knows" }
        return message.hasSuffix(".") ? String(message.dropLast()) : message
    }

    /// The description as JSON (snake-case keys, each layer's `kind` first, two-space
    /// indents), as `model show` prints it and `train --model` reads it back.
    public func json() -> String {
        var lines = ["{", "  \"input_shape\": \(Self.compact(inputShape)),"]
        for (part, layers) in [("encoder", encoder), ("decoder", decoder)] {
            lines.append("  \"\(part)\": [")
            for (index, layer) in layers.enumerated() {
                lines.append("    " + Self.layerJSON(layer) + (index == layers.count - 1 ? "" : ","))
            }
            lines.append("  ],")
        }
        lines.append("  \"loss\": \(Self.compact(loss))" + (training == nil ? "" : ","))
        if let training { lines.append("  \"training\": \(Self.compact(training))") }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The description as JSON on one line, as a model file's metadata stores it.
    public func compactJSON() -> String {
        json().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// One layer as a one-line JSON object, `kind` first, then its fields sorted.
    static func layerJSON(_ layer: any LayerSpecification) -> String {
        let fields = compact(layer)
        let kind = "\"kind\": \"\(type(of: layer).kind)\""
        return fields == "{}" ? "{\(kind)}" : "{\(kind), " + fields.dropFirst()
    }

    /// `value` as one line of JSON with snake-case keys, sorted, `": "` and `", "` between
    /// (how a description writes its parts).
    public static func compact(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value), let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            return "null"
        }
        return spaced(object)
    }

    /// A parsed JSON value written on one line with spaces after `:` and `,`.
    private static func spaced(_ value: Any) -> String {
        switch value {
        case let object as [String: Any]:
            return "{" + object.keys.sorted().map { "\"\($0)\": " + spaced(object[$0]!) }.joined(separator: ", ") + "}"
        case let array as [Any]:
            return "[" + array.map(spaced).joined(separator: ", ") + "]"
        default:
            let data = (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}

extension ModelDescription: Equatable {
    /// Two descriptions are equal when their JSON is.
    public static func == (a: ModelDescription, b: ModelDescription) -> Bool { a.json() == b.json() }
}
