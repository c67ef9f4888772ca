/// Where a `SecureChannel` keeps its `EndpointState`. `save` must be atomic (all of the state or none of it)
/// and durable before it returns: the channel transmits frames and reports events only afterwards.
///
/// Implementations: `StateFile` (one encrypted file with an exclusive lock, for clients and the CLI) and
/// `SQLiteStateStore` in SecureTransport (one row per peer in SQLite, for banks with many peers).
public protocol SecureStateStore: Sendable {
    /// The saved state, or a fresh one if none was saved yet.
    func load() throws(SecureSMSError) -> EndpointState
    /// Persists `state` atomically and durably.
    func save(_ state: EndpointState) throws(SecureSMSError)
}
