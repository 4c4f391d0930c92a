import Autoencoder
import Foundation
import Testing

/// Debian's Chromium, run headless on a page from disk.
enum Chromium {
    /// The browser binary itself (not Debian's `chromium` wrapper, whose default flags turn
    /// on extension updates), else `chromium` on the path; `nil` when not installed.
    static let path: String? = {
        let candidates = ["/usr/lib/chromium/chromium"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/chromium" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// What a headless load of a page gave: the DOM after the scripts ran and the browser's log.
    struct Load {
        var dom: String
        var log: String
        /// The requests that reached the proxy, each as its first line (`GET http://…`, `CONNECT host:443 …`).
        var requests: [String]
        /// ``requests`` without the browser's own background calls (component updates, the
        /// clock, sign-in: hosts under google.com, googleapis.com and gvt1.com), which come
        /// whatever the page holds. Google's font hosts are kept: a page might reach for them.
        /// (Whatever the page itself tries is also blocked by its CSP, which the page records
        /// in `#report-errors`, and the library tests refuse any URL in the page.)
        var pageRequests: [String] {
            requests.filter { line in
                let words = line.split(separator: " ")
                guard words.count > 1 else { return true }
                var host = String(words[1])
                if let scheme = host.range(of: "://") { host = String(host[scheme.upperBound...]) }
                host = String(host.prefix { $0 != "/" && $0 != ":" })
                let isBrowserService = [".google.com", ".googleapis.com", ".gvt1.com"].contains { host.hasSuffix($0) }
                return !isBrowserService || host.hasPrefix("fonts.")
            }
        }
        /// Lines of the log that report a console message or an uncaught error of the page.
        var consoleLines: [String] { log.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") } }
    }

    /// Loads `url` headless with every request sent to a proxy that records and drops it,
    /// and returns the DOM after `--virtual-time-budget` milliseconds of page time.
    static func load(_ url: String) throws -> Load {
        let proxy = try RecordingProxy()
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-profile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let result = try Executable.run([
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)",
            "--proxy-server=http://127.0.0.1:\(proxy.port)", "--proxy-bypass-list=<-loopback>",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
            "--disable-default-apps", "--no-first-run", "--no-pings", "--disable-domain-reliability",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom", url,
        ], program: URL(fileURLWithPath: path!))
        return Load(dom: result.output, log: result.error, requests: proxy.stop())
    }
}

/// A TCP listener on a free loopback port, recording the first line of each connection.
final class RecordingProxy: @unchecked Sendable {
    let port: UInt16
    private let socket: Int32
    private let lock = NSLock()
    private var lines: [String] = []
    private var running = true
    private var finished = false

    init() throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && listen(descriptor, 16) == 0
                && getsockname(descriptor, $0, &length) == 0 }
        }
        guard descriptor >= 0, bound else { throw CocoaError(.fileWriteUnknown) }
        socket = descriptor
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in serve() }
    }

    /// Accepts connections until ``stop()``, recording each one's first line.
    private func serve() {
        while lock.withLock({ running }) {
            var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let client = accept(socket, nil, nil)
            guard client >= 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 512)
            var reader = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            let count = poll(&reader, 1, 1000) > 0 ? read(client, &buffer, buffer.count) : 0
            let text = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
            let line = String(text.split(separator: "\r\n", maxSplits: 1).first ?? "(connection without a request)")
            lock.withLock { lines.append(line) }
            close(client)
        }
        lock.withLock { finished = true }
    }

    /// Stops listening and returns what was recorded.
    func stop() -> [String] {
        lock.withLock { running = false }
        while !lock.withLock({ finished }) { usleep(10_000) }
        close(socket)
        return lock.withLock { lines }
    }
}

/// `report.html` in a real browser: it loads without errors, makes no request, shows every
/// test sample, and its explorer decodes as `autoencoder decode` does.
@Suite(.serialized, .enabled(if: Chromium.path != nil, "chromium is not installed (apt-get install chromium); the report's browser tests are skipped"))
struct ReportBrowserTests {
    /// An encoder2d run of one epoch on the small data set (50 test images), made once.
    static let run: URL = {
        let folder = TestData.temporaryFolder()
        let result = try! Executable.run(["train", "--preset", "encoder2d", "--data", TestData.smallFolder.path,
                                          "--epochs", "1", "--output", folder.path])
        precondition(result.status == 0, result.error)
        return folder
    }()

    /// The text of the element with `id` in a dumped DOM.
    static func element(_ id: String, in dom: String) -> String? {
        guard let start = dom.range(of: "id=\"\(id)\""), let open = dom.range(of: ">", range: start.upperBound..<dom.endIndex),
              let close = dom.range(of: "</", range: open.upperBound..<dom.endIndex) else { return nil }
        return String(dom[open.upperBound..<close.lowerBound])
    }

    @Test func thePageLoadsWithoutErrorsOrRequestsAndDecodesAsTheDecodeCommand() throws {
        let page = Self.run.appendingPathComponent("report.html")
        let code: [Float] = [0.25, -1.5]
        let load = try Chromium.load("file://\(page.path)#explore=\(code[0]),\(code[1])")

        #expect(load.dom.contains("data-status=\"ready\""), "the page's script did not finish: \(load.dom.suffix(400))")
        #expect(Self.element("report-errors", in: load.dom)?.isEmpty == true, "\(Self.element("report-errors", in: load.dom) ?? "")")
        #expect(load.consoleLines.isEmpty, "\(load.consoleLines)")
        #expect(load.pageRequests.isEmpty, "\(load.pageRequests)")
        // One point per test sample.
        #expect(load.dom.contains("data-points=\"50\""))
        #expect(Self.element("point-count", in: load.dom) == "50")

        // The explorer's output for the code is the decoder's, as `decode` writes it.
        let codes = Self.run.appendingPathComponent("code.npy").path, decoded = Self.run.appendingPathComponent("decoded.npy").path
        try CodeFile.write(Matrix([code]), to: codes)
        let result = try Executable.run(["decode", "--model", Self.run.appendingPathComponent("model.safetensors").path,
                                         "--codes", codes, "--output", decoded])
        #expect(result.status == 0, "\(result.error)")
        let expected = try NPY.read(from: URL(fileURLWithPath: decoded)).floats()
        let values = (Self.element("explore-values", in: load.dom) ?? "").split(separator: " ").compactMap { Double($0) }
        #expect(values.count == 784 && expected.count == 784)
        let worst = zip(values, expected).map { abs($0 - Double($1)) }.max() ?? .infinity
        #expect(worst < 1e-5, "the page's decoding differs from `decode` by \(worst)")
    }

    /// A page of feature vectors (no image shape, no labels, line plots instead of images)
    /// loads as cleanly, and its explorer decodes the model's full output.
    @Test func aPageOfFeatureVectorsLoadsToo() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = RandomGenerator(seed: 5)
        let model = try AutoencoderModel(architecture: Preset.tuned2d.architecture, generator: &generator)
        let metrics = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: Self.run.appendingPathComponent("metrics.json")))
        let values = Matrix(rows: 30, columns: 784, storage: (0..<(30 * 784)).map { Float(($0 * 7919) % 1000) / 250 - 2 })
        try RunReport(folder: folder, metrics: metrics, model: ModelFile(model: model), samples: ReportSamples(values: values)).write()
        let load = try Chromium.load("file://\(folder.appendingPathComponent("report.html").path)#explore=0.5,0.5")
        #expect(load.dom.contains("data-status=\"ready\""))
        #expect(Self.element("report-errors", in: load.dom)?.isEmpty == true, "\(Self.element("report-errors", in: load.dom) ?? "")")
        #expect(load.consoleLines.isEmpty, "\(load.consoleLines)")
        #expect(load.pageRequests.isEmpty, "\(load.pageRequests)")
        #expect(load.dom.contains("data-points=\"30\""))
        let decoded = model.decode(Matrix([[0.5, 0.5]])).storage
        let shown = (Self.element("explore-values", in: load.dom) ?? "").split(separator: " ").compactMap { Double($0) }
        #expect(shown.count == decoded.count)
        #expect((zip(shown, decoded).map { abs($0 - Double($1)) }.max() ?? .infinity) < 1e-5)
    }

    /// The checks above can fail: a page that loads an external image, logs an error and
    /// throws one is caught by each of them (the proxy sees the request, the log shows the
    /// console lines).
    @Test func theChecksCatchAPageThatReachesOut() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("bad.html")
        try Data("""
            <!DOCTYPE html><html><body><img src="http://report-test.example/x.png">
            <script>console.error('broken'); undefinedFunction();</script></body></html>
            """.utf8).write(to: page)
        let load = try Chromium.load("file://\(page.path)")
        #expect(load.pageRequests.contains { $0.contains("report-test.example") }, "\(load.requests)")
        #expect(load.consoleLines.count >= 2, "\(load.log.suffix(600))")
    }

    /// `autoencoder report DIR` rebuilds the page from the folder's files, the same page `train` wrote.
    @Test func theReportCommandRebuildsThePage() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["metrics.json", "model.safetensors", "reconstructions.png"] {
            try FileManager.default.copyItem(at: Self.run.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let result = try Executable.run(["report", folder.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "Wrote \(folder.appendingPathComponent("report.html").path)\n")
        let rebuilt = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        let original = try String(contentsOf: Self.run.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(rebuilt == original)
    }
}

/// `autoencoder report` on a folder that is not a run's: one sentence, exit 1.
@Suite struct ReportCommandTests {
    @Test func aFolderWithoutMetricsOrModelIsRefused() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var result = try Executable.run(["report", folder.path])
        #expect(result.status == 1)
        #expect(result.error == "Error: The folder '\(folder.path)' holds no metrics.json, so it is not the output folder of a `train` run.\n")

        try Data(#"{"preset":"x"}"#.utf8).write(to: folder.appendingPathComponent("metrics.json"))
        result = try Executable.run(["report", folder.path])
        #expect(result.status == 1)
        #expect(result.error == "Error: The file '\(folder.path)/metrics.json' cannot be read as a run's metrics.json.\n")

        result = try Executable.run(["report", folder.appendingPathComponent("missing").path])
        #expect(result.status == 1)
        #expect(result.error == "Error: '\(folder.appendingPathComponent("missing").path)' is not a folder; give the output folder of a `train` run.\n")
    }

    @Test func aFolderWithoutTheModelIsRefused() throws {
        let folder = TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: ReportBrowserTests.run.appendingPathComponent("metrics.json"),
                                         to: folder.appendingPathComponent("metrics.json"))
        let result = try Executable.run(["report", folder.path])
        #expect(result.status == 1)
        #expect(result.error == "Error: The folder '\(folder.path)' holds no model.safetensors, the run's model, so its report cannot be built.\n")
    }
}
