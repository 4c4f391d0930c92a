import Foundation

/// Text made safe for an HTML page, and binary data made into the text a page embeds.
enum HTMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped, for element content and attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// `json` made safe inside `<script type="application/json">`: a `<` is written `\u003c`
    /// (the same string to a JSON reader), so no `</script>` can end the element early.
    static func scriptSafe(json: String) -> String {
        json.replacingOccurrences(of: "<", with: "\\u003c")
    }

    /// The bytes as base64.
    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// The values as Float32 little-endian bytes in base64, the layout the page's script
    /// reads with a `DataView` whatever the machine's byte order.
    static func base64(floats values: some Collection<Float>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for value in values {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes += $0 }
        }
        return base64(bytes)
    }

    /// A PNG file's bytes as a `data:` URI, which the page's CSP allows for images.
    static func pngURI(_ bytes: [UInt8]) -> String {
        "data:image/png;base64," + base64(bytes)
    }

    /// A number for a table: up to 6 significant digits (`%g`).
    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.6g", value) : "–"
    }
}
