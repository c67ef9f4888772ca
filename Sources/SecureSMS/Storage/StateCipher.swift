import Foundation

/// The key that encrypts an identity's stored state at rest: 32 random bytes, kept only wrapped
/// (XChaCha20-Poly1305) under `BLAKE2b(key: identity secret, "SecureSMS-v2 state wrap")`. It is separate
/// from the identity key, so a store can be re-wrapped without re-encrypting, and it lives in
/// `sodium_malloc` memory.
///
/// Stores seal every peer's state with it (`seal(_:)`), bound to the peer's key by the additional data,
/// so a row cannot be moved to another peer unnoticed.
///
/// Example: `let cipher = try StateCipher(identity: bank, wrapped: storedWrap); save(cipher.wrapped)`.
public final class StateCipher: Sendable {
    /// The wrapped key, to store beside the state (72 bytes: nonce, key, tag).
    public let wrapped: [UInt8]
    private let stateKey: SecretBytes

    /// Size of `wrapped`.
    public static let wrappedBytes = 24 + 32 + 16
    static let wrapAD = Array("SSS2".utf8)

    /// Unwraps `wrapped` with `identity` (or makes a new random key when `wrapped` is nil).
    /// Fails with `corruptKeyFile` when the wrapped key belongs to another identity or was modified.
    public init(identity: Identity, wrapped: [UInt8]?, what: String = "the secure state") throws(SecureSMSError) {
        let wrapKey = SecretBytes(try identity.withSecret { Sodium.blake2b(Array("SecureSMS-v2 state wrap".utf8), key: $0) })
        if let wrapped {
            guard wrapped.count == Self.wrappedBytes, let key = try? wrapKey.withBytes({ k throws(SecureSMSError) in
                try Sodium.openRandomNonce(wrapped, key: k, ad: StateCipher.wrapAD)
            }) else {
                throw .corruptKeyFile("\(what) does not belong to this identity or was modified")
            }
            stateKey = SecretBytes(key)
            self.wrapped = wrapped
        } else {
            let key = try Sodium.random(32)
            stateKey = SecretBytes(key)
            self.wrapped = try wrapKey.withBytes { k throws(SecureSMSError) in
                try Sodium.sealRandomNonce(key, key: k, ad: StateCipher.wrapAD)
            }
        }
    }

    /// XChaCha20-Poly1305 with a random nonce: `nonce ‖ ciphertext ‖ tag`.
    public func seal(_ plaintext: [UInt8], ad: [UInt8]) throws(SecureSMSError) -> [UInt8] {
        try stateKey.withBytes { k throws(SecureSMSError) in try Sodium.sealRandomNonce(plaintext, key: k, ad: ad) }
    }

    /// Opens what `seal` made with the same `ad`; `corruptKeyFile` if it was modified or moved.
    public func open(_ sealed: [UInt8], ad: [UInt8], what: String = "the secure state") throws(SecureSMSError) -> [UInt8] {
        do {
            return try stateKey.withBytes { k throws(SecureSMSError) in try Sodium.openRandomNonce(sealed, key: k, ad: ad) }
        } catch {
            throw .corruptKeyFile("\(what) does not belong to this identity or was modified")
        }
    }

    /// One peer's state, sealed (JSON inside), bound to the peer's key.
    public func seal(_ peer: PeerState) throws(SecureSMSError) -> [UInt8] {
        var plain: [UInt8]
        do {
            plain = [UInt8](try StateCoding.encoder().encode(peer))
        } catch {
            throw .io("cannot encode the state of peer \(peer.key.fingerprint): \(error)")
        }
        defer { Sodium.wipe(&plain) }
        return try seal(plain, ad: Self.peerAD(peer.key))
    }

    /// Opens a peer's sealed state; fails if it was sealed for another key or modified.
    public func openPeer(_ sealed: [UInt8], key: PublicKey) throws(SecureSMSError) -> PeerState {
        var plain = try open(sealed, ad: Self.peerAD(key), what: "the stored state of peer \(key.fingerprint)")
        defer { Sodium.wipe(&plain) }
        let peer: PeerState
        do {
            peer = try StateCoding.decoder().decode(PeerState.self, from: Data(plain))
        } catch {
            throw .corruptKeyFile("the stored state of peer \(key.fingerprint) cannot be read: \(error)")
        }
        guard peer.key == key else { throw .corruptKeyFile("the stored state of peer \(key.fingerprint) names another key") }
        return peer
    }

    private static func peerAD(_ key: PublicKey) -> [UInt8] { Array("SecureSMS-v2 peer".utf8) + key.bytes }
}
