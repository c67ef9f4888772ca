import Foundation
import SecureSMS

/// Where the gateway's secure engine keeps its state: the one place that decides it.
///
/// In the gateway's own SQLite database (``SQLiteSecureStateStore``: one sealed row per peer, each
/// step's changes one transaction on the gateway's writer), so the secure state is backed up and
/// restored with the database and needs no file of its own.
public enum SecureStateStoreFactory {
    /// Opens the engine's state store for `identity` in `store`'s database.
    /// - Throws: ``SecureSMSError`` (the database's secure state belongs to another identity, or cannot be opened).
    public static func make(store: SQLiteStore, identity: Identity) throws(SecureSMSError) -> any SecureStateStore {
        FiniteStateStore(try SQLiteSecureStateStore(store: store, identity: identity))
    }
}

/// Writes through another store a copy of each step's peers whose `Double.infinity` values (the
/// `nextAttempt` of a handshake reply without data, which is never retransmitted) are 1e300 instead.
///
/// Workaround: the peers are sealed as JSON with a default `JSONEncoder`, which throws on infinity, so
/// a bank endpoint that answered a hello without data could not save that step at all (the frame then
/// stayed on the SIM and was never acknowledged). 1e300 s is as "never" as infinity for the engine's
/// timers (it only compares `nextAttempt <= now`). Drop this type once SecureSMS stores no infinities.
final class FiniteStateStore: SecureStateStore {
    private let inner: any SecureStateStore
    /// A string no state holds, standing for +infinity while a peer is re-encoded.
    private let marker = "smskit-infinity-" + UUID().uuidString

    init(_ inner: any SecureStateStore) { self.inner = inner }

    func read(_ query: StateQuery) async throws(SecureSMSError) -> StateSnapshot { try await inner.read(query) }

    func write(_ changes: StateChanges) async throws(SecureSMSError) {
        var finite = changes
        finite.peers = try changes.peers.map { peer throws(SecureSMSError) in try self.finite(peer) }
        try await inner.write(finite)
    }

    func nextDeadline() async throws(SecureSMSError) -> Double? { try await inner.nextDeadline() }

    func summary() async throws(SecureSMSError) -> StateSummary { try await inner.summary() }

    func expire(unverifiedIdleBefore: Double, firstContactsBefore: Double) async throws(SecureSMSError) {
        try await inner.expire(unverifiedIdleBefore: unverifiedIdleBefore, firstContactsBefore: firstContactsBefore)
    }

    private func finite(_ peer: PeerState) throws(SecureSMSError) -> PeerState {
        do {
            let encoder = JSONEncoder()
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: marker, negativeInfinity: "-" + marker,
                                                                          nan: "nan-" + marker)
            var text = String(decoding: try encoder.encode(peer), as: UTF8.self)
            guard text.contains(marker) else { return peer }
            text = text.replacingOccurrences(of: "\"\(marker)\"", with: "1e300")
            return try JSONDecoder().decode(PeerState.self, from: Data(text.utf8))
        } catch {
            throw .io("cannot encode the secure state: \(error)")
        }
    }
}
