import Foundation

/// `report.html`: one self-contained page about a run, built from its output folder's files
/// (`metrics.json`, `reconstructions.png`, and `scores.json`, `roc.png`, `errors.png` when
/// present), its model and its test samples. It shows the settings and metrics, the layer
/// table, the loss curves, the reconstructions, a scatter of every test sample's code (PCA
/// of the codes when they are wider than 2) whose points show their sample on hover, and
/// for a 2-D code with a dense decoder a latent explorer that decodes the point under the
/// pointer in the browser.
///
/// Everything is inline (pictures as `data:` URIs, the script, the style) and a
/// Content-Security-Policy forbids every other source, so the page opens from disk in any
/// browser and makes no network request.
public struct RunReport {
    /// The name of the page in a run's folder.
    public static let fileName = "report.html"
    /// The page's Content-Security-Policy: nothing from anywhere but inline scripts and styles
    /// and `data:`/`blob:` images.
    public static let contentSecurityPolicy =
        "default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

    /// The run's output folder, where the pictures are read from.
    public var folder: URL
    /// The run's metrics (its `metrics.json`).
    public var metrics: RunMetrics
    /// The trained model.
    public var model: ModelFile
    /// The test samples the scatter shows.
    public var samples: ReportSamples

    /// Creates the report of a run.
    public init(folder: URL, metrics: RunMetrics, model: ModelFile, samples: ReportSamples) {
        precondition(samples.values.columns == model.model.inputWidth, "The samples are not the model's inputs.")
        self.folder = folder
        self.metrics = metrics
        self.model = model
        self.samples = samples
    }

    /// Writes the page into ``folder`` as ``fileName``, atomically.
    public func write() throws {
        try AtomicFileWriter.write(Array(html().utf8), toPath: folder.appendingPathComponent(Self.fileName).path)
    }

    /// The page.
    public func html() throws -> String {
        let codes = model.model.encode(samples.values)
        let projection = CodeProjection(codes: codes)
        var data: [String: Any] = [:]
        data["points"] = [
            "count": samples.count,
            "xy": HTMLText.base64(floats: projection.points.storage),
            "labels": samples.labels ?? NSNull(),
            "axes": projection.axisNames,
        ] as [String: Any]
        data["palette"] = LabelPalette(labels: samples.labels ?? []).json
        if let sprite = try SampleSprite(samples) {
            data["samples"] = [
                "kind": samples.imageShape == nil ? "vector" : "image",
                "png": HTMLText.pngURI(sprite.png), "count": sprite.count, "columns": sprite.columns,
                "tileWidth": sprite.tileWidth, "tileHeight": sprite.tileHeight, "channels": sprite.channels,
                "low": Double(sprite.low), "high": Double(sprite.high),
            ] as [String: Any]
        }
        let explorerSection: String
        do {
            let range = model.codeRange ?? Experiment.codeRange(of: codes, within: model.model.codeActivation.range)
            let explorer = try LatentExplorer(model: model.model, range: range)
            var json = explorer.json
            json["output"] = samples.imageShape.map { ["kind": "image", "shape": $0] as [String: Any] }
                ?? ["kind": "vector", "shape": [model.model.network.outputWidth]]
            json["background"] = projection.isCodes
            data["explorer"] = json
            explorerSection = """
                <p>Move the pointer over the plane (the code box \(HTMLText.escape(Self.box(explorer.range)))\
                \(model.codeRange != nil ? ", the 1st to 99th percentile of the test codes" : ""); the dots are the test codes): \
                the page decodes the code under it with the decoder's weights, embedded in the page.</p>
                <div class="explorer"><canvas id="explorer-plane" width="320" height="320"></canvas>\
                <div><canvas id="explorer-output"></canvas><p id="explorer-code">code: –</p></div></div>
                """
        } catch let refusal as LatentExplorer.Refusal {
            explorerSection = "<p id=\"no-explorer\">\(HTMLText.escape(refusal.reason))</p>"
        }
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: data, options: options), as: UTF8.self)

        var body: [String] = []
        body.append("<h1>Run report: \(HTMLText.escape(metrics.preset))</h1>")
        // Side by side where the window is wide enough: settings and layers, curves and
        // reconstructions, the scatter and the explorer.
        body.append("<div class=\"row\">")
        body.append("<section id=\"settings\"><h2>Settings and metrics</h2>\(table(settingsRows()))</section>")
        body.append("""
            <section id="model"><h2>Model</h2>\(layerTable())<p>\(HTMLText.escape(model.model.codeSummary))</p></section>
            """)
        body.append("</div>\n<div class=\"row\">")
        body.append("<section id=\"losses\"><h2>Loss curves</h2>\(LossCurves(metrics).svg)</section>")
        if let bytes = picture("reconstructions.png") {
            let rows = metrics.training.inputNoise > 0 || metrics.training.gaussianNoise > 0
                ? "noisy test samples, the model's outputs for them, and the clean samples"
                : "test samples above, their reconstructions below"
            body.append("""
                <section id="reconstructions"><h2>Reconstructions</h2><p>The first \(min(10, samples.count)) \(rows).</p>\
                <img id="reconstructions-image" alt="Reconstructions" src="\(HTMLText.pngURI(bytes))"></section>
                """)
        }
        body.append("</div>\n<div class=\"row\">")
        let projectionText = projection.isCodes
            ? "each test sample's \(codes.columns)-D code"
            : "each test sample's \(codes.columns)-D code projected on its first two principal components (PCA of the test codes)"
        body.append("""
            <section id="codes"><h2>Code space</h2><p>One point per test sample (<span id="point-count">…</span> of \(samples.count)): \
            \(projectionText)\(samples.labels == nil ? "" : ", coloured by label"). Hover over a point to see its sample.</p>
            <div class="scatter"><canvas id="scatter" width="640" height="640" data-points="0"></canvas>\
            <div id="tooltip" hidden><canvas id="tooltip-sample"></canvas><div id="tooltip-text"></div></div></div>
            <div id="legend"></div></section>
            """)
        body.append("<section id=\"explorer\"><h2>Latent explorer</h2>\(explorerSection)</section>")
        body.append("</div>")
        if let scores = scoresSection() { body.append(scores) }
        body.append("<pre id=\"explore-values\" hidden></pre>")
        body.append("<pre id=\"report-errors\" hidden></pre>")
        body.append("<script type=\"application/json\" id=\"report-data\">\(HTMLText.scriptSafe(json: json))</script>")
        body.append("<script>\(ReportScript.main)</script>")

        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(Self.contentSecurityPolicy)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Run report: \(HTMLText.escape(metrics.preset))</title>
            <style>\(ReportScript.style)</style>
            <script>\(ReportScript.errorRecorder)</script>
            </head>
            <body data-status="loading">
            \(body.joined(separator: "\n"))
            </body>
            </html>

            """
    }

    /// The rows of the settings and metrics table.
    func settingsRows() -> [(String, String)] {
        let training = metrics.training
        var rows: [(String, String)] = [("Preset", metrics.preset)]
        if let configuration = metrics.model {
            rows.append(("Architecture", configuration.allWidths.map(String.init).joined(separator: "-")))
        }
        rows.append(("Epochs", "\(metrics.epochMeanCosts.count) of \(training.epochs)"
                     + (metrics.resumedAfterEpoch.map { " (resumed after epoch \($0))" } ?? "")))
        rows.append(("Batch size", "\(training.batchSize)"))
        rows.append(("Learning rate", HTMLText.number(Double(training.learningRate))))
        rows.append(("Seed", "\(metrics.seed)"))
        if training.inputNoise > 0 { rows.append(("Masking noise (denoising)", HTMLText.number(Double(training.inputNoise)))) }
        if training.gaussianNoise > 0 { rows.append(("Gaussian noise (denoising)", HTMLText.number(Double(training.gaussianNoise)))) }
        if let last = metrics.epochMeanCosts.last { rows.append(("Last epoch's mean training loss", HTMLText.number(last))) }
        if let last = metrics.epochCosts.last { rows.append(("Last batch's cost", HTMLText.number(Double(last)))) }
        if let validation = metrics.validationLosses?.last {
            rows.append(("Last validation loss", HTMLText.number(validation)
                         + (metrics.validationSamples.map { " (\($0) held-out samples)" } ?? "")))
        }
        if let best = metrics.bestEpoch { rows.append(("Best epoch (kept)", "\(best)")) }
        if let stopped = metrics.stoppedEarlyAfterEpoch { rows.append(("Stopped early after epoch", "\(stopped)")) }
        rows.append(("Test MSE", HTMLText.number(metrics.testMSE)))
        if let loss = metrics.testLoss { rows.append(("Test loss", HTMLText.number(loss))) }
        rows.append(("Seconds per epoch (median)", String(format: "%.3f", Experiment.median(metrics.secondsPerEpoch))))
        rows.append(("Backend", metrics.backend))
        rows.append(("Training samples", "\(metrics.trainingSamples)"))
        rows.append(("Test samples", "\(metrics.testSamples)"))
        if let folder = metrics.dataFolder { rows.append(("Data folder", folder)) }
        return rows
    }

    /// A two-column table of `rows`, escaped.
    func table(_ rows: [(String, String)]) -> String {
        "<table class=\"facts\">" + rows.map { "<tr><th>\(HTMLText.escape($0.0))</th><td>\(HTMLText.escape($0.1))</td></tr>" }
            .joined() + "</table>"
    }

    /// The layer table, as `autoencoder inspect` prints it.
    func layerTable() -> String {
        let rows = model.model.layerSummary.map {
            "<tr><td>\(HTMLText.escape($0.layer))</td><td>\(HTMLText.escape($0.outputShape))</td><td class=\"number\">\($0.parameters)</td></tr>"
        }
        return "<table id=\"layer-table\"><thead><tr><th>Layer</th><th>Output shape</th><th>Parameters</th></tr></thead><tbody>"
            + rows.joined() + "</tbody><tfoot><tr><th colspan=\"2\">Total</th><td class=\"number\">"
            + "\(model.model.network.parameterCount)</td></tr></tfoot></table>"
    }

    /// The anomaly scores section, when `score` left its files in the folder.
    func scoresSection() -> String? {
        let scores = (try? Data(contentsOf: folder.appendingPathComponent("scores.json")))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        let roc = picture("roc.png"), errors = picture("errors.png")
        guard scores != nil || roc != nil || errors != nil else { return nil }
        var parts = ["<section id=\"scores\"><h2>Anomaly scores</h2>"]
        if let scores {
            // The summary numbers and words; per-sample arrays are left to the file.
            let rows = scores.keys.sorted().compactMap { key -> (String, String)? in
                switch scores[key] {
                case let number as NSNumber: (key, HTMLText.number(number.doubleValue))
                case let text as String: (key, text)
                default: nil
                }
            }
            if !rows.isEmpty { parts.append(table(rows)) }
        }
        if let roc { parts.append("<img id=\"roc-image\" alt=\"ROC curve\" src=\"\(HTMLText.pngURI(roc))\">") }
        if let errors { parts.append("<img id=\"errors-image\" alt=\"Reconstruction errors\" src=\"\(HTMLText.pngURI(errors))\">") }
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }

    /// The bytes of the PNG `name` in the folder when it is one, else `nil`.
    func picture(_ name: String) -> [UInt8]? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else { return nil }
        let bytes = [UInt8](data)
        return bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? bytes : nil
    }

    /// A code box as `[a, b] x [c, d]`.
    static func box(_ range: ModelFile.CodeRange) -> String {
        zip(range.low, range.high).map { String(format: "[%.3g, %.3g]", $0, $1) }.joined(separator: " x ")
    }
}

/// The 2-D points of the code scatter: the codes themselves when they are 2-D (a 1-D code
/// against zero), else their projection on the codes' first two principal components.
struct CodeProjection {
    /// One row per sample, two columns.
    var points: Matrix
    /// Whether the points are the codes themselves.
    var isCodes: Bool
    /// The axes' names.
    var axisNames: [String]

    /// The projection of `codes`.
    init(codes: Matrix) {
        switch codes.columns {
        case 2:
            points = codes
            isCodes = true
            axisNames = ["code 1", "code 2"]
        case 1:
            points = Matrix(rows: codes.rows, columns: 2, storage: codes.storage.flatMap { [$0, 0] })
            isCodes = false
            axisNames = ["code", "–"]
        default:
            let finite = codes.storage.allSatisfy(\.isFinite) && codes.rows > 0
            points = finite ? PCA.fit(codes, components: 2).encode(codes)
                : Matrix(rows: codes.rows, columns: 2, repeating: .nan)
            isCodes = false
            axisNames = ["principal component 1", "principal component 2"]
        }
    }
}

/// The colour of each label: matplotlib's `tab10` for up to ten labels (digits stay apart),
/// else viridis spread from the smallest label to the largest, as `codes.png` draws them.
struct LabelPalette {
    /// Label and CSS colour, by increasing label.
    var colors: [(label: Int, color: String)]

    private static let tab10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// The palette of `labels`' distinct values.
    init(labels: [Int]) {
        let distinct = Set(labels).sorted()
        if distinct.count <= Self.tab10.count {
            colors = distinct.enumerated().map { ($0.element, Self.tab10[$0.offset]) }
        } else {
            let low = Double(distinct.first!), span = Double(distinct.last! - distinct.first!)
            colors = distinct.map { label in
                let rgb = ColorMap.viridis.color(at: (Double(label) - low) / span)
                return (label, String(format: "#%02x%02x%02x", rgb.red, rgb.green, rgb.blue))
            }
        }
    }

    /// `[[label, colour], …]` for the page.
    var json: [[Any]] { colors.map { [$0.label, $0.color] } }
}
