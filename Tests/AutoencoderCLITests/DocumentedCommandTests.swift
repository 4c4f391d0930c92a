import ArgumentParser
@testable import AutoencoderCLI
import Foundation
import Testing

/// The `autoencoder …` command lines of the README's and docs/'s shell blocks, each with the
/// file and line it starts on.
private func documentedCommands() throws -> [(place: String, arguments: [String])] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let docs = root.appendingPathComponent("docs")
    let pages = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: docs.path))
        .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    var commands: [(String, [String])] = []
    for page in pages {
        let lines = try String(contentsOf: root.appendingPathComponent(page), encoding: .utf8)
            .components(separatedBy: "\n")
        // Shell lines: in fenced blocks marked sh, bash or nothing, and in blocks indented by four spaces.
        var inFence = false, fenceIsShell = false, pending = "", start = 0
        for (number, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                inFence.toggle()
                fenceIsShell = inFence && ["```", "```sh", "```bash"].contains(trimmed)
                continue
            }
            guard inFence ? fenceIsShell : (line.hasPrefix("    ") || !pending.isEmpty) else { continue }
            // A comment starts at " #", a redirection or pipe at " > " or " | " (none of these
            // lines quotes them).
            var text = line
            for end in [" #", " > ", " | "] {
                if let range = text.range(of: end) { text = String(text[..<range.lowerBound]) }
            }
            text = text.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty {
                guard text.hasPrefix("autoencoder ") else { continue }
                start = number + 1
            }
            if text.hasSuffix("\\") { pending += text.dropLast() + " "; continue }
            pending += text
            let words = pending.split(separator: " ").map(String.init)
            commands.append(("\(page):\(start)", Array(words.dropFirst())))
            pending = ""
        }
    }
    return commands
}

@Suite struct DocumentedCommandTests {
    @Test("every autoencoder command line in the README and docs/ parses as written")
    func documentedCommandsParse() throws {
        let commands = try documentedCommands()
        #expect(commands.count > 30)
        for (place, arguments) in commands where !arguments.contains(where: { $0.contains("…") || $0.contains("<") }) {
            do {
                _ = try AutoencoderCommand.parseAsRoot(arguments)
            } catch {
                // A file of the example's that is not here (a model description that validation
                // reads) means the line parsed.
                let message = AutoencoderCommand.message(for: error)
                if message.contains("doesn’t exist") || message.contains("No such file") { continue }
                Issue.record("\(place): autoencoder \(arguments.joined(separator: " ")): \(message)")
            }
        }
    }
}
