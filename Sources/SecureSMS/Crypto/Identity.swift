/// The private half of a long-term X25519 identity, wherever it lives: in this process (`SoftwareKey`),
/// or behind a platform key store (iOS Keychain / Secure Enclave wrapper, Android Keystore, a bank's HSM).
/// SecureSMS needs exactly one operation from it: X25519 with a peer's public key.
///
/// Example (an HSM-backed bank key): `struct HSMKey: IdentityKey { let publicKey: PublicKey; func agree(with peer: [UInt8]) throws(SecureSMSError) -> [UInt8] { … C_DeriveKey … } }`
/// then `let bank = Identity(key: HSMKey(...))`.
public protocol IdentityKey: Sendable {
    /// The public key.
    var publicKey: PublicKey { get }
    /// X25519(secret, `peer`); must reject low-order points (`weakPublicKey`).
    func agree(with peer: [UInt8]) throws(SecureSMSError) -> [UInt8]
}

/// An identity key held in this process, in `sodium_malloc` memory (`SecretBytes`), zeroed when released.
public struct SoftwareKey: IdentityKey {
    public let publicKey: PublicKey
    let secret: SecretBytes

    /// Wraps a 32-byte secret scalar (derives and checks the public key; wipes the caller's array copy).
    public init(secretKey: [UInt8]) throws(SecureSMSError) {
        publicKey = try PublicKey(bytes: Sodium.publicKey(secret: secretKey))
        secret = SecretBytes(secretKey)
    }

    public func agree(with peer: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        try secret.withBytes { s throws(SecureSMSError) in try Sodium.x25519(secret: s, public: peer) }
    }
}

/// A long-term X25519 key pair: who this endpoint is. The secret never leaves its `IdentityKey` unencrypted
/// (see `KeyStore` for software keys), and `description` never prints it.
///
/// Example: `let me = try Identity.generate(); print(me.publicKey.fingerprint)`.
public struct Identity: Sendable, CustomStringConvertible {
    /// The public half, shared with peers.
    public var publicKey: PublicKey { key.publicKey }
    /// Where the secret lives.
    public let key: any IdentityKey

    /// An identity over any key store.
    public init(key: any IdentityKey) {
        self.key = key
    }

    /// Rebuilds a software identity from its secret key (derives and checks the public key).
    public init(secretKey: [UInt8]) throws(SecureSMSError) {
        key = try SoftwareKey(secretKey: secretKey)
    }

    /// A fresh random identity; with `seed` (32 bytes) a deterministic one, for test vectors only.
    public static func generate(seed: [UInt8]? = nil) throws(SecureSMSError) -> Identity {
        let pair = try Sodium.keyPair(seed: seed)
        return try Identity(secretKey: pair.secret)
    }

    /// X25519(our secret, `peer`).
    func agree(with peer: [UInt8]) throws(SecureSMSError) -> [UInt8] { try key.agree(with: peer) }

    /// Runs `body` with the raw secret of a software key (key files, the state-file wrap key).
    /// Throws `invalidKey` for keys that never leave their store (HSM, Keychain).
    func withSecret<T>(_ body: ([UInt8]) throws(SecureSMSError) -> T) throws(SecureSMSError) -> T {
        guard let software = key as? SoftwareKey else { throw .invalidKey("this identity's secret is not exportable") }
        return try software.secret.withBytes(body)
    }

    public var description: String { "Identity(\(publicKey.fingerprint))" }
}
