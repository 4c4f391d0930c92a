@testable import Autoencoder
import Foundation
import Testing

/// `report.html`: its structure, the data it embeds, and that it needs nothing from outside.
@Suite struct ReportTests {
    /// A page's embedded JSON (`#report-data`) as a dictionary.
    static func embeddedData(_ html: String) throws -> [String: Any] {
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"report-data\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let json = String(html[start.upperBound..<end.lowerBound])
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    /// Float32 little-endian values from base64.
    static func floats(_ base64: String) throws -> [Float] {
        let data = try #require(Data(base64Encoded: base64))
        return stride(from: 0, to: data.count, by: 4).map { offset in
            Float(bitPattern: data[offset..<(offset + 4)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) })
        }
    }

    /// The metrics of a run that never happened, for a report of an untrained model.
    static func metrics(preset: String = "custom", samples: Int) -> RunMetrics {
        RunMetrics(preset: preset, seed: 1, model: nil, training: TrainingConfiguration(epochs: 3),
                   epochCosts: [0.3, 0.2, 0.1], epochMeanCosts: [0.35, 0.25, 0.15], secondsPerEpoch: [1, 2, 3],
                   testMSE: 0.05, backend: "test", trainingSamples: 100, testSamples: samples,
                   validationLosses: [0.4, 0.3, 0.2], validationSamples: 10)
    }

    /// The report of `model` (untrained) on the first `count` test images, written into a new folder.
    static func report(_ model: AutoencoderModel, count: Int = 40, preset: String = "custom",
                       files: [String: Data] = [:]) throws -> (html: String, folder: URL, test: LabeledImages) {
        let folder = Fixtures.temporaryFolder()
        for (name, data) in files { try data.write(to: folder.appendingPathComponent(name)) }
        let test = Fixtures.mnist.test.prefix(count)
        let report = RunReport(folder: folder, metrics: metrics(preset: preset, samples: count),
                               model: ModelFile(model: model, preset: preset), samples: ReportSamples(test))
        try report.write()
        let html = try String(contentsOf: folder.appendingPathComponent(RunReport.fileName), encoding: .utf8)
        return (html, folder, test)
    }

    static func model(_ preset: Preset) throws -> AutoencoderModel {
        var generator = RandomGenerator(seed: 7)
        return try AutoencoderModel(architecture: preset.architecture, generator: &generator)
    }

    /// The page needs nothing from outside: every `src` is a `data:` URI, there are no links,
    /// no external scripts or styles, no URL of any scheme, and the CSP forbids the rest.
    @Test func thePageIsSelfContained() throws {
        let (html, folder, _) = try Self.report(Self.model(.tuned2d),
                                                files: ["reconstructions.png": Data(try PNG.encode(RGBImage(width: 4, height: 4)))])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"))
        for scheme in ["http:", "https:", "ftp:", "file:"] { #expect(!html.contains(scheme), "\(scheme)") }
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
        #expect(!html.contains("url("))
        let sources = html.matches(of: /(?:src|href)\s*=\s*"([^"]*)"/).map { String($0.output.1) }
        #expect(!sources.isEmpty)
        for source in sources { #expect(source.hasPrefix("data:image/png;base64,"), "\(source.prefix(40))") }
        #expect(!html.contains("//cdn") && html.matches(of: /(?:src|href)\s*=\s*"\/\//).isEmpty)
        // Every <script> is inline: either the data or code with no src.
        #expect(html.matches(of: /<script[^>]*\ssrc/).isEmpty)
        // The sections.
        for id in ["settings", "model", "losses", "reconstructions", "codes", "explorer", "scatter", "report-errors", "explore-values"] {
            #expect(html.contains("id=\"\(id)\""), "\(id)")
        }
        #expect(!html.contains("id=\"scores\""))
    }

    /// The embedded points are the codes of the test samples, one per sample, with their
    /// labels; the embedded samples' PNG holds the images; the explorer's steps are the
    /// decoder's dense layers with their weights in PyTorch's `[out, in]` layout.
    @Test func theEmbeddedDataIsTheModelsAndTheSamples() throws {
        let model = try Self.model(.tuned2d)
        let (html, folder, test) = try Self.report(model, count: 40)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Self.embeddedData(html)
        let points = try #require(data["points"] as? [String: Any])
        #expect(points["count"] as? Int == 40)
        let xy = try Self.floats(try #require(points["xy"] as? String))
        #expect(xy == model.encode(test.matrix()).storage)
        #expect(points["labels"] as? [Int] == test.labels.map(Int.init))
        #expect(points["axes"] as? [String] == ["code 1", "code 2"])

        let samples = try #require(data["samples"] as? [String: Any])
        #expect(samples["kind"] as? String == "image" && samples["count"] as? Int == 40)
        #expect(samples["tileWidth"] as? Int == 28 && samples["tileHeight"] as? Int == 28)
        let uri = try #require(samples["png"] as? String)
        let png = try PNG.decode([UInt8](try #require(Data(base64Encoded: String(uri.dropFirst("data:image/png;base64,".count))))))
        let columns = try #require(samples["columns"] as? Int)
        for index in [0, 1, 39] {
            let image = Array(test.image(at: index))
            let left = (index % columns) * 28, top = (index / columns) * 28
            for (x, y) in [(14, 14), (7, 20), (0, 0)] {
                #expect(png[left + x, top + y].red == image[y * 28 + x], "sample \(index) at \(x),\(y)")
            }
        }

        let explorer = try #require(data["explorer"] as? [String: Any])
        let steps = try #require(explorer["steps"] as? [[String: Any]])
        let decoderLayers = Array(model.network.layers[model.encoderDepth...])
        #expect(steps.count == decoderLayers.count)
        for (offset, step) in steps.enumerated() {
            let index = model.encoderDepth + offset
            if let activation = decoderLayers[offset] as? ActivationLayer {
                #expect(step["kind"] as? String == "activation" && step["activation"] as? String == activation.activation.rawValue)
                continue
            }
            let dense = try #require(decoderLayers[offset] as? Dense)
            #expect(step["kind"] as? String == "dense" && step["activation"] as? String == dense.activation.rawValue)
            #expect(step["in"] as? Int == dense.inputWidth && step["out"] as? Int == dense.outputWidth)
            #expect(try Self.floats(try #require(step["weight"] as? String)) == model.network.tensor(layer: index, named: "weight"))
            #expect(try Self.floats(try #require(step["bias"] as? String)) == model.network.tensor(layer: index, named: "bias"))
        }
        #expect(steps.filter { $0["kind"] as? String == "dense" }.count == 4)
        let first = try #require(steps.first)
        #expect(first["in"] as? Int == 2)
    }

    /// A wider code is shown through PCA and gets no explorer, with a sentence saying why;
    /// a convolutional decoder gets none either.
    @Test func otherModelsSayWhyThereIsNoExplorer() throws {
        let (wide, wideFolder, _) = try Self.report(Self.model(.tuned), count: 30)
        defer { try? FileManager.default.removeItem(at: wideFolder) }
        let data = try Self.embeddedData(wide)
        let points = try #require(data["points"] as? [String: Any])
        #expect(points["axes"] as? [String] == ["principal component 1", "principal component 2"])
        #expect(try Self.floats(try #require(points["xy"] as? String)).count == 60)
        #expect(data["explorer"] == nil)
        #expect(wide.contains("id=\"no-explorer\">The code is 128-dimensional; the latent explorer needs a 2-D code"))

        var generator = RandomGenerator(seed: 3)
        let convolutional = ModelDescription(inputShape: .image(channels: 1, height: 28, width: 28),
                                             encoder: [Flatten.Specification(), Dense.Specification(units: 2)],
                                             decoder: [Dense.Specification(units: 8 * 7 * 7, activation: .relu),
                                                       Reshape.Specification(targetShape: [8, 7, 7]),
                                                       UpSampling2D.Specification(size: PairOfSizes(4)),
                                                       Conv2D.Specification(filters: 1, kernelSize: PairOfSizes(3), padding: .same,
                                                                            activation: .sigmoid)],
                                             loss: LossSpecification(.binaryCrossEntropy))
        let (conv, convFolder, _) = try Self.report(try AutoencoderModel(architecture: convolutional, generator: &generator), count: 10)
        defer { try? FileManager.default.removeItem(at: convFolder) }
        #expect(conv.contains("id=\"no-explorer\">The decoder has a layer the page does not compute"))
    }

    /// A variational model with a 2-D code (`vae2d`) has a dense decoder: it gets an explorer.
    @Test func aTwoDimensionalVariationalModelGetsAnExplorer() throws {
        let (html, folder, _) = try Self.report(Self.model(.vae2d), count: 20)
        defer { try? FileManager.default.removeItem(at: folder) }
        let explorer = try #require(try Self.embeddedData(html)["explorer"] as? [String: Any])
        let activations = try #require(explorer["steps"] as? [[String: Any]]).map { $0["activation"] as? String }
        #expect(activations.first == "relu" && activations.last == "sigmoid")
    }

    /// The settings table, the layer table (`inspect`'s rows) and the loss curves'
    /// training and validation polylines.
    @Test func theTablesAndCurvesShowTheRun() throws {
        let model = try Self.model(.tuned2d)
        let (html, folder, _) = try Self.report(model, preset: "<b>tuned2d</b>")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(html.contains("<title>Run report: &lt;b&gt;tuned2d&lt;/b&gt;</title>"))
        #expect(!html.contains("<b>tuned2d"))
        #expect(html.contains("<tr><th>Test MSE</th><td>0.05</td></tr>"))
        #expect(html.contains("<tr><th>Epochs</th><td>3 of 3</td></tr>"))
        for row in model.layerSummary {
            #expect(html.contains("<tr><td>\(HTMLText.escape(row.layer))</td><td>\(row.outputShape)</td><td class=\"number\">\(row.parameters)</td></tr>"))
        }
        #expect(html.matches(of: /<polyline class="curve"/).count == 2)
        #expect(html.contains("data-name=\"validation\""))
    }

    /// `score`'s files, when a run folder has them, make an "Anomaly scores" section; a
    /// `losses.png` is left out (the page draws the curves itself).
    @Test func scoreFilesArePickedUpWhenPresent() throws {
        let png = Data(try PNG.encode(RGBImage(width: 3, height: 2)))
        let scores = Data(#"{"auc": 0.875, "normal_label": "0", "scores": [1, 2, 3]}"#.utf8)
        let (html, folder, _) = try Self.report(Self.model(.tuned2d), count: 10,
                                                files: ["scores.json": scores, "roc.png": png, "errors.png": png, "losses.png": png])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(html.contains("<section id=\"scores\"><h2>Anomaly scores</h2>"))
        #expect(html.contains("<tr><th>auc</th><td>0.875</td></tr>") && html.contains("<tr><th>normal_label</th><td>0</td></tr>"))
        #expect(html.contains("id=\"roc-image\"") && html.contains("id=\"errors-image\""))
        #expect(html.matches(of: /src="data:image\/png/).count == 2)
    }

    /// Feature vectors (no image shape) are embedded as rows of pixels, drawn as line plots.
    @Test func featureVectorsAreEmbeddedAsRows() throws {
        let model = try Self.model(.tuned2d)
        let values = Fixtures.mnist.test.prefix(12).matrix()
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = try RunReport(folder: folder, metrics: Self.metrics(samples: 12), model: ModelFile(model: model),
                                 samples: ReportSamples(values: values)).html()
        let data = try Self.embeddedData(html)
        let samples = try #require(data["samples"] as? [String: Any])
        #expect(samples["kind"] as? String == "vector" && samples["tileWidth"] as? Int == 784 && samples["tileHeight"] as? Int == 1)
        #expect((data["points"] as? [String: Any])?["labels"] is NSNull)
        #expect(!html.contains("id=\"reconstructions\""))
    }
}
