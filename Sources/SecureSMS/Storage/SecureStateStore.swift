/// Where a `SecureChannel` keeps its state, one peer at a time.
///
/// The engine (`SecureEndpoint`) is pure; for each step the channel reads only the peers the step needs
/// (`read`), runs the engine on them, and writes the step's changes (`write`) in one transaction before
/// any frame leaves or any event is reported. So the work per message does not grow with the number of
/// peers in a store that indexes them (the gateway's SQLite store), while a small store may simply keep
/// everything (`StateFile`, `MemoryStateStore`).
///
/// Requirements on an implementation:
/// - `write` is atomic (all of the changes or none) and durable before it returns;
/// - `read` returns at least the peers the query names (more is harmless: the engine ignores peers a
///   step does not concern), each with all of its sessions;
/// - one writer at a time: a second process on the same state must fail to open it, because two
///   writers would roll each other back.
///
/// Implementations: `StateFile` (one encrypted file with an exclusive lock, for clients and the CLI),
/// `MemoryStateStore` (tests, no persistence) and `SQLiteSecureStateStore` in SMSGateway (one encrypted
/// row per peer in the gateway's database).
public protocol SecureStateStore: Sendable {
    /// The peers `query` names, the identity-wide counters and, if asked, the totals.
    func read(_ query: StateQuery) async throws(SecureSMSError) -> StateSnapshot
    /// Persists one step's changes atomically and durably.
    func write(_ changes: StateChanges) async throws(SecureSMSError)
    /// The earliest timer over all peers (the timer loop asks often: keep it cheap, e.g. an index).
    func nextDeadline() async throws(SecureSMSError) -> Double?
    /// Totals over all peers (counts for tools; may scan).
    func summary() async throws(SecureSMSError) -> StateSummary
    /// Forgets `unverified` peers last seen before `unverifiedIdleBefore` that hold nothing (no message in
    /// flight, none uncommitted; `PeerIndex.isExpirable`), and first-contact times older than `firstContactsBefore`.
    func expire(unverifiedIdleBefore: Double, firstContactsBefore: Double) async throws(SecureSMSError)
}
