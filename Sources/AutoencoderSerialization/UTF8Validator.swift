/// Checks that bytes are well-formed UTF-8.
///
/// Why: both readers must reject headers that are not text before parsing them, and the
/// standard library's `String(validating:as:)` is not available on every platform this
/// package supports (it needs macOS 15).
enum UTF8Validator {
    /// Whether `bytes` is well-formed UTF-8 (no overlong forms, surrogates or truncation).
    static func isValid<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var iterator = bytes.makeIterator()
        var decoder = Unicode.UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
