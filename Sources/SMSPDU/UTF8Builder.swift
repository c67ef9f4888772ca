/// Builds a `String` from Unicode scalar values by writing UTF-8 straight into the string's
/// storage: the decoders' hot path, free of per-character `String` appends.
struct UTF8Builder {
    private(set) var bytes: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { bytes = buffer }

    /// Appends one scalar value (surrogates and values above 0x10FFFF become U+FFFD).
    @inline(__always)
    mutating func append(_ value: UInt32) {
        switch value {
        case 0..<0x80:
            bytes[count] = UInt8(value)
            count += 1
        case 0x80..<0x800:
            bytes[count] = UInt8(0xC0 | value >> 6)
            bytes[count + 1] = UInt8(0x80 | value & 0x3F)
            count += 2
        case 0xD800..<0xE000, 0x11_0000...:
            append(0xFFFD)
        case 0x800..<0x1_0000:
            bytes[count] = UInt8(0xE0 | value >> 12)
            bytes[count + 1] = UInt8(0x80 | (value >> 6) & 0x3F)
            bytes[count + 2] = UInt8(0x80 | value & 0x3F)
            count += 3
        default:
            bytes[count] = UInt8(0xF0 | value >> 18)
            bytes[count + 1] = UInt8(0x80 | (value >> 12) & 0x3F)
            bytes[count + 2] = UInt8(0x80 | (value >> 6) & 0x3F)
            bytes[count + 3] = UInt8(0x80 | value & 0x3F)
            count += 4
        }
    }

    /// Makes a string of at most `capacity` UTF-8 octets filled by `body`.
    static func string(capacity: Int, _ body: (inout UTF8Builder) -> Void) -> String {
        String(unsafeUninitializedCapacity: max(capacity, 1)) { buffer in
            var builder = UTF8Builder(buffer)
            body(&builder)
            return builder.count
        }
    }
}
