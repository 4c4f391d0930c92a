import Foundation
import Testing

/// The README's library example is `Examples/LibraryQuickStart/main.swift`, which the
/// package builds: the two must stay the same text, so the README's code always compiles.
@Suite struct ReadmeExampleTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func readmeShowsTheCompiledExample() throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try String(contentsOf: Self.repository.appendingPathComponent("Examples/LibraryQuickStart/main.swift"),
                                 encoding: .utf8)
        let section = try #require(readme.range(of: "## Using the library"))
        let start = try #require(readme.range(of: "```swift\n", range: section.upperBound..<readme.endIndex))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        #expect(String(readme[start.upperBound..<end.lowerBound]) == example)
    }
}
