// Shared by the `codes` and `images` harnesses (run.sh compiles it with both): the check
// that a refused array file gets one sentence naming it.

/// What `read` returns, or nil after checking that its refusal is one `ArrayFileError`
/// sentence naming the fuzzer's input.
func accepted<Value>(_ read: () throws -> Value) -> Value? {
    do {
        return try read()
    } catch let error as ArrayFileError {
        let message = error.description
        precondition(message.contains("fuzz-input") && message.hasSuffix(".") && !message.contains("\n"),
                     "not one sentence naming the file: \(message)")
        return nil
    } catch {
        preconditionFailure("the reader threw \(type(of: error)), not an ArrayFileError: \(error)")
    }
}
