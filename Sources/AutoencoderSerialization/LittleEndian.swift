/// Conversions between little-endian bytes and numbers, independent of the host's byte order.
///
/// Why: safetensors and `.npy` (with '<' descriptors) store numbers little-endian, and the
/// readers take unaligned slices of a byte array, so every load must be unaligned and
/// byte-order explicit.
enum LittleEndian {
    /// The unsigned integer stored little-endian in the `size` bytes at `offset` (size ≤ 8).
    static func unsigned(_ bytes: ArraySlice<UInt8>, at offset: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in stride(from: size - 1, through: 0, by: -1) {
            value = (value << 8) | UInt64(bytes[bytes.startIndex + offset + index])
        }
        return value
    }

    /// The little-endian `Float` values in `bytes` (whose count is a multiple of 4).
    static func floats(_ bytes: ArraySlice<UInt8>) -> [Float] {
        decode(bytes, width: 4) { raw, offset in
            Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        }
    }

    /// The little-endian `Double` values in `bytes`, each rounded to the nearest `Float`.
    static func floatsFromDoubles(_ bytes: ArraySlice<UInt8>) -> [Float] {
        decode(bytes, width: 8) { raw, offset in
            Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))))
        }
    }

    /// The little-endian IEEE half-precision values in `bytes`, widened exactly to `Float`.
    static func floatsFromHalves(_ bytes: ArraySlice<UInt8>) -> [Float] {
        decode(bytes, width: 2) { raw, offset in
            floatFromHalfBits(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
        }
    }

    /// The little-endian bfloat16 values in `bytes`, widened exactly to `Float`.
    static func floatsFromBFloat16s(_ bytes: ArraySlice<UInt8>) -> [Float] {
        decode(bytes, width: 2) { raw, offset in
            let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            return Float(bitPattern: UInt32(bits) << 16)
        }
    }

    /// Appends the little-endian bytes of every value of `values` to `bytes`.
    static func append(_ values: [Float], to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for value in values {
            let bits = value.bitPattern
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
        }
    }

    /// Appends the `size` low bytes of `value`, least significant first.
    static func append(_ value: UInt64, size: Int, to bytes: inout [UInt8]) {
        for index in 0..<size {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }

    /// Widens IEEE 754 binary16 bits to a `Float`, keeping zeros, subnormals, infinities and NaNs.
    static func floatFromHalfBits(_ bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0 {
            // Zero or subnormal: mantissa × 2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// Decodes `bytes.count / width` values with `load`, which reads one value at a byte offset.
    private static func decode(
        _ bytes: ArraySlice<UInt8>, width: Int,
        _ load: (UnsafeRawBufferPointer, Int) -> Float
    ) -> [Float] {
        let count = bytes.count / width
        return bytes.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count {
                    buffer[index] = load(raw, index * width)
                }
                initialized = count
            }
        }
    }
}
