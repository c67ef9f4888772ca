import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The encrypted, atomically written file that holds an endpoint's `EndpointState` (clients and the CLI).
///
/// - **One process per file**: opening takes an exclusive `flock` on `<path>.lock` for the life of the
///   object; a second process fails at once with a clear error (two writers would roll each other back).
/// - **Encryption**: a random 32-byte state key, wrapped (XChaCha20-Poly1305) under
///   `BLAKE2b(key: identity secret, "SecureSMS-v2 state wrap")` and stored in the file; the state itself is
///   XChaCha20-Poly1305 under the state key with a fresh random nonce per save.
///   Layout `"SSS2" ‖ nonce(24) ‖ wrapped key(32+16) ‖ nonce(24) ‖ ciphertext ‖ tag`.
///
/// Example: `let file = try StateFile(path: dir + "/client.state", identity: id); var s = try file.load(); …; try file.save(s)`.
public final class StateFile: SecureStateStore {
    /// The file path.
    public let path: String
    private let wrapKey: SecretBytes
    private let stateKey: SecretBytes
    private let wrapped: [UInt8]
    private let lockDescriptor: Int32
    private static let magic = Array("SSS2".utf8)

    /// Opens (or prepares) the state file at `path` for `identity`, taking its lock.
    public init(path: String, identity: Identity) throws(SecureSMSError) {
        self.path = path
        let lock = try AtomicFile.lock(path + ".lock")
        do {
            let wrapKey = SecretBytes(try identity.withSecret { Sodium.blake2b(Array("SecureSMS-v2 state wrap".utf8), key: $0) })
            self.wrapKey = wrapKey
            if let bytes = try AtomicFile.read(path) {
                let header = try Self.header(bytes, path: path)
                guard let key = try? wrapKey.withBytes({ k throws(SecureSMSError) in
                    try Sodium.openRandomNonce(header, key: k, ad: StateFile.magic)
                }) else {
                    throw SecureSMSError.corruptKeyFile("\(path) does not belong to this identity or was modified")
                }
                stateKey = SecretBytes(key)
                wrapped = header
            } else {
                let key = try Sodium.random(32)
                stateKey = SecretBytes(key)
                wrapped = try wrapKey.withBytes { k throws(SecureSMSError) in try Sodium.sealRandomNonce(key, key: k, ad: StateFile.magic) }
            }
        } catch let error as SecureSMSError {
            close(lock)
            throw error
        } catch {
            close(lock)
            throw .io("\(path): \(error)")
        }
        lockDescriptor = lock
    }

    deinit { close(lockDescriptor) }

    private static let wrappedBytes = 24 + 32 + 16

    private static func header(_ bytes: [UInt8], path: String) throws(SecureSMSError) -> [UInt8] {
        guard bytes.count > 4 + wrappedBytes, Array(bytes.prefix(4)) == magic else {
            throw .corruptKeyFile("\(path) is not a SecureSMS v2 state file")
        }
        return Array(bytes[4..<(4 + wrappedBytes)])
    }

    /// The saved state, or a fresh one if the file does not exist.
    public func load() throws(SecureSMSError) -> EndpointState {
        guard let bytes = try AtomicFile.read(path) else { return EndpointState() }
        _ = try Self.header(bytes, path: path)
        let plain: [UInt8]
        do {
            plain = try stateKey.withBytes { k throws(SecureSMSError) in
                try Sodium.openRandomNonce(Array(bytes.dropFirst(4 + Self.wrappedBytes)), key: k, ad: StateFile.magic + wrapped)
            }
        } catch {
            throw .corruptKeyFile("\(path) does not belong to this identity or was modified")
        }
        do {
            return try JSONDecoder().decode(EndpointState.self, from: Data(plain))
        } catch {
            throw .corruptKeyFile("\(path): \(error)")
        }
    }

    /// Encrypts and atomically writes `state`.
    public func save(_ state: EndpointState) throws(SecureSMSError) {
        var plain: [UInt8]
        do {
            plain = [UInt8](try JSONEncoder().encode(state))
        } catch {
            throw .io("cannot encode state: \(error)")
        }
        defer { Sodium.wipe(&plain) }
        let sealed = try stateKey.withBytes { k throws(SecureSMSError) in
            try Sodium.sealRandomNonce(plain, key: k, ad: StateFile.magic + wrapped)
        }
        try AtomicFile.write(StateFile.magic + wrapped + sealed, to: path)
    }
}
