import Foundation
import PostgresNIO
import SMSPDU
import SecureSMS

/// The SecureSMS engine's state in the cluster's PostgreSQL database: the rows of
/// `SQLiteSecureStateStore` (one sealed row per peer plus its lookup index, the identity-wide
/// counters, first-contact times per number), shared by every host.
///
/// - **One writer, fenced**: only the host holding the secure engine's lease runs the engine
///   (``PostgresStore/takeSecureEngine(now:)``). Every write checks, in its own transaction, that
///   this store's holder and epoch still hold the lease and share-locks the lease row to commit, so
///   a host that lost the lease (stalled, partitioned, presumed dead) can never roll the state back:
///   its write fails and its engine stops. That is the store contract's "one writer at a time".
/// - **Atomic and durable**: each step is one transaction, on disk before `write` returns with the
///   server's `synchronous_commit = on`.
/// - **Encrypted at rest**: rows are sealed under the state key, stored only wrapped under the bank
///   identity (`StateCipher`); every host with the identity unwraps the same key.
public final class PostgresSecureStateStore: SecureStateStore {
    private let store: PostgresStore
    private let cipher: StateCipher
    /// The engine lease's epoch this store writes under.
    public let epoch: Int64

    /// Most peers one timer step loads (the rest are due on the next tick).
    public static let timerBatch = 256

    /// Opens the shared state for `identity`, writing under the engine lease taken at `epoch`.
    /// The first host to open it stores the wrapped state key; the others unwrap that one.
    /// - Throws: `corruptKeyFile` when the database's state belongs to another identity; `io` when
    ///   the database cannot be reached.
    public init(store: PostgresStore, identity: Identity, epoch: Int64) async throws(SecureSMSError) {
        self.store = store
        self.epoch = epoch
        let fresh = try StateCipher(identity: identity, wrapped: nil, what: "the cluster's secure state")
        let stored: [UInt8]
        do {
            stored = try await store.write { tx in
                try await tx.exec("INSERT INTO secure_meta (name, value) VALUES ('wrapped_key', ?) ON CONFLICT (name) DO NOTHING",
                                  [Data(fresh.wrapped)])
                guard let row = try await tx.one("SELECT value FROM secure_meta WHERE name = 'wrapped_key'") else {
                    throw GatewayError.storeUnavailable("the wrapped state key vanished")
                }
                return Self.bytes(try row.get("value", as: ByteBuffer.self))
            }
        } catch {
            throw .io("cannot open the secure state in the cluster database: \(PostgresStore.describe(error))")
        }
        cipher = stored == fresh.wrapped ? fresh : try StateCipher(identity: identity, wrapped: stored, what: "the cluster's secure state")
    }

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] { [UInt8](buffer.readableBytesView) }

    public func read(_ query: StateQuery) async throws(SecureSMSError) -> StateSnapshot {
        let rows: ReadRows
        do {
            rows = try await store.read(consistent: true) { tx in try await Self.fetch(query, tx) }
        } catch {
            throw .io("cannot read the secure state: \(PostgresStore.describe(error))")
        }
        var snapshot = StateSnapshot(counters: rows.counters, numberFirstContacts: rows.numberFirstContacts,
                                     unverifiedTotal: rows.unverified, trackedNumbersTotal: rows.trackedNumbers)
        for (key, sealed) in rows.peers {
            snapshot.peers.append(try cipher.openPeer(sealed, key: try PublicKey(bytes: key)))
        }
        return snapshot
    }

    public func write(_ changes: StateChanges) async throws(SecureSMSError) {
        guard !changes.isEmpty else { return }
        var sealed: [(PeerIndex, [UInt8], [UInt8])] = []
        for peer in changes.peers { sealed.append((peer.index, peer.key.bytes, try cipher.seal(peer))) }
        let counters: Data?
        let contacts: [(String, String, Double)]
        do {
            counters = try changes.counters.map { try JSONEncoder().encode($0) }
            contacts = try changes.numberFirstContacts.map { number, times in
                (number, String(decoding: try JSONEncoder().encode(times), as: UTF8.self), times.max() ?? 0)
            }
        } catch {
            throw .io("cannot encode the secure state: \(error)")
        }
        let rows = sealed
        let removed = changes.removedPeers.map(\.bytes)
        let holder = store.holder, epoch = self.epoch
        do {
            try await store.write { tx in
                try await PostgresStore.fence(tx, holder: holder, epoch: epoch)
                if let counters {
                    try await tx.exec("""
                        INSERT INTO secure_meta (name, value) VALUES ('counters', ?) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
                        """, [counters])
                }
                for key in removed {
                    try await tx.exec("DELETE FROM secure_peers WHERE key = ?", [Data(key)])
                    try await tx.exec("DELETE FROM secure_peer_numbers WHERE key = ?", [Data(key)])
                }
                for (index, key, blob) in rows { try await Self.store(index, key: key, sealed: blob, tx) }
                for (number, times, newest) in contacts {
                    if times == "[]" {
                        try await tx.exec("DELETE FROM secure_first_contacts WHERE number = ?", [number])
                    } else {
                        try await tx.exec("""
                            INSERT INTO secure_first_contacts (number, times, newest) VALUES (?, ?, ?)
                            ON CONFLICT (number) DO UPDATE SET times = EXCLUDED.times, newest = EXCLUDED.newest
                            """, [number, times, newest])
                    }
                }
            }
        } catch {
            throw .io("cannot write the secure state: \(PostgresStore.describe(error))")
        }
    }

    public func nextDeadline() async throws(SecureSMSError) -> Double? {
        do {
            return try await store.read { tx in
                try await tx.scalar("SELECT MIN(deadline) FROM secure_peers WHERE deadline IS NOT NULL", as: Double.self)
            }
        } catch {
            throw .io("cannot read the secure state's timers: \(PostgresStore.describe(error))")
        }
    }

    public func summary() async throws(SecureSMSError) -> StateSummary {
        do {
            return try await store.read { tx in
                let row = try await tx.one("""
                    SELECT MIN(deadline) AS d, COALESCE(SUM(outstanding), 0)::bigint AS o, COALESCE(SUM(unacknowledged), 0)::bigint AS u
                    FROM secure_peers
                    """)
                return StateSummary(earliestDeadline: try row?.get("d", as: Double?.self),
                                    outstanding: Int(try row?.get("o", as: Int64.self) ?? 0),
                                    unacknowledged: Int(try row?.get("u", as: Int64.self) ?? 0))
            }
        } catch {
            throw .io("cannot read the secure state: \(PostgresStore.describe(error))")
        }
    }

    public func expire(unverifiedIdleBefore: Double, firstContactsBefore: Double) async throws(SecureSMSError) {
        let holder = store.holder, epoch = self.epoch
        do {
            try await store.write { tx in
                try await PostgresStore.fence(tx, holder: holder, epoch: epoch)
                try await tx.exec("""
                    DELETE FROM secure_peer_numbers WHERE key IN (SELECT key FROM secure_peers
                        WHERE unverified AND last_seen < ? AND unacknowledged = 0 AND NOT holds_inbox)
                    """, [unverifiedIdleBefore])
                try await tx.exec("""
                    DELETE FROM secure_peers WHERE unverified AND last_seen < ? AND unacknowledged = 0 AND NOT holds_inbox
                    """, [unverifiedIdleBefore])
                try await tx.exec("DELETE FROM secure_first_contacts WHERE newest < ?", [firstContactsBefore])
            }
        } catch {
            throw .io("cannot expire secure peers: \(PostgresStore.describe(error))")
        }
    }

    // MARK: Rows

    private struct ReadRows: Sendable {
        var counters = EndpointCounters()
        var peers: [([UInt8], [UInt8])] = []
        var numberFirstContacts: [String: [Double]] = [:]
        var unverified = 0
        var trackedNumbers = 0
    }

    private static let peerColumns = "p.key, p.sealed"

    private static func fetch(_ query: StateQuery, _ tx: PGTx) async throws -> ReadRows {
        var rows = ReadRows()
        if let row = try await tx.one("SELECT value FROM secure_meta WHERE name = 'counters'") {
            rows.counters = try JSONDecoder().decode(EndpointCounters.self, from: Data(bytes(try row.get("value", as: ByteBuffer.self))))
        }
        var seen = Set<[UInt8]>()
        func collect(_ sql: String, _ arguments: [any PGBindable]) async throws {
            for row in try await tx.rows(sql, arguments) {
                let key = bytes(try row.get("key", as: ByteBuffer.self))
                guard seen.insert(key).inserted else { continue }
                rows.peers.append((key, bytes(try row.get("sealed", as: ByteBuffer.self))))
            }
        }
        if !query.keys.isEmpty {
            // One round trip for every key the step names.
            let keys = query.keys.map { Hex.encode($0.bytes) }
            try await collect("SELECT \(peerColumns) FROM secure_peers p WHERE p.key = ANY(SELECT decode(k, 'hex') FROM unnest(?::text[]) k)",
                              [keys.pgArray])
        }
        if let keyID = query.keyID {
            try await collect("SELECT \(peerColumns) FROM secure_peers p WHERE p.key_id = ?", [Data(keyID)])
        }
        if let number = query.number {
            try await collect("""
                SELECT \(peerColumns) FROM secure_peer_numbers n JOIN secure_peers p ON p.key = n.key WHERE n.number = ?
                """, [number])
            if query.totals, let times: String = try await tx.scalar("SELECT times FROM secure_first_contacts WHERE number = ?", [number]) {
                rows.numberFirstContacts[number] = try JSONDecoder().decode([Double].self, from: Data(times.utf8))
            }
        }
        if let dueBy = query.dueBy {
            try await collect("""
                SELECT \(peerColumns) FROM secure_peers p WHERE p.deadline IS NOT NULL AND p.deadline <= ?
                ORDER BY p.deadline LIMIT \(timerBatch)
                """, [dueBy])
        }
        if query.awaitingReply {
            try await collect("SELECT \(peerColumns) FROM secure_peers p WHERE p.awaits_reply LIMIT \(timerBatch)", [])
        }
        if query.holdingInbox {
            try await collect("SELECT \(peerColumns) FROM secure_peers p WHERE p.holds_inbox", [])
        }
        if query.totals {
            rows.unverified = Int(try await tx.scalar("SELECT COUNT(*) FROM secure_peers WHERE unverified", as: Int64.self) ?? 0)
            rows.trackedNumbers = Int(try await tx.scalar("SELECT COUNT(*) FROM secure_first_contacts", as: Int64.self) ?? 0)
        }
        return rows
    }

    private static func store(_ index: PeerIndex, key: [UInt8], sealed: [UInt8], _ tx: PGTx) async throws {
        let k = Data(key)
        try await tx.exec("""
            INSERT INTO secure_peers
                (key, key_id, deadline, holds_inbox, awaits_reply, unverified, last_seen, outstanding, unacknowledged, sealed)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET key_id = EXCLUDED.key_id, deadline = EXCLUDED.deadline,
                holds_inbox = EXCLUDED.holds_inbox, awaits_reply = EXCLUDED.awaits_reply, unverified = EXCLUDED.unverified,
                last_seen = EXCLUDED.last_seen, outstanding = EXCLUDED.outstanding, unacknowledged = EXCLUDED.unacknowledged,
                sealed = EXCLUDED.sealed
            """, [k, Data(index.keyID), index.deadline, index.holdsInbox, index.awaitsReply, index.unverified,
                  index.lastSeen, index.outstanding, index.unacknowledged, Data(sealed)])
        try await tx.exec("DELETE FROM secure_peer_numbers WHERE key = ?", [k])
        for number in index.numbers {
            try await tx.exec("INSERT INTO secure_peer_numbers (number, key) VALUES (?, ?)", [number, k])
        }
    }
}
