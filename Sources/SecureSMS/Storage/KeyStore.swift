/// Identity key files: the secret key encrypted under a passphrase (Argon2id → XChaCha20-Poly1305),
/// mode 0600, written atomically.
///
/// Layout (108 + 32 bytes): `"SSK1" ‖ ops(8) ‖ mem(8) ‖ salt(16) ‖ publicKey(32) ‖ nonce(24) ‖ ciphertext(32+16)`,
/// the first 68 bytes authenticated as AD (so the public key shown without a passphrase is checked on unlock).
/// Example: `try KeyStore.save(id, to: "bank.key", passphrase: "…")`; `let id = try KeyStore.load("bank.key", passphrase: "…")`.
public enum KeyStore {
    static let magic = Array("SSK1".utf8)
    static let headerBytes = 4 + 8 + 8 + 16 + 32
    /// The most expensive Argon2id parameters a key file may ask for (libsodium's "sensitive" level is 4 passes, 1 GiB).
    static let maximumCost = Sodium.PasswordHashCost(ops: 16, memory: 2 << 30)

    /// Encrypts and writes `identity` to `path`. The passphrase must pass `PassphrasePolicy`; the default
    /// cost is libsodium's moderate level (3 passes, 256 MiB), the least a long-term key should get
    /// (`.minimum` exists for tests only).
    public static func save(_ identity: Identity, to path: String, passphrase: String,
                            cost: Sodium.PasswordHashCost = .moderate) throws(SecureSMSError) {
        try PassphrasePolicy.check(passphrase)
        let salt = try Sodium.random(Sodium.saltBytes)
        var key = try Sodium.argon2id(passphrase: Array(passphrase.utf8), salt: salt, cost: cost)
        defer { Sodium.wipe(&key) }
        let header = magic + uint64(cost.ops) + uint64(cost.memory) + salt + identity.publicKey.bytes
        let sealed = try identity.withSecret { s throws(SecureSMSError) in try Sodium.sealRandomNonce(s, key: key, ad: header) }
        try AtomicFile.write(header + sealed, to: path)
    }

    /// Reads the public key without the passphrase (for `keys show`).
    public static func publicKey(at path: String) throws(SecureSMSError) -> PublicKey {
        try parse(read(path)).publicKey
    }

    /// Decrypts the identity. Errors: `.wrongPassphrase` (or modified file), `.corruptKeyFile`, `.io`.
    public static func load(_ path: String, passphrase: String) throws(SecureSMSError) -> Identity {
        guard !passphrase.isEmpty else { throw .weakPassphrase("the passphrase is empty") }
        let file = try parse(read(path))
        var key = try Sodium.argon2id(passphrase: Array(passphrase.utf8), salt: file.salt, cost: file.cost)
        defer { Sodium.wipe(&key) }
        let secret: [UInt8]
        do {
            secret = try Sodium.openRandomNonce(file.sealed, key: key, ad: file.header)
        } catch {
            throw .wrongPassphrase
        }
        let identity = try Identity(secretKey: secret)
        guard identity.publicKey == file.publicKey else { throw .corruptKeyFile("public key does not match secret key") }
        return identity
    }

    private struct Parsed {
        var header: [UInt8]
        var cost: Sodium.PasswordHashCost
        var salt: [UInt8]
        var publicKey: PublicKey
        var sealed: [UInt8]
    }

    private static func read(_ path: String) throws(SecureSMSError) -> [UInt8] {
        guard let bytes = try AtomicFile.read(path) else { throw .io("key file \(path) does not exist") }
        return bytes
    }

    private static func parse(_ bytes: [UInt8]) throws(SecureSMSError) -> Parsed {
        guard bytes.count == headerBytes + 24 + 32 + 16 else {
            throw .corruptKeyFile("expected \(headerBytes + 72) bytes, found \(bytes.count)")
        }
        guard Array(bytes.prefix(4)) == magic else { throw .corruptKeyFile("not a SecureSMS key file (bad magic)") }
        var reader = ByteReader(bytes, offset: 4)
        let ops = try reader.take(8, field: "ops")
        let mem = try reader.take(8, field: "mem")
        let salt = try reader.take(16, field: "salt")
        let pk = try PublicKey(bytes: reader.take(32, field: "publicKey"))
        let cost = Sodium.PasswordHashCost(ops: value(ops), memory: value(mem))
        // Bound the work a (possibly hostile) file can demand, so loading it cannot hang or exhaust memory.
        guard cost.ops <= maximumCost.ops, cost.memory <= maximumCost.memory else {
            throw .corruptKeyFile("Argon2id cost \(cost.ops) passes / \(cost.memory) bytes exceeds the allowed maximum")
        }
        return Parsed(header: Array(bytes.prefix(headerBytes)), cost: cost, salt: salt, publicKey: pk, sealed: reader.rest())
    }

    private static func uint64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }
    private static func value(_ b: [UInt8]) -> UInt64 { b.reduce(0) { $0 << 8 | UInt64($1) } }
}
