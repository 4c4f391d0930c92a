/// Finds the public declarations of Swift source text and the pointer types they mention,
/// without a Swift parser: a small lexer drops comments and string literals (with their
/// interpolations), then a scan of the tokens follows declarations and the braces that
/// scope them.
///
/// A declaration counts as public API when it says `public` or `open` inside a public type
/// or an extension, when it is a requirement of a public protocol, or when it is a member of
/// a `public extension` without an access modifier of its own. Its header runs from its
/// modifiers to its body's `{` (or the end of its line, when no bracket, comma or arrow
/// carries it on), so a parameter on the third line of a signature counts.
struct PublicDeclarationScanner {
    /// A public declaration whose header names a pointer type.
    struct Finding: Equatable, CustomStringConvertible {
        /// The line the declaration starts on (1-based).
        var line: Int
        /// The header, its tokens joined by spaces.
        var header: String
        /// The pointer types it names.
        var pointerTypes: [String]

        var description: String { "line \(line): \(header)" }
    }

    /// One token: an identifier or keyword, `@attribute`, `#directive`, a punctuation mark,
    /// a literal, or a line break.
    struct Token {
        var text: String
        var line: Int
        var isNewline: Bool { text == "\n" }
    }

    /// The public declarations of `source` whose headers name a pointer type.
    static func pointerFindings(in source: String) -> [Finding] {
        var scanner = DeclarationWalker(tokens: tokens(of: source))
        return scanner.publicHeaders().compactMap { header in
            let pointers = header.tokens.map(\.text).filter(isPointerType)
            guard !pointers.isEmpty else { return nil }
            return Finding(line: header.line, header: header.tokens.filter { !$0.isNewline }.map(\.text).joined(separator: " "),
                           pointerTypes: pointers)
        }
    }

    /// Whether an identifier names one of Swift's pointer types.
    static func isPointerType(_ name: String) -> Bool {
        name.contains("Unsafe") || name == "OpaquePointer" || name == "CVaListPointer"
    }

    // MARK: Lexing

    /// The tokens of `source`, comments and literals' contents left out.
    static func tokens(of source: String) -> [Token] {
        let chars = Array(source.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        var line = 1
        func isIdentifierScalar(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c.properties.isAlphabetic || ("0"..."9").contains(c)
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\n" {
                tokens.append(Token(text: "\n", line: line))
                line += 1
                i += 1
            } else if c == " " || c == "\t" || c == "\r" {
                i += 1
            } else if c == "/", i + 1 < chars.count, chars[i + 1] == "/" {
                while i < chars.count, chars[i] != "\n" { i += 1 }
            } else if c == "/", i + 1 < chars.count, chars[i + 1] == "*" {
                var depth = 0
                repeat {
                    if chars[i] == "/", i + 1 < chars.count, chars[i + 1] == "*" { depth += 1; i += 2; continue }
                    if chars[i] == "*", i + 1 < chars.count, chars[i + 1] == "/" { depth -= 1; i += 2; continue }
                    if chars[i] == "\n" { line += 1 }
                    i += 1
                } while depth > 0 && i < chars.count
            } else if c == "\"" || (c == "#" && startsRawString(chars, i)) {
                let start = line
                i = skipString(chars, from: i, line: &line)
                tokens.append(Token(text: "\"…\"", line: start))
            } else if c == "`" {
                var j = i + 1
                while j < chars.count, chars[j] != "`", chars[j] != "\n" { j += 1 }
                tokens.append(Token(text: String(String.UnicodeScalarView(chars[(i + 1)..<j])), line: line))
                i = min(j + 1, chars.count)
            } else if isIdentifierScalar(c) || ((c == "@" || c == "#") && i + 1 < chars.count && isIdentifierScalar(chars[i + 1])) {
                var j = i + 1
                while j < chars.count, isIdentifierScalar(chars[j]) { j += 1 }
                tokens.append(Token(text: String(String.UnicodeScalarView(chars[i..<j])), line: line))
                i = j
            } else if c == "-", i + 1 < chars.count, chars[i + 1] == ">" {
                tokens.append(Token(text: "->", line: line))
                i += 2
            } else {
                tokens.append(Token(text: String(c), line: line))
                i += 1
            }
        }
        return tokens
    }

    /// Whether `#`s at `i` open a raw string (`#"…"#`).
    private static func startsRawString(_ chars: [Unicode.Scalar], _ i: Int) -> Bool {
        var j = i
        while j < chars.count, chars[j] == "#" { j += 1 }
        return j < chars.count && chars[j] == "\""
    }

    /// The index just past the string literal starting at `i` (plain, multi-line or raw),
    /// its interpolations skipped with their own nested strings.
    private static func skipString(_ chars: [Unicode.Scalar], from start: Int, line: inout Int) -> Int {
        var i = start
        var hashes = 0
        while chars[i] == "#" { hashes += 1; i += 1 }
        let multiline = i + 2 < chars.count && chars[i + 1] == "\"" && chars[i + 2] == "\""
        i += multiline ? 3 : 1
        func closes(at j: Int) -> Bool {
            let quotes = multiline ? 3 : 1
            guard j + quotes + hashes <= chars.count else { return false }
            for k in 0..<quotes where chars[j + k] != "\"" { return false }
            for k in 0..<hashes where chars[j + quotes + k] != "#" { return false }
            return true
        }
        while i < chars.count {
            let c = chars[i]
            if closes(at: i) { return i + (multiline ? 3 : 1) + hashes }
            if c == "\n" {
                line += 1
                if !multiline { return i }   // an unterminated literal ends at its line
            }
            if c == "\\" {
                var j = i + 1
                var escapeHashes = 0
                while j < chars.count, chars[j] == "#", escapeHashes < hashes { escapeHashes += 1; j += 1 }
                if escapeHashes == hashes, j < chars.count {
                    if chars[j] == "(" {
                        i = skipParentheses(chars, from: j, line: &line)
                        continue
                    }
                    i = j + 1
                    continue
                }
            }
            i += 1
        }
        return i
    }

    /// The index just past the parenthesised expression opening at `start`.
    private static func skipParentheses(_ chars: [Unicode.Scalar], from start: Int, line: inout Int) -> Int {
        var depth = 0
        var i = start
        while i < chars.count {
            let c = chars[i]
            if c == "\"" || (c == "#" && startsRawString(chars, i)) {
                i = skipString(chars, from: i, line: &line)
                continue
            }
            if c == "\n" { line += 1 }
            if c == "(" { depth += 1 }
            if c == ")" {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return i
    }
}

/// Walks tokens declaration by declaration, keeping track of which braces open public types,
/// public protocols and extensions, and which open code (skipped).
private struct DeclarationWalker {
    typealias Token = PublicDeclarationScanner.Token

    /// A header of a public declaration.
    struct Header {
        var line: Int
        var tokens: [Token]
    }

    /// What a brace opened.
    enum Scope {
        /// The file, a public type or an extension: `public` members are public API.
        case publicContainer
        /// A type that is not public: nothing in it is.
        case hiddenContainer
        /// A public protocol: every requirement is public API.
        case publicProtocol
        /// A `public extension`: members without an access modifier are public API.
        case publicExtension
    }

    let tokens: [Token]
    var index = 0

    static let typeKeywords: Set<String> = ["struct", "class", "enum", "actor", "protocol", "extension"]
    static let declarationKeywords: Set<String> = typeKeywords.union([
        "func", "init", "deinit", "var", "let", "subscript", "typealias", "associatedtype", "case", "macro", "operator",
    ])
    static let accessModifiers: Set<String> = ["public", "open", "package", "internal", "fileprivate", "private"]
    static let otherModifiers: Set<String> = [
        "static", "final", "mutating", "nonmutating", "override", "convenience", "required", "lazy", "weak",
        "unowned", "indirect", "dynamic", "nonisolated", "consuming", "borrowing", "optional", "prefix", "postfix",
        "infix", "isolated", "distributed",
    ]
    /// Tokens that carry a header on past a line break when they end the line.
    static let lineEndContinuations: Set<String> = ["->", "where", "&", ",", ":", "=", "."]
    /// Tokens that carry a header on past a line break when they start the next line.
    static let lineStartContinuations: Set<String> = ["->", "where", "throws", "rethrows", "async", "&", ",", ":", "=", "."]

    init(tokens: [Token]) { self.tokens = tokens }

    /// Every public declaration's header, in source order.
    mutating func publicHeaders() -> [Header] {
        var headers: [Header] = []
        walkContainer(.publicContainer, into: &headers, untilClosingBrace: false)
        return headers
    }

    /// Reads declarations in a container until its closing brace (or the end).
    private mutating func walkContainer(_ scope: Scope, into headers: inout [Header], untilClosingBrace: Bool) {
        while index < tokens.count {
            let token = tokens[index]
            if token.text == "}" {
                index += 1
                if untilClosingBrace { return }
                continue
            }
            if token.isNewline || token.text == ";" { index += 1; continue }
            if token.text.hasPrefix("#") {   // #if, #else, #endif, #warning: the rest of the line
                while index < tokens.count, !tokens[index].isNewline { index += 1 }
                continue
            }
            readDeclaration(in: scope, into: &headers)
        }
    }

    /// Reads one declaration (or skips one stray token) and whatever body it opens.
    private mutating func readDeclaration(in scope: Scope, into headers: inout [Header]) {
        let start = index
        var access: String? = nil
        var keyword: String? = nil
        // Attributes and modifiers, then the keyword.
        while index < tokens.count {
            let text = tokens[index].text
            if text.hasPrefix("@") {
                index += 1
                if index < tokens.count, tokens[index].text == "(" { skipBalanced() }
            } else if Self.accessModifiers.contains(text) {
                access = text
                index += 1
                if index < tokens.count, tokens[index].text == "(" { skipBalanced() }   // private(set)
            } else if Self.otherModifiers.contains(text) || (text == "class" && nextIsDeclarationKeyword()) {
                index += 1
            } else if tokens[index].isNewline {
                index += 1
            } else {
                break
            }
        }
        guard index < tokens.count, Self.declarationKeywords.contains(tokens[index].text) else {
            if index == start { index += 1 }   // not a declaration: one token on
            return
        }
        keyword = tokens[index].text
        // The header, up to its body's brace or the end of the declaration.
        var depth = 0
        var end = index
        while end < tokens.count {
            let text = tokens[end].text
            if text == "(" || text == "[" { depth += 1 }
            if text == ")" || text == "]" { depth -= 1 }
            if depth <= 0 {
                if text == "{" || text == "}" || text == ";" { break }
                if tokens[end].isNewline && !continues(at: end) { break }
            }
            end += 1
        }
        let header = Header(line: tokens[start].line, tokens: Array(tokens[start..<end]))
        let isPublic: Bool
        switch scope {
        case .publicContainer: isPublic = access == "public" || access == "open"
        case .hiddenContainer: isPublic = false
        case .publicProtocol: isPublic = true
        case .publicExtension: isPublic = access == nil || access == "public" || access == "open"
        }
        if isPublic { headers.append(header) }
        index = end
        guard index < tokens.count, tokens[index].text == "{" else { return }
        index += 1
        if let keyword, Self.typeKeywords.contains(keyword) {
            let inner: Scope
            switch (keyword, isPublic) {
            case ("protocol", true): inner = .publicProtocol
            case ("extension", _) where access == "public": inner = .publicExtension
            case ("extension", _) where scope == .hiddenContainer || access == "private" || access == "fileprivate":
                inner = .hiddenContainer
            case ("extension", _): inner = .publicContainer
            case (_, true): inner = .publicContainer
            default: inner = .hiddenContainer
            }
            walkContainer(inner, into: &headers, untilClosingBrace: true)
        } else {
            skipCode()
        }
    }

    /// Whether the line break at `position` continues the header: the token before or after
    /// it (past blank lines) carries the declaration on.
    private func continues(at position: Int) -> Bool {
        var before = position - 1
        while before >= 0, tokens[before].isNewline { before -= 1 }
        var after = position + 1
        while after < tokens.count, tokens[after].isNewline { after += 1 }
        if before >= 0, Self.lineEndContinuations.contains(tokens[before].text) { return true }
        if after < tokens.count, Self.lineStartContinuations.contains(tokens[after].text) { return true }
        return false
    }

    /// Whether the token after this one is a declaration keyword (`class func`).
    private func nextIsDeclarationKeyword() -> Bool {
        index + 1 < tokens.count && Self.declarationKeywords.union(Self.otherModifiers).contains(tokens[index + 1].text)
    }

    /// Skips a parenthesised group starting at `index`.
    private mutating func skipBalanced() {
        var depth = 0
        repeat {
            if tokens[index].text == "(" { depth += 1 }
            if tokens[index].text == ")" { depth -= 1 }
            index += 1
        } while depth > 0 && index < tokens.count
    }

    /// Skips a body of code whose `{` has been read, to just past its `}`.
    private mutating func skipCode() {
        var depth = 1
        while index < tokens.count, depth > 0 {
            if tokens[index].text == "{" { depth += 1 }
            if tokens[index].text == "}" { depth -= 1 }
            index += 1
        }
    }
}
