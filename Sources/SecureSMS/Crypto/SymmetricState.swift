/// Noise-style symmetric state for the handshake: a chaining key `ck`, a transcript hash `h` and the
/// current AEAD key `k`, built only from BLAKE2b and the v2 SIV AEAD (`SIV`, docs/protocol.md §2.1).
///
/// `mixKey` is the crypto_kx construction: BLAKE2b-512 keyed with `ck` over the DH output, split into
/// the new `ck` (first 32 bytes) and `k` (last 32). Every `k` should encrypt once; if a rollback makes it
/// encrypt twice, SIV reveals only whether the two plaintexts were equal.
struct SymmetricState: Codable, Sendable, Equatable {
    private(set) var h: [UInt8]
    private(set) var ck: [UInt8]
    private var k: [UInt8] = []

    /// Starts from the protocol name (h = ck = BLAKE2b-256(name)).
    init(protocolName: String) {
        h = Sodium.blake2b(Array(protocolName.utf8))
        ck = h
    }

    /// h = BLAKE2b-256(h ‖ data).
    mutating func mixHash(_ data: [UInt8]) {
        h = Sodium.blake2b(h + data)
    }

    /// (ck, k) = BLAKE2b-512(key: ck, ikm) split in halves.
    mutating func mixKey(_ ikm: [UInt8]) {
        let out = Sodium.blake2b(ikm, key: ck, outputLength: 64)
        ck = Array(out.prefix(32))
        k = Array(out.suffix(32))
    }

    /// Encrypts with the current `k` (SIV) and AD = h, then mixes the ciphertext into h.
    mutating func encryptAndHash(_ plaintext: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        let ct = try SIV.seal(plaintext, key: k, ad: h)
        mixHash(ct)
        return ct
    }

    /// Decrypts with the current `k` and AD = h, then mixes the ciphertext into h.
    mutating func decryptAndHash(_ ciphertext: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        let pt = try SIV.open(ciphertext, key: k, ad: h)
        mixHash(ciphertext)
        return pt
    }

    /// The two directional chain roots (initiator→responder, responder→initiator).
    func split() -> (initiatorToResponder: [UInt8], responderToInitiator: [UInt8]) {
        let out = Sodium.blake2b(Array("split".utf8), key: ck, outputLength: 64)
        return (Array(out.prefix(32)), Array(out.suffix(32)))
    }
}
