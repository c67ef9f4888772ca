import Foundation
import SecureSMS

/// Where the gateway's secure engine keeps its state: the one place that decides it.
///
/// Now: `secure.state` in the data directory (``StateFile``: one encrypted file, an exclusive lock,
/// so a second gateway on the same directory fails at once). It moves into the gateway's SQLite
/// database with `SQLiteSecureStateStore` when that lands.
public enum SecureStateStoreFactory {
    /// The state file's name inside the data directory.
    public static let fileName = "secure.state"

    /// Opens the engine's state store for `identity`.
    /// - Parameters:
    ///   - store: The gateway's SQLite store (the future home of the secure state).
    ///   - dataDirectory: The gateway's data directory.
    /// - Throws: ``SecureSMSError`` (another process holds the state, or it belongs to another identity).
    public static func make(store: SQLiteStore, dataDirectory: String, identity: Identity) throws(SecureSMSError) -> any SecureStateStore {
        _ = store
        let file = try StateFile(path: (dataDirectory as NSString).appendingPathComponent(fileName), identity: identity)
        return FiniteStateStore(file)
    }
}

/// Saves through ``StateFile`` a state whose `Double.infinity` values (the `nextAttempt` of a
/// handshake reply without data, which is never retransmitted) are written as 1e300 instead.
///
/// Workaround: `StateFile.save` encodes with a default `JSONEncoder`, which throws on infinity, so a
/// bank endpoint that answered a hello without data could not save its state at all (every frame
/// then stayed on the SIM and was never acknowledged). 1e300 s is as "never" as infinity for the
/// engine's timers (it only ever compares `nextAttempt <= now`). Drop this type when SecureSMS
/// encodes the state itself without infinities.
final class FiniteStateStore: SecureStateStore {
    private let file: StateFile
    /// A string no state holds, standing for +infinity while the state is re-encoded.
    private let marker = "smskit-infinity-" + UUID().uuidString

    init(_ file: StateFile) { self.file = file }

    func load() throws(SecureSMSError) -> EndpointState { try file.load() }

    func save(_ state: EndpointState) throws(SecureSMSError) {
        try file.save(try finite(state))
    }

    private func finite(_ state: EndpointState) throws(SecureSMSError) -> EndpointState {
        do {
            let encoder = JSONEncoder()
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: marker, negativeInfinity: "-" + marker,
                                                                          nan: "nan-" + marker)
            var text = String(decoding: try encoder.encode(state), as: UTF8.self)
            guard text.contains(marker) else { return state }
            text = text.replacingOccurrences(of: "\"\(marker)\"", with: "1e300")
            return try JSONDecoder().decode(EndpointState.self, from: Data(text.utf8))
        } catch {
            throw .io("cannot encode the secure state: \(error)")
        }
    }
}
