import Foundation
import GRDB
import SecureSMS

/// The SecureSMS engine's state in the gateway's SQLite database: one sealed row per peer, indexed by
/// key, key id, number, next timer, pending inbox and trust, so each step reads and writes only the peers
/// it concerns — the work per message does not grow with the number of enrolled peers.
///
/// - **Atomic and durable**: each step's changes are one transaction on the gateway's writer
///   (`synchronous=FULL` unless the gateway runs with `durability: normal`), committed before any frame
///   of the step is transmitted or any event reported.
/// - **Encrypted at rest**: every row's state is sealed (XChaCha20-Poly1305, random nonce) under a
///   random state key that is stored only wrapped under the bank identity (`StateCipher`), and bound to
///   the peer's key, so a row cannot be moved to another peer. The index columns (key, key id, numbers,
///   timers, counts) are in clear: they say who talks to the bank and when, not what.
/// - **One process**: the gateway holds the database; a second gateway on the same data directory is
///   refused by the gateway's own lock. (This target needs only SecureSMS and GRDB, so the benchmark
///   builds without the gateway.)
///
/// Example: `let store = try SQLiteSecureStateStore(writer: gatewayStore.pool, identity: bank)` (the
/// gateway), or `try SQLiteSecureStateStore.prepare(queue)` first for a database of its own.
public final class SQLiteSecureStateStore: SecureStateStore {
    private let writer: any DatabaseWriter
    private let cipher: StateCipher

    /// Most peers one timer step loads (the rest are due on the next tick).
    public static let timerBatch = 256

    /// Opens the secure state in `writer`'s database for `identity`. The tables must exist: the gateway's
    /// schema migration v4 creates them (`createTables`), or `prepare(_:)` for a database of its own.
    /// Fails with `corruptKeyFile` if the database's state belongs to another identity.
    public init(writer: any DatabaseWriter, identity: Identity) throws(SecureSMSError) {
        self.writer = writer
        let stored: [UInt8]?
        do {
            stored = try writer.read { db in
                try Data.fetchOne(db, sql: "SELECT value FROM secure_meta WHERE name = 'wrapped_key'").map { [UInt8]($0) }
            }
        } catch {
            throw .io("cannot open the secure state in the gateway database: \(error)")
        }
        cipher = try StateCipher(identity: identity, wrapped: stored, what: "the gateway's secure state")
        guard stored == nil else { return }
        do {
            let wrapped = cipher.wrapped
            try writer.write { db in
                try db.execute(sql: "INSERT INTO secure_meta (name, value) VALUES ('wrapped_key', ?)", arguments: [Data(wrapped)])
            }
        } catch {
            throw .io("cannot initialise the secure state in the gateway database: \(error)")
        }
    }

    /// Creates the tables in a database of its own (benchmarks, tools); the gateway's migrations create
    /// them in its database.
    public static func prepare(_ writer: any DatabaseWriter) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("secure state v1") { db in try createTables(db) }
        try migrator.migrate(writer)
    }

    /// The schema (version 1): `sealed` is the peer's whole state (trust, replay set, sessions, chains,
    /// outbox, inbox) under the wrapped state key; the other columns are the lookup index the engine's
    /// queries use, in clear.
    public static func createTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE secure_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
            CREATE TABLE secure_peers (
                key BLOB PRIMARY KEY,
                key_id BLOB NOT NULL,
                deadline REAL,
                holds_inbox INTEGER NOT NULL,
                awaits_reply INTEGER NOT NULL,
                unverified INTEGER NOT NULL,
                last_seen REAL NOT NULL,
                outstanding INTEGER NOT NULL,
                unacknowledged INTEGER NOT NULL,
                sealed BLOB NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX secure_peers_key_id ON secure_peers(key_id);
            CREATE INDEX secure_peers_deadline ON secure_peers(deadline) WHERE deadline IS NOT NULL;
            CREATE INDEX secure_peers_inbox ON secure_peers(key) WHERE holds_inbox = 1;
            CREATE INDEX secure_peers_awaiting ON secure_peers(key) WHERE awaits_reply = 1;
            CREATE INDEX secure_peers_unverified ON secure_peers(last_seen) WHERE unverified = 1;
            CREATE TABLE secure_peer_numbers (
                number TEXT NOT NULL,
                key BLOB NOT NULL,
                PRIMARY KEY (number, key)
            ) WITHOUT ROWID;
            CREATE INDEX secure_peer_numbers_key ON secure_peer_numbers(key);
            CREATE TABLE secure_first_contacts (
                number TEXT PRIMARY KEY,
                times TEXT NOT NULL,
                newest REAL NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX secure_first_contacts_newest ON secure_first_contacts(newest);
            """)
    }

    public func read(_ query: StateQuery) async throws(SecureSMSError) -> StateSnapshot {
        let rows: ReadRows
        do {
            rows = try await writer.read { db in try Self.fetch(query, db) }
        } catch {
            throw .io("cannot read the secure state: \(error)")
        }
        var snapshot = StateSnapshot(counters: rows.counters, numberFirstContacts: rows.numberFirstContacts,
                                     unverifiedTotal: rows.unverified, trackedNumbersTotal: rows.trackedNumbers)
        for (key, sealed) in rows.peers {
            let publicKey = try PublicKey(bytes: key)
            snapshot.peers.append(try cipher.openPeer(sealed, key: publicKey))
        }
        return snapshot
    }

    public func write(_ changes: StateChanges) async throws(SecureSMSError) {
        guard !changes.isEmpty else { return }
        var sealed: [(PeerState, [UInt8])] = []
        for peer in changes.peers { sealed.append((peer, try cipher.seal(peer))) }
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
        let removed = changes.removedPeers
        do {
            try await writer.write { db in
                if let counters {
                    try db.execute(sql: "INSERT OR REPLACE INTO secure_meta (name, value) VALUES ('counters', ?)", arguments: [counters])
                }
                for key in removed {
                    try db.execute(sql: "DELETE FROM secure_peers WHERE key = ?", arguments: [Data(key.bytes)])
                    try db.execute(sql: "DELETE FROM secure_peer_numbers WHERE key = ?", arguments: [Data(key.bytes)])
                }
                for (peer, blob) in rows { try Self.store(peer, sealed: blob, db) }
                for (number, times, newest) in contacts {
                    if times == "[]" {
                        try db.execute(sql: "DELETE FROM secure_first_contacts WHERE number = ?", arguments: [number])
                    } else {
                        try db.execute(sql: "INSERT OR REPLACE INTO secure_first_contacts (number, times, newest) VALUES (?, ?, ?)",
                                       arguments: [number, times, newest])
                    }
                }
            }
        } catch {
            throw .io("cannot write the secure state: \(error)")
        }
    }

    public func nextDeadline() async throws(SecureSMSError) -> Double? {
        do {
            return try await writer.read { db in
                try Double.fetchOne(db.cachedStatement(
                    sql: "SELECT MIN(deadline) FROM secure_peers WHERE deadline IS NOT NULL"))
            }
        } catch {
            throw .io("cannot read the secure state's timers: \(error)")
        }
    }

    public func summary() async throws(SecureSMSError) -> StateSummary {
        do {
            return try await writer.read { db in
                let row = try Row.fetchOne(db, sql: """
                    SELECT MIN(deadline), COALESCE(SUM(outstanding), 0), COALESCE(SUM(unacknowledged), 0) FROM secure_peers
                    """)
                return StateSummary(earliestDeadline: row?[0], outstanding: row?[1] ?? 0, unacknowledged: row?[2] ?? 0)
            }
        } catch {
            throw .io("cannot read the secure state: \(error)")
        }
    }

    public func expire(unverifiedIdleBefore: Double, firstContactsBefore: Double) async throws(SecureSMSError) {
        do {
            try await writer.write { db in
                let keys = try Data.fetchAll(db, sql: """
                    SELECT key FROM secure_peers
                    WHERE unverified = 1 AND last_seen < ? AND unacknowledged = 0 AND holds_inbox = 0
                    """, arguments: [unverifiedIdleBefore])
                for key in keys {
                    try db.execute(sql: "DELETE FROM secure_peers WHERE key = ?", arguments: [key])
                    try db.execute(sql: "DELETE FROM secure_peer_numbers WHERE key = ?", arguments: [key])
                }
                try db.execute(sql: "DELETE FROM secure_first_contacts WHERE newest < ?", arguments: [firstContactsBefore])
            }
        } catch {
            throw .io("cannot expire secure peers: \(error)")
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

    private static func fetch(_ query: StateQuery, _ db: Database) throws -> ReadRows {
        var rows = ReadRows()
        if let data = try Data.fetchOne(db.cachedStatement(sql: "SELECT value FROM secure_meta WHERE name = 'counters'")) {
            rows.counters = try JSONDecoder().decode(EndpointCounters.self, from: data)
        }
        var seen = Set<Data>()
        func collect(_ sql: String, _ arguments: StatementArguments) throws {
            for row in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments) {
                let key: Data = row[0]
                guard seen.insert(key).inserted else { continue }
                let sealed: Data = row[1]
                rows.peers.append(([UInt8](key), [UInt8](sealed)))
            }
        }
        for key in query.keys {
            try collect("SELECT \(peerColumns) FROM secure_peers p WHERE p.key = ?", [Data(key.bytes)])
        }
        if let keyID = query.keyID {
            try collect("SELECT \(peerColumns) FROM secure_peers p WHERE p.key_id = ?", [Data(keyID)])
        }
        if let number = query.number {
            try collect("""
                SELECT \(peerColumns) FROM secure_peer_numbers n JOIN secure_peers p ON p.key = n.key WHERE n.number = ?
                """, [number])
            if query.totals,
               let times = try String.fetchOne(db.cachedStatement(sql: "SELECT times FROM secure_first_contacts WHERE number = ?"),
                                               arguments: [number]) {
                rows.numberFirstContacts[number] = try JSONDecoder().decode([Double].self, from: Data(times.utf8))
            }
        }
        if let dueBy = query.dueBy {
            try collect("""
                SELECT \(peerColumns) FROM secure_peers p WHERE p.deadline IS NOT NULL AND p.deadline <= ?
                ORDER BY p.deadline LIMIT \(timerBatch)
                """, [dueBy])
        }
        if query.awaitingReply {
            try collect("SELECT \(peerColumns) FROM secure_peers p WHERE p.awaits_reply = 1 LIMIT \(timerBatch)", [])
        }
        if query.holdingInbox {
            try collect("SELECT \(peerColumns) FROM secure_peers p WHERE p.holds_inbox = 1", [])
        }
        if query.totals {
            rows.unverified = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM secure_peers WHERE unverified = 1")) ?? 0
            rows.trackedNumbers = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM secure_first_contacts")) ?? 0
        }
        return rows
    }

    private static func store(_ peer: PeerState, sealed: [UInt8], _ db: Database) throws {
        let key = Data(peer.key.bytes)
        let index = peer.index
        try db.execute(sql: """
            INSERT OR REPLACE INTO secure_peers
                (key, key_id, deadline, holds_inbox, awaits_reply, unverified, last_seen, outstanding, unacknowledged, sealed)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [key, Data(index.keyID), index.deadline, index.holdsInbox, index.awaitsReply, index.unverified,
                             index.lastSeen, index.outstanding, index.unacknowledged, Data(sealed)])
        try db.execute(sql: "DELETE FROM secure_peer_numbers WHERE key = ?", arguments: [key])
        for number in index.numbers {
            try db.execute(sql: "INSERT INTO secure_peer_numbers (number, key) VALUES (?, ?)", arguments: [number, key])
        }
    }
}
