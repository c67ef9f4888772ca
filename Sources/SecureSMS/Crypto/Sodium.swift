import CSodium

/// The thin Swift layer over libsodium that the rest of SecureSMS uses; no other file calls `crypto_*`.
///
/// Every function validates sizes and returns typed errors; nothing here can trap on input.
/// Example: `let pair = try Sodium.keyPair(); let shared = try Sodium.x25519(secret: pair.secret, public: peer)`.
public enum Sodium {
    /// Whether `sodium_init()` succeeded (evaluated once, thread-safely, on first use).
    static let ready: Bool = sodium_init() >= 0

    /// Size of an X25519 public or secret key (32).
    public static let keyBytes = Int(crypto_scalarmult_bytes())
    /// Size of the AEAD authentication tag (16, never truncated).
    public static let tagBytes = Int(crypto_aead_chacha20poly1305_ietf_abytes())
    /// Size of a ChaCha20-Poly1305 IETF nonce (12).
    static let nonceBytes = Int(crypto_aead_chacha20poly1305_ietf_npubbytes())
    /// Size of an XChaCha20-Poly1305 nonce (24).
    static let xNonceBytes = Int(crypto_aead_xchacha20poly1305_ietf_npubbytes())
    /// Size of an AEAD key (32).
    static let aeadKeyBytes = Int(crypto_aead_chacha20poly1305_ietf_keybytes())
    /// Size of a libsodium sealed box's overhead (48), for the benchmark comparison.
    public static let sealedBoxOverhead = Int(crypto_box_sealbytes())

    static func ensureReady() throws(SecureSMSError) {
        guard ready else { throw .cryptoUnavailable }
    }

    /// Fills `count` bytes from the system CSPRNG.
    static func random(_ count: Int) throws(SecureSMSError) -> [UInt8] {
        try ensureReady()
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { buf in
            if let base = buf.baseAddress { randombytes_buf(base, buf.count) }
        }
        return out
    }

    /// A fresh X25519 key pair; with `seed` (32 bytes) the pair is deterministic (test vectors).
    static func keyPair(seed: [UInt8]? = nil) throws(SecureSMSError) -> (public: [UInt8], secret: [UInt8]) {
        try ensureReady()
        var pk = [UInt8](repeating: 0, count: keyBytes)
        var sk = [UInt8](repeating: 0, count: keyBytes)
        let rc: Int32
        if let seed {
            guard seed.count == Int(crypto_box_seedbytes()) else { throw .invalidKey("seed must be 32 bytes") }
            rc = crypto_box_seed_keypair(&pk, &sk, seed)
        } else {
            rc = crypto_box_keypair(&pk, &sk)
        }
        guard rc == 0 else { throw .cryptoUnavailable }
        return (pk, sk)
    }

    /// The X25519 public key of `secret`.
    static func publicKey(secret: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        try ensureReady()
        guard secret.count == keyBytes else { throw .invalidKey("secret key must be 32 bytes") }
        var pk = [UInt8](repeating: 0, count: keyBytes)
        guard crypto_scalarmult_base(&pk, secret) == 0 else { throw .invalidKey("bad secret key") }
        return pk
    }

    /// X25519 Diffie-Hellman; rejects low-order public keys (all-zero shared secret).
    static func x25519(secret: [UInt8], public peer: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        try ensureReady()
        guard secret.count == keyBytes, peer.count == keyBytes else { throw .invalidKey("X25519 keys are 32 bytes") }
        var out = [UInt8](repeating: 0, count: keyBytes)
        guard crypto_scalarmult(&out, secret, peer) == 0 else { throw .weakPublicKey }
        return out
    }

    /// BLAKE2b (`crypto_generichash`) of `message`, optionally keyed (keyed BLAKE2b is a PRF/MAC).
    static func blake2b(_ message: [UInt8], key: [UInt8] = [], outputLength: Int = 32) -> [UInt8] {
        _ = ready
        var out = [UInt8](repeating: 0, count: outputLength)
        let keyLength = min(key.count, Int(crypto_generichash_keybytes_max()))
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                _ = crypto_generichash(&out, outputLength, m.baseAddress, UInt64(m.count),
                                       keyLength == 0 ? nil : k.baseAddress, keyLength)
            }
        }
        return out
    }

    /// Size of an XChaCha20 stream key (32).
    static let streamKeyBytes = Int(crypto_stream_xchacha20_keybytes())
    /// Size of an XChaCha20 stream nonce (24).
    static let streamNonceBytes = Int(crypto_stream_xchacha20_noncebytes())

    /// XChaCha20 (`crypto_stream_xchacha20_xor`, draft-irtf-cfrg-xchacha) keystream XOR `input`, from block 0.
    static func xchacha20(_ input: [UInt8], key: [UInt8], nonce: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        try ensureReady()
        guard key.count == streamKeyBytes, nonce.count == streamNonceBytes else { throw .invalidKey("XChaCha20 key/nonce size") }
        if input.isEmpty { return [] }
        var out = [UInt8](repeating: 0, count: input.count)
        let rc = input.withUnsafeBufferPointer { m -> Int32 in
            guard let base = m.baseAddress else { return -1 }
            return crypto_stream_xchacha20_xor(&out, base, UInt64(m.count), nonce, key)
        }
        guard rc == 0 else { throw .cryptoUnavailable }
        return out
    }

    /// The shape shared by libsodium's `crypto_aead_*_ietf_encrypt` functions.
    private typealias AEADEncrypt = (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt64>?, UnsafePointer<UInt8>?, UInt64,
                                     UnsafePointer<UInt8>?, UInt64, UnsafePointer<UInt8>?, UnsafePointer<UInt8>,
                                     UnsafePointer<UInt8>) -> Int32
    /// The shape shared by libsodium's `crypto_aead_*_ietf_decrypt` functions.
    private typealias AEADDecrypt = (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt64>?, UnsafeMutablePointer<UInt8>?,
                                     UnsafePointer<UInt8>, UInt64, UnsafePointer<UInt8>?, UInt64, UnsafePointer<UInt8>,
                                     UnsafePointer<UInt8>) -> Int32

    /// Runs one AEAD encryption: ciphertext ‖ tag. Sizes are checked by the callers.
    private static func aeadEncrypt(_ encrypt: AEADEncrypt, _ plaintext: [UInt8], key: [UInt8], nonce: [UInt8],
                                    ad: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plaintext.count + tagBytes)
        var outLength: UInt64 = 0
        let rc = plaintext.withUnsafeBufferPointer { p in
            ad.withUnsafeBufferPointer { a in
                encrypt(&out, &outLength, p.baseAddress, UInt64(p.count), a.baseAddress, UInt64(a.count), nil, nonce, key)
            }
        }
        guard rc == 0 else { throw .cryptoUnavailable }
        return out
    }

    /// Runs one AEAD decryption of ciphertext ‖ tag; `.authenticationFailed` on any mismatch.
    private static func aeadDecrypt(_ decrypt: AEADDecrypt, _ box: [UInt8], key: [UInt8], nonce: [UInt8],
                                    ad: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        guard box.count >= tagBytes else { throw .authenticationFailed }
        var out = [UInt8](repeating: 0, count: box.count - tagBytes)
        var outLength: UInt64 = 0
        let rc = ad.withUnsafeBufferPointer { a in
            decrypt(&out, &outLength, nil, box, UInt64(box.count), a.baseAddress, UInt64(a.count), nonce, key)
        }
        guard rc == 0 else { throw .authenticationFailed }
        return Array(out.prefix(Int(outLength)))
    }

    /// ChaCha20-Poly1305 IETF encryption: returns ciphertext ‖ 16-byte tag.
    static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], ad: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        try ensureReady()
        guard key.count == aeadKeyBytes, nonce.count == nonceBytes else { throw .invalidKey("AEAD key/nonce size") }
        return try aeadEncrypt(crypto_aead_chacha20poly1305_ietf_encrypt, plaintext, key: key, nonce: nonce, ad: ad)
    }

    /// ChaCha20-Poly1305 IETF decryption; any tampering, wrong key or wrong AD gives `.authenticationFailed`.
    static func open(_ box: [UInt8], key: [UInt8], nonce: [UInt8], ad: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        try ensureReady()
        guard key.count == aeadKeyBytes, nonce.count == nonceBytes else { throw .invalidKey("AEAD key/nonce size") }
        return try aeadDecrypt(crypto_aead_chacha20poly1305_ietf_decrypt, box, key: key, nonce: nonce, ad: ad)
    }

    /// XChaCha20-Poly1305 with a random 24-byte nonce, for files at rest: returns nonce ‖ ciphertext ‖ tag.
    static func sealRandomNonce(_ plaintext: [UInt8], key: [UInt8], ad: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        let nonce = try random(xNonceBytes)
        guard key.count == aeadKeyBytes else { throw .invalidKey("AEAD key size") }
        return nonce + (try aeadEncrypt(crypto_aead_xchacha20poly1305_ietf_encrypt, plaintext, key: key, nonce: nonce, ad: ad))
    }

    /// Opens what `sealRandomNonce` produced; `.authenticationFailed` on a wrong key or a corrupt file.
    static func openRandomNonce(_ box: [UInt8], key: [UInt8], ad: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        try ensureReady()
        guard key.count == aeadKeyBytes else { throw .invalidKey("AEAD key size") }
        guard box.count >= xNonceBytes + tagBytes else { throw .authenticationFailed }
        return try aeadDecrypt(crypto_aead_xchacha20poly1305_ietf_decrypt, Array(box.dropFirst(xNonceBytes)), key: key,
                               nonce: Array(box.prefix(xNonceBytes)), ad: ad)
    }

    /// Argon2id cost parameters; `interactive` for key files, `minimum` for tests.
    public struct PasswordHashCost: Sendable, Codable, Equatable {
        /// Number of passes (`opslimit`).
        public var ops: UInt64
        /// Memory in bytes (`memlimit`).
        public var memory: UInt64
        /// Creates a cost; libsodium rejects values below its minimum with `.passwordHashingFailed`.
        public init(ops: UInt64, memory: UInt64) {
            self.ops = ops
            self.memory = memory
        }
        /// libsodium's interactive limits (2 passes, 64 MiB).
        public static var interactive: PasswordHashCost {
            PasswordHashCost(ops: UInt64(crypto_pwhash_opslimit_interactive()),
                             memory: UInt64(crypto_pwhash_memlimit_interactive()))
        }
        /// libsodium's moderate limits (3 passes, 256 MiB): the default for long-term identity keys.
        public static var moderate: PasswordHashCost {
            PasswordHashCost(ops: UInt64(crypto_pwhash_opslimit_moderate()),
                             memory: UInt64(crypto_pwhash_memlimit_moderate()))
        }
        /// libsodium's minimum limits (fast, weak); only for tests.
        public static var minimum: PasswordHashCost {
            PasswordHashCost(ops: UInt64(crypto_pwhash_opslimit_min()), memory: UInt64(crypto_pwhash_memlimit_min()))
        }
    }

    /// Size of an Argon2id salt (16).
    static let saltBytes = Int(crypto_pwhash_saltbytes())

    /// Derives a 32-byte key from `passphrase` with Argon2id13.
    static func argon2id(passphrase: [UInt8], salt: [UInt8], cost: PasswordHashCost) throws(SecureSMSError) -> [UInt8] {
        try ensureReady()
        guard salt.count == saltBytes else { throw .corruptKeyFile("bad salt length") }
        guard cost.ops >= UInt64(crypto_pwhash_opslimit_min()), cost.memory >= UInt64(crypto_pwhash_memlimit_min()) else {
            throw .corruptKeyFile("Argon2id cost \(cost.ops) passes, \(cost.memory) bytes is below libsodium's minimum; the file is damaged or forged")
        }
        guard cost.ops <= 1 << 32, cost.memory <= 1 << 40 else {
            throw .corruptKeyFile("Argon2id cost \(cost.ops) passes, \(cost.memory) bytes is beyond any key file smskit writes; the file is damaged or forged")
        }
        var key = [UInt8](repeating: 0, count: aeadKeyBytes)
        let chars = passphrase.map { CChar(bitPattern: $0) }
        let rc = crypto_pwhash(&key, UInt64(key.count), chars, UInt64(chars.count), salt,
                               cost.ops, Int(cost.memory), crypto_pwhash_alg_argon2id13())
        guard rc == 0 else { throw .passwordHashingFailed }
        return key
    }

    /// Constant-time equality (`sodium_memcmp`); false when lengths differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                guard let xb = x.baseAddress, let yb = y.baseAddress else { return false }
                return sodium_memcmp(xb, yb, x.count) == 0
            }
        }
    }

    /// Overwrites `bytes` with zeros (`sodium_memzero`).
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { b in
            if let base = b.baseAddress { sodium_memzero(base, b.count) }
        }
    }
}
