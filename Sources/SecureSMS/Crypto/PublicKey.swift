import SMSPDU
/// A party's long-term X25519 public key: its identity (never the phone number).
///
/// Example: `let key = try PublicKey(hex: "9f…"); print(key.fingerprint)  // "K7QX-3M2A-…"`.
public struct PublicKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 32 raw key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw bytes; throws `.invalidKey` for any other length.
    public init(bytes: [UInt8]) throws(SecureSMSError) {
        guard bytes.count == Sodium.keyBytes else { throw .invalidKey("public key must be 32 bytes, got \(bytes.count)") }
        self.bytes = bytes
    }

    /// Parses 64 hexadecimal digits (case-insensitive).
    public init(hex: String) throws(SecureSMSError) {
        guard hex.utf8.count == 64, let raw = try? Hex.decode(hex) else { throw .invalidKey("public key must be 64 hex digits") }
        try self.init(bytes: raw)
    }

    /// Lower-case hexadecimal form (64 digits), as `smskit keys show` prints it.
    public var hex: String { Hex.encode(bytes, lowercase: true) }

    /// BLAKE2b-256("SecureSMS fingerprint" ‖ key): the source of the key id and the fingerprint.
    var digest: [UInt8] { Sodium.blake2b(Array("SecureSMS fingerprint".utf8) + bytes) }

    /// The 3-byte key id carried in first-contact frames (digest prefix).
    public var keyID: [UInt8] { Array(digest.prefix(3)) }

    /// A short fingerprint to compare aloud: 100 bits of the digest as five groups of four base32 letters.
    public var fingerprint: String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")  // no I/O/0/1: easy to read aloud
        let d = digest
        var chars: [Character] = []
        var acc: UInt32 = 0
        var bits = 0
        var index = 0
        while chars.count < 20, index < d.count {
            acc = (acc << 8) | UInt32(d[index])
            index += 1
            bits += 8
            while bits >= 5, chars.count < 20 {
                bits -= 5
                chars.append(alphabet[Int((acc >> UInt32(bits)) & 0x1F)])
            }
        }
        return stride(from: 0, to: chars.count, by: 4).map { String(chars[$0..<min($0 + 4, chars.count)]) }
            .joined(separator: "-")
    }

    public var description: String { fingerprint }
}
