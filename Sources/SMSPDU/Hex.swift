/// Hexadecimal conversion for PDUs as modems print them.
public enum Hex {
    /// Decodes hex digits (either case; spaces, tabs and line breaks ignored) into bytes.
    ///
    /// ```swift
    /// try Hex.decode("00 11 ab") // [0x00, 0x11, 0xAB]
    /// ```
    public static func decode(_ string: String) throws(PDUError) -> [UInt8] {
        var copy = string
        let result: Result<[UInt8], PDUError> = copy.withUTF8 { decode(utf8: $0) }
        return try result.get()
    }

    /// Digit values by ASCII code: 0-15 for hex digits, 0xFE for skipped whitespace, 0xFF otherwise.
    private static let digitValues: [UInt8] = (0..<256).map { c in
        switch c {
        case 0x30...0x39: return UInt8(c - 0x30)
        case 0x41...0x46: return UInt8(c - 0x37)
        case 0x61...0x66: return UInt8(c - 0x57)
        case 0x20, 0x09, 0x0A, 0x0D: return 0xFE
        default: return 0xFF
        }
    }

    private static func decode(utf8: UnsafeBufferPointer<UInt8>) -> Result<[UInt8], PDUError> {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8 = 0
        var haveHigh = false
        var digits = 0
        let table = digitValues
        for index in 0..<utf8.count {
            let v = table[Int(utf8[index])]
            if v > 0x0F {
                if v == 0xFE { continue }
                return .failure(.invalidHex(offset: index))
            }
            digits += 1
            if haveHigh {
                bytes.append(high << 4 | v)
                haveHigh = false
            } else {
                high = v
                haveHigh = true
            }
        }
        if haveHigh { return .failure(.oddHexLength(digits: digits)) }
        return .success(bytes)
    }

    /// Encodes bytes as hex without separators: uppercase (as modems print PDUs), or lowercase (keys,
    /// fingerprints, digests).
    public static func encode<C: Collection>(_ bytes: C, lowercase: Bool = false) -> String where C.Element == UInt8 {
        let digits: [UInt8] = Array((lowercase ? "0123456789abcdef" : "0123456789ABCDEF").utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
