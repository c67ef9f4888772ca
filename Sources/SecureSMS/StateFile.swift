import Foundation

/// The encrypted, atomically written file that holds an endpoint's `EndpointState`.
///
/// Encrypted with XChaCha20-Poly1305 under `BLAKE2b(key: identity secret, "SecureSMS state")`;
/// layout `"SSS1" ‖ nonce(24) ‖ ciphertext ‖ tag`. Save after every endpoint call and before sending.
/// Example: `let file = StateFile(path: dir + "/state", identity: id); var s = try file.load(); …; try file.save(s)`.
public struct StateFile: Sendable {
    /// The file path.
    public let path: String
    private let key: [UInt8]
    private static let magic = Array("SSS1".utf8)

    /// A state file at `path` for `identity`.
    public init(path: String, identity: Identity) {
        self.path = path
        self.key = Sodium.blake2b(Array("SecureSMS state".utf8), key: identity.secretBytes)
    }

    /// The saved state, or a fresh one if the file does not exist.
    public func load() throws(SecureSMSError) -> EndpointState {
        guard let bytes = try AtomicFile.read(path) else { return EndpointState() }
        guard bytes.count > 4, Array(bytes.prefix(4)) == StateFile.magic else {
            throw .corruptKeyFile("\(path) is not a SecureSMS state file")
        }
        let plain: [UInt8]
        do {
            plain = try Sodium.openRandomNonce(Array(bytes.dropFirst(4)), key: key, ad: StateFile.magic)
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
        let plain: Data
        do {
            plain = try JSONEncoder().encode(state)
        } catch {
            throw .io("cannot encode state: \(error)")
        }
        let sealed = try Sodium.sealRandomNonce([UInt8](plain), key: key, ad: StateFile.magic)
        try AtomicFile.write(StateFile.magic + sealed, to: path)
    }
}
