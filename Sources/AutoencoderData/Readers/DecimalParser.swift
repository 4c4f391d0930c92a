#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses a decimal number straight from a text file's bytes into the `Float` that Swift's
/// `Float(String)` gives for the same text, without making a `String`.
///
/// Accepted: an optional sign, digits with an optional point (`1`, `-2.5`, `.5`, `5.`) and an
/// optional exponent (`1e-3`, `2E+4`). Not accepted: `nan`, `inf`, hexadecimal, digit
/// separators, empty text. Most table values (up to 7 significant digits, exponent within
/// ±10) are computed exactly in one multiplication or division, which rounds correctly
/// because both operands are exact floats; the rest go to the C library's correctly rounded
/// `strtof` after the syntax has been checked here.
enum DecimalParser {
    /// 10^`exponent` for 0...10, the powers of ten that are exact as `Float`s (5^10 < 2^24);
    /// a switch rather than a static array, which would be checked for initialisation on
    /// every call.
    @inline(__always)
    private static func power(_ exponent: Int) -> Float {
        switch exponent {
        case 0: 1
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        default: 1e10
        }
    }

    /// Parses the number at the start of `start..<end`, returning it and the first byte
    /// after it, or `nil` when no number starts there. The caller checks what follows.
    @inline(__always)
    static func parse(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> (value: Float, next: UnsafePointer<UInt8>)? {
        var p = start
        var negative = false
        if p < end && (p.pointee == UInt8(ascii: "-") || p.pointee == UInt8(ascii: "+")) {
            negative = p.pointee == UInt8(ascii: "-")
            p += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0       // digits kept in `mantissa`, leading zeros left out
        var dropped = false       // a non-zero digit did not fit in `mantissa`
        var exponent = 0
        var digits = 0
        while p < end, case let d = p.pointee &- 48, d < 10 {
            if mantissa == 0 && d == 0 { } else if significant < 19 { mantissa = mantissa &* 10 &+ UInt64(d); significant += 1 }
            else { exponent += 1; if d != 0 { dropped = true } }
            digits += 1
            p += 1
        }
        if p < end && p.pointee == UInt8(ascii: ".") {
            p += 1
            while p < end, case let d = p.pointee &- 48, d < 10 {
                if mantissa == 0 && d == 0 { exponent -= 1 } else if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d); significant += 1; exponent -= 1
                } else if d != 0 { dropped = true }
                digits += 1
                p += 1
            }
        }
        guard digits > 0 else { return nil }
        if p < end && (p.pointee | 0x20) == UInt8(ascii: "e") {
            var q = p + 1
            var negativeExponent = false
            if q < end && (q.pointee == UInt8(ascii: "-") || q.pointee == UInt8(ascii: "+")) {
                negativeExponent = q.pointee == UInt8(ascii: "-")
                q += 1
            }
            var value = 0, exponentDigits = 0
            while q < end, case let d = q.pointee &- 48, d < 10 {
                if value < 100_000 { value = value * 10 + Int(d) }
                exponentDigits += 1
                q += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += negativeExponent ? -value : value
            p = q
        }
        if mantissa == 0 { return (negative ? -0.0 : 0, p) }
        if !dropped && mantissa <= 1 << 24 && exponent >= -10 && exponent <= 10 {
            let m = Float(mantissa)
            let value = exponent == 0 ? m : exponent > 0 ? m * power(exponent) : m / power(-exponent)
            return (negative ? -value : value, p)
        }
        return (slowParse(start, p), p)
    }

    /// `strtof` of the (already checked) text `start..<end`.
    private static func slowParse(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Float {
        let count = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: start, byteCount: count)
            buffer[count] = 0
            return strtof(buffer.baseAddress!, nil)
        }
    }
}
