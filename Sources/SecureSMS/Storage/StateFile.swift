import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The encrypted, atomically written file that holds an endpoint's whole state (clients and the CLI).
///
/// - **One process per file**: opening takes an exclusive `flock` on `<path>.lock` for the life of the
///   object; a second process fails at once with a clear error (two writers would roll each other back).
/// - **Encryption**: a `StateCipher` key (random, wrapped under the identity) seals the whole state with
///   XChaCha20-Poly1305 and a fresh random nonce per write.
///   Layout `"SSS3" ‖ wrapped key(24+32+16) ‖ nonce(24) ‖ ciphertext ‖ tag`; files written before peers
///   were stored one by one (`"SSS2"`) are read and rewritten in the new layout on the next write.
/// - **Cost**: every write rewrites the file, so it suits a handful of peers (an app, the CLI). A bank
///   with many peers uses an indexed store (`SQLiteSecureStateStore` in SMSGateway).
///
/// Example: `let channel = try await SecureChannel(identity: id, store: try StateFile(path: dir + "/client.state", identity: id), transport: t)`.
public final class StateFile: SecureStateStore {
    /// The file path.
    public let path: String
    private let cipher: StateCipher
    private let lockDescriptor: Int32
    private let stored: Mutex<StoredState>
    private static let magic = Array("SSS3".utf8)
    private static let legacyMagic = Array("SSS2".utf8)

    /// Opens (or prepares) the state file at `path` for `identity`, taking its lock, and reads it.
    public init(path: String, identity: Identity) throws(SecureSMSError) {
        self.path = path
        let lock = try AtomicFile.lock(path + ".lock")
        do {
            let bytes = try AtomicFile.read(path)
            let wrapped = try bytes.map { b throws(SecureSMSError) in try Self.header(b, path: path).wrapped }
            let cipher = try StateCipher(identity: identity, wrapped: wrapped, what: path)
            self.cipher = cipher
            stored = Mutex(try bytes.map { b throws(SecureSMSError) in try Self.decode(b, cipher: cipher, path: path) } ?? StoredState())
        } catch {
            close(lock)
            throw error
        }
        lockDescriptor = lock
    }

    deinit { close(lockDescriptor) }

    private static func header(_ bytes: [UInt8], path: String) throws(SecureSMSError) -> (legacy: Bool, wrapped: [UInt8]) {
        let magic = Array(bytes.prefix(4))
        guard bytes.count > 4 + StateCipher.wrappedBytes, magic == Self.magic || magic == legacyMagic else {
            throw .corruptKeyFile("\(path) is not a SecureSMS v2 state file")
        }
        return (magic == legacyMagic, Array(bytes[4..<(4 + StateCipher.wrappedBytes)]))
    }

    private static func decode(_ bytes: [UInt8], cipher: StateCipher, path: String) throws(SecureSMSError) -> StoredState {
        let (legacy, wrapped) = try header(bytes, path: path)
        var plain = try cipher.open(Array(bytes.dropFirst(4 + StateCipher.wrappedBytes)),
                                    ad: (legacy ? legacyMagic : magic) + wrapped, what: path)
        defer { Sodium.wipe(&plain) }
        do {
            if legacy { return StoredState(try StateCoding.decoder().decode(EndpointState.self, from: Data(plain))) }
            return try StateCoding.decoder().decode(StoredState.self, from: Data(plain))
        } catch {
            throw .corruptKeyFile("\(path): \(error)")
        }
    }

    public func read(_ query: StateQuery) throws(SecureSMSError) -> StateSnapshot { stored.withLock { $0.read(query) } }

    public func write(_ changes: StateChanges) throws(SecureSMSError) {
        guard !changes.isEmpty else { return }
        try stored.withLock { (state: inout StoredState) throws(SecureSMSError) in
            var next = state
            next.apply(changes)
            try persist(next)
            state = next
        }
    }

    public func nextDeadline() throws(SecureSMSError) -> Double? { stored.withLock { $0.summary.earliestDeadline } }

    public func summary() throws(SecureSMSError) -> StateSummary { stored.withLock { $0.summary } }

    public func expire(unverifiedIdleBefore: Double, firstContactsBefore: Double) throws(SecureSMSError) {
        try stored.withLock { (state: inout StoredState) throws(SecureSMSError) in
            var next = state
            next.expire(unverifiedIdleBefore: unverifiedIdleBefore, firstContactsBefore: firstContactsBefore)
            guard next != state else { return }
            try persist(next)
            state = next
        }
    }

    /// The whole saved state as one `EndpointState` (tools and tests).
    public func load() -> EndpointState { stored.withLock { $0.endpointState } }

    /// Replaces the whole saved state with `state` (tools and tests; indexed with `configuration`'s timers).
    public func save(_ state: EndpointState, configuration: EndpointConfiguration = .init()) throws(SecureSMSError) {
        let next = StoredState(state, configuration: configuration)
        try stored.withLock { (current: inout StoredState) throws(SecureSMSError) in
            try persist(next)
            current = next
        }
    }

    /// Encrypts and atomically writes `state`.
    private func persist(_ state: StoredState) throws(SecureSMSError) {
        var plain: [UInt8]
        do {
            plain = [UInt8](try StateCoding.encoder().encode(state))
        } catch {
            throw .io("cannot encode state: \(error)")
        }
        defer { Sodium.wipe(&plain) }
        let sealed = try cipher.seal(plain, ad: StateFile.magic + cipher.wrapped)
        try AtomicFile.write(StateFile.magic + cipher.wrapped + sealed, to: path)
    }
}
