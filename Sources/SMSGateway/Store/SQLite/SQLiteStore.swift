import Foundation
import GRDB
import SMSPDU

/// The embedded ``GatewayStore``: SQLite in WAL mode through GRDB, with versioned migrations and
/// group commit (concurrent writes share one transaction and one fsync).
///
/// ```swift
/// let store = try SQLiteStore(path: "smskit-data/gateway.sqlite")
/// let accepted = try await store.accept(try request.validate(limits: .init()), idempotency: nil, now: Date())
/// ```
///
/// Durability: with ``Durability/full`` (the default) every commit is fsynced before the call
/// returns (`synchronous=FULL`), so a returned write survives `kill -9` and power loss;
/// ``Durability/normal`` survives `kill -9` but may lose the last commits on power loss.
public final class SQLiteStore: GatewayStore {
    /// How hard each commit is pushed to disk.
    public enum Durability: String, Sendable, Codable {
        /// `PRAGMA synchronous=FULL`: fsync every commit (survives power loss).
        case full
        /// `PRAGMA synchronous=NORMAL`: fsync at checkpoints (survives process crashes only).
        case normal
    }

    let pool: DatabasePool
    let commits: CommitQueue
    /// Recently verified tokens: a revocation by another process takes effect within ``TokenCache/ttl``.
    let tokenCache = TokenCache()

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    /// - Throws: ``GatewayError/storeUnavailable(_:)`` when the file cannot be opened or migrated.
    public init(path: String, durability: Durability = .full) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: path, configuration: config)
            // After the pool's own WAL set-up, which sets synchronous=NORMAL on the writer.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
            }
            try Schema.migrator.migrate(pool)
        } catch {
            throw GatewayError.storeUnavailable("cannot open \(path): \(error)")
        }
        commits = CommitQueue(writer: pool)
    }

    /// The writer's `PRAGMA synchronous` (2 = FULL, 1 = NORMAL), to verify the durability in force.
    public func synchronousSetting() async throws -> Int {
        try await commits.write { db in try Int.fetchOne(db.cachedStatement(sql: "PRAGMA synchronous")) ?? -1 }
    }

    /// Largest number of writes one commit has carried.
    public func largestCommitBatch() async -> Int { await commits.largestBatch }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await commits.write(body) } catch let e as GatewayError { throw e } catch {
            throw GatewayError.storeUnavailable("\(error)")
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch let e as GatewayError { throw e } catch {
            throw GatewayError.storeUnavailable("\(error)")
        }
    }

    // MARK: - API

    public func accept(_ m: NewMessage, idempotency: IdempotencyKey?, now: Date) async throws -> Accepted {
        let outcome: (created: MessageResource?, id: String) = try await write { db in
            if let idem = idempotency,
               let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, request_digest FROM messages WHERE idempotency_key = ?"),
                                          arguments: [idem.key]) {
                let digest: String? = row["request_digest"]
                guard digest == idem.requestDigest else { throw GatewayError.idempotencyConflict(key: idem.key) }
                return (nil, row["id"])
            }
            let id = GatewayID.make("msg", at: now)
            let (kind, body): (String, String)
            switch m.content {
            case .text(let t): (kind, body) = ("text", t)
            case .data(let d): (kind, body) = ("data", Hex.encode(d))
            }
            let status: MessageStatus = m.sendAt.map { $0 > now } == true ? .scheduled : .queued
            let metadata = String(decoding: (try? JSONEncoder.sorted.encode(m.metadata)) ?? Data("{}".utf8), as: UTF8.self)
            let t = now.timeIntervalSince1970
            try db.exec("""
                INSERT INTO messages (id, status, recipient, recipient_key, pinned, body_kind, body, ports_dst, ports_src,
                    segments, encoding, report, priority, guarantee, validity, metadata, idempotency_key, request_digest,
                    created_at, updated_at, send_at, available_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [id, status.rawValue, m.to, MessageStatusRule.recipientKey(m.to), m.from, kind, body,
                                 m.ports?.dst, m.ports?.src, m.segments, m.encoding, m.report, m.priority,
                                 m.guarantee.rawValue, m.validity, metadata, idempotency?.key, idempotency?.requestDigest,
                                 t, t, m.sendAt?.timeIntervalSince1970, m.sendAt?.timeIntervalSince1970 ?? t,
                                 m.validity.map { t + Double($0) }])
            let seq = db.lastInsertedRowID
            for part in 1...max(1, m.segments) {
                try db.exec("INSERT INTO parts (message_seq, seq, status, recipient_key) VALUES (?, ?, 'pending', ?)", [seq, part, MessageStatusRule.recipientKey(m.to)])
            }
            try Self.storeCallback(db, messageID: id, m.callback)
            try Self.event(db, id, "message.\(status.rawValue)", now)
            // The resource as committed, built here rather than read back.
            let created = MessageResource(
                id: id, status: status, to: m.to, from: m.from, text: kind == "text" ? body : nil,
                dataHex: kind == "data" ? body : nil, ports: m.ports, segments: m.segments, encoding: m.encoding,
                report: m.report, priority: m.priority, guarantee: m.guarantee, validity: m.validity,
                parts: (1...max(1, m.segments)).map { PartResource(seq: $0, status: .pending) }, metadata: m.metadata,
                createdAt: Self.millis(now), updatedAt: Self.millis(now), sendAt: m.sendAt.map(Self.millis),
                expiresAt: m.validity.map { Self.millis(now.addingTimeInterval(Double($0))) })
            return (created, id)
        }
        if let created = outcome.created { return .created(created) }
        guard let resource = try await message(id: outcome.id) else {
            throw GatewayError.storeUnavailable("message \(outcome.id) vanished after commit")
        }
        return .replayed(resource)
    }

    public func message(id: String) async throws -> MessageResource? {
        try await read { db in try Self.resources(db, where: "m.id = ?", [id], limit: 1).first }
    }

    public func messages(status: MessageStatus?, after: String?, limit: Int) async throws -> [MessageResource] {
        try await read { db in
            // Frames of secure messages are SMS of the gateway's own, not the API's: not listed.
            var clauses: [String] = ["m.secure_role IS NOT 'frame'"]
            var args: [any DatabaseValueConvertible] = []
            if let status { clauses.append("m.status = ?"); args.append(status.rawValue) }
            if let after { clauses.append("m.id > ?"); args.append(after) }
            return try Self.resources(db, where: clauses.joined(separator: " AND "), args,
                                      limit: max(1, limit))
        }
    }

    public func cancel(id: String, now: Date) async throws -> MessageResource {
        try await write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, status, secure_state FROM messages WHERE id = ?"), arguments: [id]) else {
                throw GatewayError.notFound(kind: "message", id: id)
            }
            var status = MessageStatus(rawValue: row["status"]) ?? .unknown
            if (row["secure_state"] as String?) == "sealing" { status = .sending }  // the engine is sealing it now
            let seq: Int64 = row["seq"]
            let written = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM parts WHERE message_seq = ? AND status != 'pending'"),
                                           arguments: [seq]) ?? 0
            guard status == .queued || status == .scheduled, written == 0 else {
                throw GatewayError.notCancelable(id: id, status: status)
            }
            try Self.finish(db, seq: seq, id: id, status: .canceled, partStatus: .canceled, error: nil, now: now)
        }
        guard let m = try await message(id: id) else { throw GatewayError.notFound(kind: "message", id: id) }
        return m
    }

    public func inbox(after: Int64, limit: Int) async throws -> [InboxMessage] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM inbox WHERE cursor > ? ORDER BY cursor LIMIT ?"),
                             arguments: [after, max(1, limit)]).map(Self.inboxMessage)
        }
    }

    public func lastInboxCursor() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(cursor) FROM inbox")) ?? 0 }
    }

    // MARK: - Modems and tokens

    public func upsertModem(_ modem: ModemRecord, now: Date) async throws {
        try await write { db in
            try db.exec("""
                INSERT INTO modems (id, port, number, imei, iccid, manufacturer, model, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET port = excluded.port, number = COALESCE(excluded.number, number),
                    imei = excluded.imei, iccid = excluded.iccid, manufacturer = excluded.manufacturer,
                    model = excluded.model, updated_at = excluded.updated_at
                """, [modem.id, modem.port, modem.number, modem.imei, modem.iccid, modem.manufacturer,
                                 modem.model, now.timeIntervalSince1970])
        }
    }

    public func createToken(name: String, digest: [UInt8], now: Date) async throws -> TokenRecord {
        let record = TokenRecord(id: GatewayID.make("tok", at: now), name: name, createdAt: now)
        try await write { db in
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM api_tokens WHERE name = ?"), arguments: [name]) ?? 0 > 0 {
                throw GatewayError.invalidField(field: "name", detail: "a token named \(name.debugDescription) exists; revoke it or pick another name")
            }
            try db.exec("INSERT INTO api_tokens (id, name, digest, created_at) VALUES (?, ?, ?, ?)", [record.id, name, Data(digest), now.timeIntervalSince1970])
            try Self.event(db, nil, "token.created", now, ["token": record.id, "name": name])
        }
        return record
    }

    public func tokens() async throws -> [TokenRecord] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT id, name, created_at FROM api_tokens ORDER BY created_at")).map {
                TokenRecord(id: $0["id"], name: $0["name"], createdAt: Date(timeIntervalSince1970: $0["created_at"]))
            }
        }
    }

    public func revokeToken(_ nameOrID: String, now: Date) async throws -> Bool {
        try await write { db in
            try db.exec("DELETE FROM api_tokens WHERE id = ? OR name = ?", [nameOrID, nameOrID])
            let removed = db.changesCount > 0
            self.tokenCache.removeAll()
            if removed { try Self.event(db, nil, "token.revoked", now, ["token": nameOrID]) }
            return removed
        }
    }

    public func token(digest: [UInt8]) async throws -> TokenRecord? {
        if let cached = tokenCache.lookup(digest) { return cached }
        let found: TokenRecord? = try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, name, digest, created_at FROM api_tokens WHERE digest = ?"),
                                             arguments: [Data(digest)]) else { return nil }
            let stored: Data = row["digest"]
            guard TokenDigest.equal(Array(stored), digest) else { return nil }
            return TokenRecord(id: row["id"], name: row["name"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
        }
        if let found { tokenCache.insert(digest, found) }
        return found
    }

    // MARK: - Helpers

    static func event(_ db: Database, _ messageID: String?, _ type: String, _ now: Date, _ data: [String: String] = [:]) throws {
        let json = String(decoding: (try? JSONEncoder.sorted.encode(data)) ?? Data("{}".utf8), as: UTF8.self)
        try db.exec("INSERT INTO events (message_id, type, data, created_at) VALUES (?, ?, ?, ?)", [messageID, type, json, now.timeIntervalSince1970])
        try outbox(db, messageID: messageID, type: type, now: now, data: data)
    }

    /// Sets a final status on a message and its unsent parts, with its event.
    static func finish(_ db: Database, seq: Int64, id: String, status: MessageStatus, partStatus: PartStatus,
                       error: MessageError?, now: Date) throws {
        let t = now.timeIntervalSince1970
        try db.exec("UPDATE parts SET status = ? WHERE message_seq = ? AND status = 'pending'", [partStatus.rawValue, seq])
        try db.exec("""
            UPDATE messages SET status = ?, error_code = COALESCE(?, error_code), error_detail = COALESCE(?, error_detail),
                updated_at = ? WHERE seq = ?
            """, [status.rawValue, error?.code, error?.detail, t, seq])
        try event(db, id, "message.\(status.rawValue)", now, error.map { ["code": $0.code, "detail": $0.detail] } ?? [:])
    }

    /// Recomputes a message's status from its parts and records the change.
    @discardableResult
    static func settle(_ db: Database, seq: Int64, now: Date) throws -> MessageStatus? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, status FROM messages WHERE seq = ?"), arguments: [seq]) else { return nil }
        let current = MessageStatus(rawValue: row["status"]) ?? .unknown
        let parts = try String.fetchAll(db.cachedStatement(sql: "SELECT status FROM parts WHERE message_seq = ? ORDER BY seq"), arguments: [seq])
            .compactMap(PartStatus.init(rawValue:))
        let next = MessageStatusRule.derive(current: current, parts: parts)
        guard next != current else { return current }
        let t = now.timeIntervalSince1970
        try db.exec("""
            UPDATE messages SET status = ?, updated_at = ?,
                sent_at = CASE WHEN ? IN ('sent','delivered','undelivered','unknown') THEN COALESCE(sent_at, ?) ELSE sent_at END,
                delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END
            WHERE seq = ?
            """, [next.rawValue, t, next.rawValue, t, next.rawValue, t, seq])
        try event(db, row["id"], "message.\(next.rawValue)", now)
        return next
    }

    static func resources(_ db: Database, where clause: String, _ args: [any DatabaseValueConvertible],
                          limit: Int) throws -> [MessageResource] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM messages m WHERE \(clause) ORDER BY m.id LIMIT \(limit)"),
                                    arguments: StatementArguments(args))
        guard !rows.isEmpty else { return [] }
        let seqs = rows.map { $0["seq"] as Int64 }
        var parts: [Int64: [PartResource]] = [:]
        let placeholders = seqs.map { _ in "?" }.joined(separator: ",")
        for p in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM parts WHERE message_seq IN (\(placeholders)) ORDER BY message_seq, seq"),
                                  arguments: StatementArguments(seqs)) {
            parts[p["message_seq"], default: []].append(PartResource(
                seq: p["seq"], status: PartStatus(rawValue: p["status"]) ?? .unknown, modem: p["modem"],
                reference: p["reference"], tpStatus: p["tp_status"], error: p["error"],
                sentAt: date(p["sent_at"]), deliveredAt: date(p["delivered_at"])))
        }
        return rows.map { r in
            let kind: String = r["body_kind"]
            let body: String = r["body"]
            let dst: Int? = r["ports_dst"], src: Int? = r["ports_src"]
            let metadataJSON: String = r["metadata"]
            let metadata = (try? JSONDecoder().decode([String: String].self, from: Data(metadataJSON.utf8))) ?? [:]
            let code: String? = r["error_code"]
            let detail: String? = r["error_detail"]
            return MessageResource(
                id: r["id"], status: MessageStatus(rawValue: r["status"]) ?? .unknown, to: r["recipient"],
                from: (r["modem_number"] as String?) ?? r["pinned"], modem: r["modem"],
                text: kind == "text" ? body : nil, dataHex: kind == "data" ? body : nil,
                ports: dst.flatMap { d in src.map { Ports(dst: d, src: $0) } },
                segments: r["segments"], encoding: r["encoding"], report: r["report"], priority: r["priority"],
                guarantee: DeliveryGuarantee(rawValue: r["guarantee"]) ?? .atMostOnce, validity: r["validity"],
                parts: parts[r["seq"]] ?? [], error: code.map { MessageError(code: $0, detail: detail ?? "") },
                attempts: r["attempts"], metadata: metadata,
                createdAt: Date(timeIntervalSince1970: r["created_at"]), updatedAt: Date(timeIntervalSince1970: r["updated_at"]),
                sendAt: date(r["send_at"]), sentAt: date(r["sent_at"]), deliveredAt: date(r["delivered_at"]),
                expiresAt: date(r["expires_at"]),
                secure: (r["secure_role"] as String?) == "message"
                    ? SecureMessageInfo(peer: r["secure_peer"] ?? "", state: r["secure_state"] ?? "pending") : nil)
        }
    }

    static func inboxMessage(_ r: Row) -> InboxMessage {
        let dst: Int? = r["ports_dst"], src: Int? = r["ports_src"]
        let received: String = r["received_parts"]
        return InboxMessage(
            id: r["id"], cursor: r["cursor"], from: r["sender"], to: r["to_number"], modem: r["modem"],
            text: r["text"], dataHex: r["data_hex"], ports: dst.flatMap { d in src.map { Ports(dst: d, src: $0) } },
            receivedAt: Date(timeIntervalSince1970: r["received_at"]), parts: r["parts"],
            receivedParts: received.split(separator: ",").compactMap { Int($0) }, complete: r["complete"],
            secure: (r["secure_key"] as String?).map {
                SecureInboxInfo(peer: r["secure_peer"], publicKey: $0, verified: r["secure_verified"] ?? false,
                                replayProtected: r["secure_replay_protected"] ?? false, customerID: r["secure_customer"])
            })
    }

    static func date(_ t: Double?) -> Date? { t.map { Date(timeIntervalSince1970: $0) } }

    /// A date as it reads back from the REAL column (so a built resource equals a read one).
    static func millis(_ d: Date) -> Date { Date(timeIntervalSince1970: d.timeIntervalSince1970) }
}

extension JSONEncoder {
    /// Sorted keys: stable bytes for digests and stored JSON.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}

extension Database {
    /// Runs one statement from GRDB's statement cache (prepared once per connection).
    func exec(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

/// A small cache of verified tokens (digest → record) so the hot path does not hit the database on
/// every request. Entries live ``ttl``; a revocation in this process clears it at once.
final class TokenCache: @unchecked Sendable {
    static let ttl: TimeInterval = 2
    private let lock = NSLock()
    private var entries: [[UInt8]: (TokenRecord, Date)] = [:]

    func lookup(_ digest: [UInt8]) -> TokenRecord? {
        lock.withLock {
            guard let (record, expires) = entries[digest] else { return nil }
            if expires < Date() { entries[digest] = nil; return nil }
            return record
        }
    }

    func insert(_ digest: [UInt8], _ record: TokenRecord) {
        lock.withLock {
            if entries.count > 1024 { entries.removeAll() }
            entries[digest] = (record, Date().addingTimeInterval(Self.ttl))
        }
    }

    func removeAll() { lock.withLock { entries.removeAll() } }
}
