/// The deterministic AEAD of SecureSMS v2: Rogaway–Shrimpton SIV (EUROCRYPT 2006, "Deterministic
/// Authenticated-Encryption", generic composition SIV[F*, E]) instantiated with libsodium 1.0.18 primitives
/// only, at a 16-byte tag (docs/protocol.md §2.1):
///
/// ```
/// (K1 ‖ K2)  = BLAKE2b-512(key = k, "SecureSMS-v2 SIV")             # k: the 32-byte message key
/// T          = F*(K1, AD, P) = BLAKE2b-128(key = K1, AD ‖ P ‖ le64(|AD|) ‖ le64(|P|))
/// C          = E(K2, T, P)   = XChaCha20(key = K2, nonce = T ‖ 0^64, P)
/// output     = T ‖ C
/// ```
///
/// Opening recomputes `P = E(K2, T, C)`, then `T'` and compares `T' = T` with `sodium_memcmp`; on a
/// mismatch `P` is wiped and nothing is returned. With a key and AD used twice (a rolled-back or shared
/// store), the two outputs reveal only whether the two plaintexts are equal: the IV is a PRF of the
/// plaintext, so different plaintexts get independent XChaCha20 keystreams.
///
/// Example: `let box = try SIV.seal([1, 2, 3], key: k, ad: header); let p = try SIV.open(box, key: k, ad: header)`.
enum SIV {
    /// Tag (= synthetic IV) size: 16 bytes, the same as Poly1305's.
    static let tagBytes = 16
    /// Size of the message key `k` that the two SIV keys are derived from.
    static let keyBytes = 32
    private static let label = Array("SecureSMS-v2 SIV".utf8)

    /// The PRF key `K1` and the cipher key `K2` of message key `k`.
    static func subkeys(_ key: [UInt8]) throws(SecureSMSError) -> (prf: [UInt8], cipher: [UInt8]) {
        guard key.count == keyBytes else { throw .invalidKey("SIV key must be 32 bytes") }
        let both = Sodium.blake2b(label, key: key, outputLength: 64)
        return (Array(both.prefix(32)), Array(both.suffix(32)))
    }

    /// F*: BLAKE2b-128 keyed with `K1` over the injective encoding `AD ‖ P ‖ le64(|AD|) ‖ le64(|P|)`.
    static func tag(prf: [UInt8], ad: [UInt8], plaintext: [UInt8]) -> [UInt8] {
        Sodium.blake2b(ad + plaintext + le64(ad.count) + le64(plaintext.count), key: prf, outputLength: tagBytes)
    }

    /// E: XChaCha20 under `K2` with the 24-byte nonce `IV ‖ 0^64` (an IV-based scheme with a 128-bit IV).
    static func cipher(_ input: [UInt8], key: [UInt8], iv: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        try Sodium.xchacha20(input, key: key, nonce: iv + [UInt8](repeating: 0, count: 8))
    }

    /// SIV encryption under the 32-byte message key `key`: returns `T ‖ C` (16 + |P| bytes).
    static func seal(_ plaintext: [UInt8], key: [UInt8], ad: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        var keys = try subkeys(key)
        defer { Sodium.wipe(&keys.prf); Sodium.wipe(&keys.cipher) }
        let t = tag(prf: keys.prf, ad: ad, plaintext: plaintext)
        return t + (try cipher(plaintext, key: keys.cipher, iv: t))
    }

    /// SIV decryption of `T ‖ C`; `.authenticationFailed` for a wrong key, AD or any modified byte.
    static func open(_ box: [UInt8], key: [UInt8], ad: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        guard box.count >= tagBytes else { throw .authenticationFailed }
        var keys = try subkeys(key)
        defer { Sodium.wipe(&keys.prf); Sodium.wipe(&keys.cipher) }
        let t = Array(box.prefix(tagBytes))
        var plaintext = try cipher(Array(box.dropFirst(tagBytes)), key: keys.cipher, iv: t)
        let expected = tag(prf: keys.prf, ad: ad, plaintext: plaintext)
        guard Sodium.constantTimeEqual(expected, t) else {
            Sodium.wipe(&plaintext)
            throw .authenticationFailed
        }
        return plaintext
    }

    private static func le64(_ n: Int) -> [UInt8] {
        let v = UInt64(n)
        return (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
    }
}
