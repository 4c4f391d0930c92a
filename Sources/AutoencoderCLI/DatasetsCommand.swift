import ArgumentParser
import Autoencoder
import Foundation

/// `autoencoder datasets`: the data sets known by name, and fetching them into the cache.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "List the data sets known by name and fetch them into the cache.",
        discussion: """
            The cache is --cache DIR, else $AUTOENCODER_CACHE, else $XDG_CACHE_HOME/swift-autoencoder, \
            else ~/.cache/swift-autoencoder. See docs/datasets.md.
            """,
        subcommands: [ListCommand.self, FetchCommand.self, DescribeCommand.self])

    /// The options both subcommands share: where the cache is.
    struct CacheOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The cache folder (default: $AUTOENCODER_CACHE, else $XDG_CACHE_HOME/swift-autoencoder, else ~/.cache/swift-autoencoder).",
                                   valueName: "dir"))
        var cache: String?

        /// The cache these options name, with `mirror` tried first when given.
        func datasetCache(mirror: URL? = nil) -> DatasetCache {
            DatasetCache(folder: cache.map { URL(fileURLWithPath: $0) }, mirror: mirror)
        }
    }

    /// `autoencoder datasets list`: each data set, its size, and where it is.
    struct ListCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the data sets known by name: what each is, its download size, and where it is found.")

        @OptionGroup var cacheOptions: CacheOptions

        func run() throws {
            let cache = cacheOptions.datasetCache()
            let width = cache.catalog.entries.map(\.name.count).max() ?? 0
            for entry in cache.catalog.entries {
                let padding = String(repeating: " ", count: width - entry.name.count)
                let size = ProgressLine.bytes(entry.downloadSize)
                let sizePadding = String(repeating: " ", count: max(0, 8 - size.count))
                printLine("\(entry.name)\(padding)  \(sizePadding)\(size)  \(entry.summary)")
                let indent = String(repeating: " ", count: width + 2)
                switch cache.location(of: entry.name) {
                case .onMachine(let folder)?: printLine("\(indent)on this machine: \(folder.path)")
                case .cached(let folder)?: printLine("\(indent)cached: \(folder.path)")
                case nil: printLine("\(indent)not here (autoencoder datasets fetch \(entry.name))")
                }
            }
        }
    }

    /// `autoencoder datasets fetch NAME`: downloads a data set into the cache.
    struct FetchCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch",
            abstract: "Download a data set into the cache, each file verified against its pinned SHA-256.",
            discussion: """
                Mirrors are tried in order; a partial download is kept as FILE.part and resumed. \
                A data set already on this machine (the project's data/mnist, Debian's \
                dataset-fashion-mnist) is used where it is.
                """)

        @Argument(help: "The data set: mnist, fashion-mnist, kmnist or cifar10.")
        var name: String

        @Option(help: ArgumentHelp("A mirror to try first, the file names appended to it (default: $AUTOENCODER_MIRROR).",
                                   valueName: "url"))
        var mirror: String?

        @OptionGroup var cacheOptions: CacheOptions

        func validate() throws {
            if let mirror, URL(string: mirror)?.scheme.map({ ["http", "https"].contains($0.lowercased()) }) != true {
                throw ValidationError("--mirror must be an http:// or https:// address, not '\(mirror)'.")
            }
        }

        func run() throws {
            let cache = cacheOptions.datasetCache(mirror: mirror.flatMap(URL.init(string:)))
            let entry = try cache.entry(named: name)
            switch cache.location(of: entry.name) {
            case .onMachine(let folder)?:
                printLine("\(entry.name) is already on this machine in \(folder.path); nothing to download.")
                return
            case .cached(let folder)?:
                printLine("\(entry.name) is already cached in \(folder.path).")
                return
            case nil:
                break
            }
            let display = TerminalProgress.isStandardOutputATerminal ? TerminalProgress() : nil
            let folder = try cache.fetch(entry.name) { event in
                switch event {
                case .progress(let progress):
                    display?.show(ProgressLine.download(progress))
                case .mirrorFailed(let file, let failure):
                    display?.clear()
                    printLine("\(file) from \(failure.label): \(failure.reason).")
                case .verified(let file, let mirror):
                    display?.clear()
                    let size = entry.files.first { $0.name == file }.map { ProgressLine.bytes($0.size) } ?? ""
                    printLine("Fetched \(file) (\(size)) from \(MirrorFailure(mirror: mirror, reason: "", answered: true).label), SHA-256 verified.")
                case .unpacked(let archive, let folder):
                    printLine("Unpacked \(archive) in \(folder).")
                }
            }
            display?.clear()
            printLine("\(entry.name) is in \(folder.path)")
        }
    }

    /// `autoencoder datasets describe PATH|NAME`: what the tool reads from any input.
    struct DescribeCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "describe",
            abstract: "Show what the tool reads from a data file, folder or data set name: samples, shape, element type, value range, label counts and the scaling it would fit.")

        @Argument(help: "A data file or folder (any format --data takes), or a data set's name.")
        var data: String

        @OptionGroup var formatOptions: DataFormatOptions

        func run() throws {
            var options = DataOptions()
            options.data = data
            let (_, file) = try options.read(format: formatOptions)
            for (part, set) in [("training", file.training), ("test", file.test)] {
                guard let set else { continue }
                printLine((file.test == nil ? "" : "The \(part) part:\n") + DatasetSummary(set).description)
            }
        }
    }
}
