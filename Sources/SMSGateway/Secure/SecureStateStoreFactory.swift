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
        return try StateFile(path: (dataDirectory as NSString).appendingPathComponent(fileName), identity: identity)
    }
}
