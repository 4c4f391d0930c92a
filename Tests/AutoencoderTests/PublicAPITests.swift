import Foundation
import Testing

/// Pointer types stay in the one low-level module: every other module's public API takes
/// arrays, matrices and views, so `import Autoencoder` never asks for pointer arithmetic.
@Suite struct PublicAPITests {
    /// The package's `Sources` folder.
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// The module whose public API may take pointers: it is for people who write kernels.
    static let lowLevelModule = "AutoencoderKernels"

    /// The Swift files of every module but the low-level one, by path relative to `Sources`.
    static func checkedFiles() throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: sources.path)!
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            guard path.hasSuffix(".swift"), !path.hasPrefix(lowLevelModule + "/") else { continue }
            files.append(path)
        }
        return files.sorted()
    }

    @Test func noPublicDeclarationOutsideTheKernelsModuleNamesAPointer() throws {
        let files = try Self.checkedFiles()
        #expect(files.count > 100, "The scan found only \(files.count) Swift files under \(Self.sources.path).")
        #expect(files.contains { $0.hasPrefix("AutoencoderNetwork/") } && files.contains { $0.hasPrefix("Autoencoder/") })
        var findings: [String] = []
        for file in files {
            let source = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            for finding in PublicDeclarationScanner.pointerFindings(in: source) {
                findings.append("Sources/\(file):\(finding.line): \(finding.pointerTypes.joined(separator: ", ")) in \(finding.header)")
            }
        }
        #expect(findings.isEmpty, """
            Public declarations outside \(Self.lowLevelModule) name pointer types; make them package, \
            or give users a form on arrays, Matrix or the kernels module's views:
            \(findings.joined(separator: "\n"))
            """)
    }

    // The scanner itself: what it must find, and what it must leave alone.

    @Test func aPointerOnAnyLineOfAPublicSignatureIsFound() {
        let source = """
            public struct Box {
                /// Doc.
                public func fill(
                    _ count: Int,
                    into destination: UnsafeMutablePointer<Float>
                ) -> Bool {
                    let p: UnsafePointer<Float>? = nil
                    return p == nil
                }
                public let base: UnsafeRawPointer
                open class func make() -> OpaquePointer? { nil }
                public var optional: Int?
                package func fast(_ p: UnsafePointer<Float>) {}
                public init(count: Int) throws
                package func faster(_ p: UnsafePointer<Float>) {}
                public func generic<T>(_ value: T)
                    -> Int where T: Sequence,
                    T.Element == UnsafePointer<Float> { 0 }
            }
            """
        let findings = PublicDeclarationScanner.pointerFindings(in: source)
        #expect(findings.map(\.line) == [3, 10, 11, 16])
        #expect(findings.first?.pointerTypes == ["UnsafeMutablePointer"])
    }

    @Test func protocolRequirementsAndPublicExtensionMembersArePublic() {
        let source = """
            public protocol Source {
                var count: Int { get }
                func copy(to destination: UnsafeMutableBufferPointer<Float>)
            }
            public extension Source {
                func first(_ pointer: UnsafePointer<Int>) {}
                private func hidden(_ pointer: UnsafePointer<Int>) {}
            }
            """
        #expect(PublicDeclarationScanner.pointerFindings(in: source).map(\.line) == [3, 6])
    }

    @Test func hiddenDeclarationsBodiesCommentsAndStringsAreLeftAlone() {
        let source = #"""
            package func fast(_ p: UnsafePointer<Float>) {}
            func internalOne(_ p: UnsafePointer<Float>) {}
            private struct Hidden { public func f(_ p: UnsafePointer<Float>) {} }
            struct AlsoHidden {
                public var pointer: UnsafeMutablePointer<Float>
            }
            public struct Shown {
                // public func commented(_ p: UnsafePointer<Float>)
                /* public func blocked(_ p: UnsafePointer<Float>) */
                public var text = "public func f(_ p: UnsafePointer<Float>) \("nested \(1) UnsafePointer")"
                public var raw = #"UnsafePointer"#
                public func body() { let open = UnsafePointer<Float>(bitPattern: 8); _ = open }
            }
            """#
        #expect(PublicDeclarationScanner.pointerFindings(in: source).isEmpty)
    }
}
