import Foundation

/// Sortable ids (`msg_01J…`, `in_01J…`): a 48-bit millisecond time and 80 random bits in Crockford
/// base32 (the ULID layout), so ids sort by creation time and never collide across hosts.
public enum GatewayID {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A new id with `prefix` (`"msg"`, `"in"`, `"tok"`).
    public static func make(_ prefix: String, at date: Date = Date()) -> String {
        var rng = SystemRandomNumberGenerator()
        let ms = UInt64(max(0, date.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        let hi = rng.next() & 0xFFFF            // 16 random bits
        let lo = rng.next()                     // 64 random bits
        // 128 bits: ms(48) | hi(16) | lo(64) → 26 base32 chars (130 bits, top 2 zero).
        var chars = [UInt8](repeating: 0, count: 26)
        let top = (ms << 16) | hi               // 64 bits
        for i in 0..<26 {
            var v: UInt64 = 0
            for b in 0..<5 {
                let bit = 129 - 5 * i - b      // absolute bit index, 129…0
                let value: UInt64
                if bit >= 128 { value = 0 } else if bit >= 64 { value = (top >> UInt64(bit - 64)) & 1 } else { value = (lo >> UInt64(bit)) & 1 }
                v = (v << 1) | value
            }
            chars[i] = alphabet[Int(v)]
        }
        return prefix + "_" + String(decoding: chars, as: UTF8.self)
    }
}
