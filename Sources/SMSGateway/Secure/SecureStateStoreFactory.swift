import Foundation
import SecureSMS
import SecureStateSQLite

/// Where the gateway's secure engine keeps its state: the one place that decides it.
///
/// In the gateway's own SQLite database (`SQLiteSecureStateStore`: one sealed row per peer, its
/// tables created by the gateway's migration v4, each step's changes one transaction on the gateway's
/// writer), so the secure state is backed up and restored with the database and needs no file of its own.
public enum SecureStateStoreFactory {
    /// Opens the engine's state store for `identity` in `store`'s database.
    /// - Throws: `SecureSMSError` (the database's secure state belongs to another identity, or cannot be opened).
    public static func make(store: SQLiteStore, identity: Identity) throws(SecureSMSError) -> any SecureStateStore {
        try SQLiteSecureStateStore(writer: store.pool, identity: identity)
    }
}
