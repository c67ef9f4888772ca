/// A long-term X25519 key pair: who this endpoint is. The secret never leaves the process unencrypted
/// (see `KeyStore`), and `description` never prints it.
///
/// Example: `let me = try Identity.generate(); print(me.publicKey.fingerprint)`.
public struct Identity: Sendable, CustomStringConvertible {
    /// The public half, shared with peers.
    public let publicKey: PublicKey
    /// The 32-byte secret scalar.
    let secretKey: [UInt8]

    /// Rebuilds an identity from its secret key (derives and checks the public key).
    public init(secretKey: [UInt8]) throws(SecureSMSError) {
        self.secretKey = secretKey
        self.publicKey = try PublicKey(bytes: Sodium.publicKey(secret: secretKey))
    }

    /// A fresh random identity; with `seed` (32 bytes) a deterministic one, for test vectors only.
    public static func generate(seed: [UInt8]? = nil) throws(SecureSMSError) -> Identity {
        let pair = try Sodium.keyPair(seed: seed)
        return try Identity(secretKey: pair.secret)
    }

    /// The raw secret, for `KeyStore` only.
    var secretBytes: [UInt8] { secretKey }

    public var description: String { "Identity(\(publicKey.fingerprint))" }
}
