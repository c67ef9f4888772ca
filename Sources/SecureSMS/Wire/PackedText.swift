/// GSM 7-bit default alphabet text packed into septets (3GPP TS 23.038), used *inside* the ciphertext
/// so that 125+ characters fit in the 113-byte payload of one SMS.
///
/// Padding rule: when the septet count leaves 7 spare bits, the last septet is a CR that the decoder
/// strips; texts ending in CR are therefore sent as UTF-8 instead (`pack` returns nil).
/// Example: `PackedText.pack("Balance: 42.00")` → 13 bytes instead of 14.
public enum PackedText {
    private static let basic: [Character] = Array(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1B}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
    private static let extensionTable: [Character: UInt8] = [
        "\u{0C}": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D, "]": 0x3E, "|": 0x40, "€": 0x65,
    ]
    private static let basicIndex: [Character: UInt8] = {
        var map: [Character: UInt8] = [:]
        for (i, c) in basic.enumerated() where i != 0x1B { map[c] = UInt8(i) }
        return map
    }()
    private static let extensionReverse: [UInt8: Character] = {
        var map: [UInt8: Character] = [:]
        for (c, v) in extensionTable { map[v] = c }
        return map
    }()

    /// The septets of `text`, or nil if a character is outside the GSM 7-bit alphabet (with extension).
    public static func septets(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        for c in text {
            if let v = basicIndex[c] {
                out.append(v)
            } else if let v = extensionTable[c] {
                out += [0x1B, v]
            } else {
                return nil
            }
        }
        return out
    }

    /// Packs `text` into bytes, or nil when it is not GSM-7 text (or ends with CR; see type docs).
    public static func pack(_ text: String) -> [UInt8]? {
        guard !text.hasSuffix("\r"), var septets = septets(text) else { return nil }
        if septets.count % 8 == 7 { septets.append(0x0D) }
        var out = [UInt8](repeating: 0, count: (septets.count * 7 + 7) / 8)
        for (i, s) in septets.enumerated() {
            let bit = i * 7
            let byte = bit / 8
            let shift = bit % 8
            out[byte] |= (s & 0x7F) << shift
            if shift > 1, byte + 1 < out.count { out[byte + 1] |= (s & 0x7F) >> (8 - shift) }
        }
        return out
    }

    /// Unpacks bytes produced by `pack`. Total: unknown escape codes decode as a space.
    public static func unpack(_ bytes: [UInt8]) -> String {
        let count = bytes.count * 8 / 7
        var septets: [UInt8] = []
        septets.reserveCapacity(count)
        for i in 0..<count {
            let bit = i * 7
            let byte = bit / 8
            let shift = bit % 8
            var v = UInt16(bytes[byte]) >> shift
            if byte + 1 < bytes.count { v |= UInt16(bytes[byte + 1]) << (8 - shift) }
            septets.append(UInt8(v & 0x7F))
        }
        if count % 8 == 0, septets.last == 0x0D { septets.removeLast() }
        var text = ""
        var escape = false
        for s in septets {
            if escape {
                text.append(extensionReverse[s] ?? " ")
                escape = false
            } else if s == 0x1B {
                escape = true
            } else {
                text.append(basic[Int(s)])
            }
        }
        return text
    }
}
