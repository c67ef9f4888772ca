/// Hexadecimal conversion for PDUs as modems print them.
public enum Hex {
    /// Decodes hex digits (either case; spaces, tabs and line breaks ignored) into bytes.
    ///
    /// ```swift
    /// try Hex.decode("00 11 ab") // [0x00, 0x11, 0xAB]
    /// ```
    public static func decode(_ string: String) throws(PDUError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(string.utf8.count / 2)
        var high: UInt8? = nil
        var digits = 0
        var index = 0
        for c in string.utf8 {
            defer { index += 1 }
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c &- 0x30
            case 0x41...0x46: v = c &- 0x37
            case 0x61...0x66: v = c &- 0x57
            case 0x20, 0x09, 0x0A, 0x0D: continue
            default: throw .invalidHex(offset: index)
            }
            digits += 1
            if let h = high {
                bytes.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        if high != nil { throw .oddHexLength(digits: digits) }
        return bytes
    }

    /// Encodes bytes as uppercase hex without separators.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
