import Foundation
import Logging
import PostgresNIO
import SMSPDU

/// The ``GatewayStore`` on PostgreSQL, for one or many gateway processes on one database
/// (docs/gateway.md, "Many hosts"). The schema and every rule are the SQLite store's
/// (``SQLiteStore``): the same tables, transitions, events, duplicate rules and `unknown`
/// semantics; the contract tests run against both.
///
/// ```swift
/// let store = try await PostgresStore.open(url: "postgres://smskit@db.internal/smskit", options: .init(node: "rack-a"), logger: logger)
/// defer { Task { await store.close() } }
/// ```
///
/// What differs is what many writers need: claims take rows with `FOR UPDATE SKIP LOCKED`; a
/// claim first takes the modem's lease (``ClusteredStore``); webhook deliveries are claimed with a
/// delivery lease, so each attempt runs on one host (``WebhookStore``); the transactions SQLite's single
/// writer would serialise take advisory locks (status report vs `+CMGS` result on one modem and
/// TP-MR, inbound parts of one modem, inbox cursors); and committed work is announced to the
/// other hosts with `NOTIFY`.
///
/// Durability: each state change is one transaction; with the server's `synchronous_commit = on`
/// (PostgreSQL's default) it is on disk before the call returns.
public final class PostgresStore: ClusteredStore {
    /// Connection and cluster settings.
    public struct Options: Sendable {
        /// This process's name in the cluster; unique per running process (the store refuses to
        /// open while another live process holds the name). A process restarted under the same
        /// name takes its predecessor's claims back at once instead of waiting for the lease timeout.
        public var node: String
        /// How long a lease lives without a heartbeat (heartbeats come every third of it).
        public var leaseTimeout: Duration
        /// Connections in the pool.
        public var maxConnections: Int
        /// A schema to use (created when missing) instead of the connection's default `search_path`.
        public var schema: String?
        /// False for tools that only read or manage tokens (`smskit gateway token`): they do not
        /// take the node name, so they run beside a gateway on the same host.
        public var joinCluster: Bool
        public init(node: String = PostgresStore.defaultNode, leaseTimeout: Duration = .seconds(15),
                    maxConnections: Int = 16, schema: String? = nil, joinCluster: Bool = true) {
            self.node = node
            self.leaseTimeout = leaseTimeout
            self.maxConnections = maxConnections
            self.schema = schema
            self.joinCluster = joinCluster
        }
    }

    /// The host name: one gateway per host unless `--node` says otherwise.
    public static var defaultNode: String { ProcessInfo.processInfo.hostName }

    public let node: String
    public let leaseTimeout: Duration
    /// This process's lease holder id (`node/random`): a new one at every start.
    public let holder: String
    let client: PostgresClient
    let logger: Logger
    let tokenCache = TokenCache()
    let session: PGSession
    private let clientTask: Task<Void, Never>

    var leaseSeconds: Double { PGSession.seconds(leaseTimeout) }

    private init(client: PostgresClient, clientTask: Task<Void, Never>, options: Options, logger: Logger) {
        self.client = client
        self.clientTask = clientTask
        self.node = options.node
        self.leaseTimeout = options.leaseTimeout
        self.holder = options.node + "/" + String(UUID().uuidString.prefix(8)).lowercased()
        self.logger = logger
        self.session = PGSession(client: client, node: options.node, logger: logger)
    }

    /// Connects, creates the schema when asked, runs pending migrations, and claims this node's name.
    /// - Throws: ``GatewayError/storeUnavailable(_:)`` when the server cannot be reached or migrated;
    ///   ``GatewayError/configuration(_:)`` for a bad URL or a node name another live process holds.
    public static func open(url: String, options: Options = Options(), logger: Logger) async throws -> PostgresStore {
        let target = try PostgresURL(parsing: url)
        var options = options
        if options.schema == nil { options.schema = target.schema }
        guard !options.node.isEmpty, options.node.count <= 200 else {
            throw GatewayError.configuration("the node name must be 1…200 characters")
        }
        if let schema = options.schema { try await createSchema(schema, target: target, logger: logger) }
        var config = target.clientConfiguration
        config.options.maximumConnections = max(2, options.maxConnections)
        config.options.minimumConnections = 1
        if let schema = options.schema { config.options.additionalStartupParameters = [("search_path", schema)] }
        // The pool's own chatter (e.g. a lease requested a moment before run() starts) stays out
        // of the gateway's log; its errors still show.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: config, backgroundLogger: poolLogger)
        let task = Task { await client.run() }
        let store = PostgresStore(client: client, clientTask: task, options: options, logger: logger)
        do {
            try await client.withConnection { conn in try await PostgresSchema.migrate(conn, logger: logger) }
            try await store.session.start(holder: store.holder, takeNode: options.joinCluster)
            if options.joinCluster { try await store.releasePredecessorDeliveries() }
        } catch {
            await store.close()
            if let e = error as? GatewayError { throw e }
            throw GatewayError.storeUnavailable("cannot open PostgreSQL at \(target.redacted): \(PostgresStore.describe(error))")
        }
        return store
    }

    private static func createSchema(_ schema: String, target: PostgresURL, logger: Logger) async throws {
        guard schema.range(of: #"^[a-z_][a-z0-9_]{0,62}$"#, options: .regularExpression) != nil else {
            throw GatewayError.configuration("schema \(schema.debugDescription): use lower-case letters, digits and _ (at most 63)")
        }
        var config = target.clientConfiguration
        config.options.maximumConnections = 1
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: config, backgroundLogger: poolLogger)
        let task = Task { await client.run() }
        defer { task.cancel() }
        do {
            try await client.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""))
        } catch where PGSQL.sqlState(error) == "23505" || PGSQL.sqlState(error) == "42P06" {
            // Another host created it at the same moment.
        } catch {
            throw GatewayError.storeUnavailable("cannot create schema \(schema) at \(target.redacted): \(describe(error))")
        }
    }

    /// Closes the connections without giving up leases (what a crash leaves behind; for a graceful
    /// stop call ``releaseLeases(now:)`` first).
    public func close() async {
        await session.stop()
        clientTask.cancel()
        _ = await clientTask.value
    }

    // MARK: - Transactions

    /// Runs `body` in one transaction, retried on serialisation failures, deadlocks and unique
    /// races (a concurrent insert of the same idempotency key or token name: the retry sees it).
    func write<T: Sendable>(_ body: @escaping @Sendable (PGTx) async throws -> T) async throws -> T {
        // Not cancelled with its caller at once: a worker that records a part it already wrote must get
        // that commit through even while shutting down (postgres-nio stops a cancelled task's query).
        // But not forever either: with the server gone the transaction would wait for a connection
        // indefinitely and keep a stopping gateway alive, so it is cancelled `commitGrace` after its caller.
        let task = Task { try await self.transaction(body) }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            Task {
                try? await Task.sleep(for: PostgresStore.commitGrace)
                task.cancel()
            }
        }
    }

    /// How long a write whose caller was cancelled may still take to commit.
    static let commitGrace = Duration.seconds(5)

    private func transaction<T: Sendable>(_ body: @escaping @Sendable (PGTx) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let logger = self.logger
                let (value, notes) = try await client.withTransaction(logger: logger) { conn -> (T, TxNotes) in
                    let tx = PGTx(conn, logger: logger)
                    let value = try await body(tx)
                    return (value, tx.notes)
                }
                if notes.contains(.outbox) { await OutboxBell.shared.ring() }
                if notes.contains(.secure) { await session.ringSecure() }
                if !notes.isEmpty { await session.announce(notes) }
                return value
            } catch {
                if let state = PGSQL.sqlState(error), ["40001", "40P01", "23505"].contains(state), attempt < 5 { continue }
                throw Self.storeError(error)
            }
        }
    }

    /// Runs `body` on one connection; `consistent` reads in one read-only snapshot.
    func read<T: Sendable>(consistent: Bool = false, _ body: @escaping @Sendable (PGTx) async throws -> T) async throws -> T {
        do {
            let logger = self.logger
            if consistent {
                return try await client.withTransaction(logger: logger) { conn -> T in
                    try await body(PGTx(conn, logger: logger))
                }
            }
            return try await client.withConnection { conn -> T in try await body(PGTx(conn, logger: logger)) }
        } catch {
            throw Self.storeError(error)
        }
    }

    static func storeError(_ error: any Error) -> GatewayError {
        if let e = error as? GatewayError { return e }
        if let t = error as? PostgresTransactionError, let inner = t.closureError as? GatewayError { return inner }
        return .storeUnavailable(describe(error))
    }

    /// What went wrong, without the statement or its values (they may hold message text).
    static func describe(_ error: any Error) -> String {
        if let t = error as? PostgresTransactionError {
            if let e = t.closureError { return describe(e) }
            if let e = t.commitError { return "commit failed: " + describe(e) }
            if let e = t.beginError { return "begin failed: " + describe(e) }
        }
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                return "PostgreSQL \(info[.sqlState] ?? "?"): \(info[.message] ?? "error")"
            }
            return "PostgreSQL connection: \(e.code)" + (e.underlying.map { " (\($0))" } ?? "")
        }
        if let e = error as? GatewayError { return e.description }
        return "\(error)"
    }

    // MARK: - API

    public func accept(_ m: NewMessage, idempotency: IdempotencyKey?, now: Date) async throws -> Accepted {
        let outcome: (created: MessageResource?, id: String) = try await write { tx in
            if let idem = idempotency,
               let row = try await tx.one("SELECT id, request_digest FROM messages WHERE idempotency_key = ?", [idem.key]) {
                let digest: String? = try row["request_digest"]
                guard digest == idem.requestDigest else { throw GatewayError.idempotencyConflict(key: idem.key) }
                return (nil, try row["id"])
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
            let key = MessageStatusRule.recipientKey(m.to)
            let seq: Int64 = try await tx.scalar("""
                INSERT INTO messages (id, status, recipient, recipient_key, pinned, body_kind, body, ports_dst, ports_src,
                    segments, encoding, report, priority, guarantee, validity, metadata, idempotency_key, request_digest,
                    created_at, updated_at, send_at, available_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq
                """, [id, status.rawValue, m.to, key, m.from, kind, body, m.ports?.dst, m.ports?.src, m.segments, m.encoding,
                      m.report, m.priority, m.guarantee.rawValue, m.validity, metadata, idempotency?.key,
                      idempotency?.requestDigest, t, t, m.sendAt?.timeIntervalSince1970, m.sendAt?.timeIntervalSince1970 ?? t,
                      m.validity.map { t + Double($0) }]) ?? 0
            try await tx.exec("""
                INSERT INTO parts (message_seq, seq, status, recipient_key) SELECT ?, g, 'pending', ? FROM generate_series(1, ?::bigint) g
                """, [seq, key, max(1, m.segments)])
            try await Self.storeCallback(tx, messageID: id, m.callback)
            try await Self.event(tx, id, "message.\(status.rawValue)", now)
            if status == .queued { tx.notes.insert(.send) }
            let created = MessageResource(
                id: id, status: status, to: m.to, from: m.from, text: kind == "text" ? body : nil,
                dataHex: kind == "data" ? body : nil, ports: m.ports, segments: m.segments, encoding: m.encoding,
                report: m.report, priority: m.priority, guarantee: m.guarantee, validity: m.validity,
                parts: (1...max(1, m.segments)).map { PartResource(seq: $0, status: .pending) }, metadata: m.metadata,
                createdAt: SQLiteStore.millis(now), updatedAt: SQLiteStore.millis(now), sendAt: m.sendAt.map(SQLiteStore.millis),
                expiresAt: m.validity.map { SQLiteStore.millis(now.addingTimeInterval(Double($0))) })
            return (created, id)
        }
        if let created = outcome.created { return .created(created) }
        guard let resource = try await message(id: outcome.id) else {
            throw GatewayError.storeUnavailable("message \(outcome.id) vanished after commit")
        }
        return .replayed(resource)
    }

    public func message(id: String) async throws -> MessageResource? {
        try await read(consistent: true) { tx in try await Self.resources(tx, where: "m.id = ?", [id], limit: 1).first }
    }

    public func messages(status: MessageStatus?, after: String?, limit: Int) async throws -> [MessageResource] {
        try await read(consistent: true) { tx in
            // Frames of secure messages are SMS of the gateway's own, not the API's: not listed.
            var clauses: [String] = ["m.secure_role IS DISTINCT FROM 'frame'"]
            var args: [any PGBindable] = []
            if let status { clauses.append("m.status = ?"); args.append(status.rawValue) }
            if let after { clauses.append("m.id > ?"); args.append(after) }
            return try await Self.resources(tx, where: clauses.joined(separator: " AND "), args, limit: max(1, limit))
        }
    }

    public func cancel(id: String, now: Date) async throws -> MessageResource {
        try await write { tx in
            // FOR UPDATE: a claim on another host either took the row first (then it is `sending`
            // here) or waits and finds it canceled.
            guard let row = try await tx.one("SELECT seq, status, secure_state FROM messages WHERE id = ? FOR UPDATE", [id]) else {
                throw GatewayError.notFound(kind: "message", id: id)
            }
            var status = MessageStatus(rawValue: try row["status"]) ?? .unknown
            if (try row["secure_state"] as String?) == "sealing" { status = .sending }  // the engine is sealing it now
            let seq: Int64 = try row["seq"]
            let written: Int = try await tx.scalar("SELECT COUNT(*) FROM parts WHERE message_seq = ? AND status != 'pending'", [seq]) ?? 0
            guard status == .queued || status == .scheduled, written == 0 else {
                throw GatewayError.notCancelable(id: id, status: status)
            }
            try await Self.finish(tx, seq: seq, id: id, status: .canceled, partStatus: .canceled, error: nil, now: now)
        }
        guard let m = try await message(id: id) else { throw GatewayError.notFound(kind: "message", id: id) }
        return m
    }

    public func inbox(after: Int64, limit: Int) async throws -> [InboxMessage] {
        try await read { tx in
            try await tx.rows("SELECT * FROM inbox WHERE cursor > ? ORDER BY cursor LIMIT ?", [after, max(1, limit)]).map(Self.inboxMessage)
        }
    }

    public func lastInboxCursor() async throws -> Int64 {
        try await read { tx in try await tx.scalar("SELECT MAX(cursor) FROM inbox", as: Int64.self) ?? 0 }
    }

    // MARK: - Modems and tokens

    public func upsertModem(_ modem: ModemRecord, now: Date) async throws {
        try await write { tx in
            try await tx.exec("""
                INSERT INTO modems (id, port, number, imei, iccid, manufacturer, model, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET port = excluded.port, number = COALESCE(excluded.number, modems.number),
                    imei = excluded.imei, iccid = excluded.iccid, manufacturer = excluded.manufacturer,
                    model = excluded.model, updated_at = excluded.updated_at
                """, [modem.id, modem.port, modem.number, modem.imei, modem.iccid, modem.manufacturer, modem.model,
                      now.timeIntervalSince1970])
        }
    }

    public func createToken(name: String, digest: [UInt8], now: Date) async throws -> TokenRecord {
        let record = TokenRecord(id: GatewayID.make("tok", at: now), name: name, createdAt: now)
        try await write { tx in
            if try await tx.scalar("SELECT COUNT(*) FROM api_tokens WHERE name = ?", [name], as: Int.self) ?? 0 > 0 {
                throw GatewayError.invalidField(field: "name", detail: "a token named \(name.debugDescription) exists; revoke it or pick another name")
            }
            try await tx.exec("INSERT INTO api_tokens (id, name, digest, created_at) VALUES (?, ?, ?, ?)",
                              [record.id, name, Data(digest), now.timeIntervalSince1970])
            try await Self.event(tx, nil, "token.created", now, ["token": record.id, "name": name])
        }
        return record
    }

    public func tokens() async throws -> [TokenRecord] {
        try await read { tx in
            try await tx.rows("SELECT id, name, created_at FROM api_tokens ORDER BY created_at").map {
                TokenRecord(id: try $0["id"], name: try $0["name"], createdAt: Date(timeIntervalSince1970: try $0["created_at"]))
            }
        }
    }

    public func revokeToken(_ nameOrID: String, now: Date) async throws -> Bool {
        try await write { tx in
            let removed = !(try await tx.rows("DELETE FROM api_tokens WHERE id = ? OR name = ? RETURNING id", [nameOrID, nameOrID]).isEmpty)
            self.tokenCache.removeAll()
            if removed { try await Self.event(tx, nil, "token.revoked", now, ["token": nameOrID]) }
            return removed
        }
    }

    public func token(digest: [UInt8]) async throws -> TokenRecord? {
        if let cached = tokenCache.lookup(digest) { return cached }
        let found: TokenRecord? = try await read { tx in
            guard let row = try await tx.one("SELECT id, name, digest, created_at FROM api_tokens WHERE digest = ?", [Data(digest)]) else {
                return nil
            }
            let stored: Data = try row["digest"]
            guard TokenDigest.equal(Array(stored), digest) else { return nil }
            return TokenRecord(id: try row["id"], name: try row["name"], createdAt: Date(timeIntervalSince1970: try row["created_at"]))
        }
        if let found { tokenCache.insert(digest, found) }
        return found
    }

    // MARK: - Helpers (the SQLite store's, statement for statement)

    static func event(_ tx: PGTx, _ messageID: String?, _ type: String, _ now: Date, _ data: [String: String] = [:]) async throws {
        let json = String(decoding: (try? JSONEncoder.sorted.encode(data)) ?? Data("{}".utf8), as: UTF8.self)
        try await tx.exec("INSERT INTO events (message_id, type, data, created_at) VALUES (?, ?, ?, ?)",
                          [messageID, type, json, now.timeIntervalSince1970])
        try await outbox(tx, messageID: messageID, type: type, now: now, data: data)
    }

    /// Sets a final status on a message and its unsent parts, with its event.
    static func finish(_ tx: PGTx, seq: Int64, id: String, status: MessageStatus, partStatus: PartStatus,
                       error: MessageError?, now: Date) async throws {
        let t = now.timeIntervalSince1970
        try await tx.exec("UPDATE parts SET status = ? WHERE message_seq = ? AND status = 'pending'", [partStatus.rawValue, seq])
        try await tx.exec("""
            UPDATE messages SET status = ?, error_code = COALESCE(?, error_code), error_detail = COALESCE(?, error_detail),
                updated_at = ? WHERE seq = ?
            """, [status.rawValue, error?.code, error?.detail, t, seq])
        try await event(tx, id, "message.\(status.rawValue)", now, error.map { ["code": $0.code, "detail": $0.detail] } ?? [:])
    }

    /// Recomputes a message's status from its parts and records the change.
    @discardableResult
    static func settle(_ tx: PGTx, seq: Int64, now: Date) async throws -> MessageStatus? {
        guard let row = try await tx.one("SELECT id, status FROM messages WHERE seq = ? FOR UPDATE", [seq]) else { return nil }
        let current = MessageStatus(rawValue: try row["status"]) ?? .unknown
        let parts = try await tx.rows("SELECT status FROM parts WHERE message_seq = ? ORDER BY seq", [seq])
            .compactMap { PartStatus(rawValue: try $0.get("status", as: String.self)) }
        let next = MessageStatusRule.derive(current: current, parts: parts)
        guard next != current else { return current }
        let t = now.timeIntervalSince1970
        try await tx.exec("""
            UPDATE messages SET status = ?, updated_at = ?,
                sent_at = CASE WHEN ?::text IN ('sent','delivered','undelivered','unknown') THEN COALESCE(sent_at, ?) ELSE sent_at END,
                delivered_at = CASE WHEN ?::text = 'delivered' THEN ? ELSE delivered_at END
            WHERE seq = ?
            """, [next.rawValue, t, next.rawValue, t, next.rawValue, t, seq])
        try await event(tx, try row["id"], "message.\(next.rawValue)", now)
        return next
    }

    static func resources(_ tx: PGTx, where clause: String, _ args: [any PGBindable], limit: Int) async throws -> [MessageResource] {
        let rows = try await tx.rows("SELECT * FROM messages m WHERE \(clause) ORDER BY m.id LIMIT \(limit)", args)
        guard !rows.isEmpty else { return [] }
        let seqs: [Int64] = try rows.map { try $0["seq"] }
        var parts: [Int64: [PartResource]] = [:]
        for p in try await tx.rows("SELECT * FROM parts WHERE message_seq = ANY(?) ORDER BY message_seq, seq", [seqs]) {
            parts[try p["message_seq"], default: []].append(PartResource(
                seq: try p["seq"], status: PartStatus(rawValue: try p["status"]) ?? .unknown, modem: try p["modem"],
                reference: try p["reference"], tpStatus: try p["tp_status"], error: try p["error"],
                sentAt: SQLiteStore.date(try p["sent_at"]), deliveredAt: SQLiteStore.date(try p["delivered_at"])))
        }
        return try rows.map { r in
            let kind: String = try r["body_kind"]
            let body: String = try r["body"]
            let dst: Int? = try r["ports_dst"], src: Int? = try r["ports_src"]
            let metadataJSON: String = try r["metadata"]
            let metadata = (try? JSONDecoder().decode([String: String].self, from: Data(metadataJSON.utf8))) ?? [:]
            let code: String? = try r["error_code"]
            let detail: String? = try r["error_detail"]
            let modemNumber: String? = try r["modem_number"]
            let pinned: String? = try r["pinned"]
            return MessageResource(
                id: try r["id"], status: MessageStatus(rawValue: try r["status"]) ?? .unknown, to: try r["recipient"],
                from: modemNumber ?? pinned, modem: try r["modem"],
                text: kind == "text" ? body : nil, dataHex: kind == "data" ? body : nil,
                ports: dst.flatMap { d in src.map { Ports(dst: d, src: $0) } },
                segments: try r["segments"], encoding: try r["encoding"], report: try r["report"], priority: try r["priority"],
                guarantee: DeliveryGuarantee(rawValue: try r["guarantee"]) ?? .atMostOnce, validity: try r["validity"],
                parts: parts[try r["seq"]] ?? [], error: code.map { MessageError(code: $0, detail: detail ?? "") },
                attempts: try r["attempts"], metadata: metadata,
                createdAt: Date(timeIntervalSince1970: try r["created_at"]), updatedAt: Date(timeIntervalSince1970: try r["updated_at"]),
                sendAt: SQLiteStore.date(try r["send_at"]), sentAt: SQLiteStore.date(try r["sent_at"]),
                deliveredAt: SQLiteStore.date(try r["delivered_at"]), expiresAt: SQLiteStore.date(try r["expires_at"]),
                secure: (try r["secure_role"] as String?) == "message"
                    ? SecureMessageInfo(peer: (try r["secure_peer"] as String?) ?? "", state: (try r["secure_state"] as String?) ?? "pending")
                    : nil)
        }
    }

    static func inboxMessage(_ r: PGRow) throws -> InboxMessage {
        let dst: Int? = try r["ports_dst"], src: Int? = try r["ports_src"]
        let received: String = try r["received_parts"]
        return InboxMessage(
            id: try r["id"], cursor: try r["cursor"], from: try r["sender"], to: try r["to_number"], modem: try r["modem"],
            text: try r["text"], dataHex: try r["data_hex"], ports: dst.flatMap { d in src.map { Ports(dst: d, src: $0) } },
            receivedAt: Date(timeIntervalSince1970: try r["received_at"]), parts: try r["parts"],
            receivedParts: received.split(separator: ",").compactMap { Int($0) }, complete: try r["complete"],
            secure: try (try r["secure_key"] as String?).map {
                SecureInboxInfo(peer: try r["secure_peer"], publicKey: $0, verified: (try r["secure_verified"] as Bool?) ?? false,
                                replayProtected: (try r["secure_replay_protected"] as Bool?) ?? false,
                                customerID: try r["secure_customer"])
            })
    }
}

/// A `postgres://user:password@host:port/database?sslmode=…&schema=…` URL (`host=/dir` for a Unix socket).
struct PostgresURL: Sendable {
    var host: String
    var port: Int
    var socketDirectory: String?
    var user: String
    var password: String?
    var database: String?
    var sslMode: String
    var schema: String?

    init(parsing text: String) throws {
        guard let c = URLComponents(string: text), let scheme = c.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw GatewayError.configuration("--database: expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, got \(Self.redact(text))")
        }
        let query = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, b in b })
        host = c.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = c.port ?? 5432
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        user = c.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = c.password.flatMap { $0.removingPercentEncoding } ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        database = path.isEmpty ? nil : path
        sslMode = query["sslmode"] ?? "prefer"
        guard ["disable", "prefer", "require", "verify-full"].contains(sslMode) else {
            throw GatewayError.configuration("--database: sslmode must be disable, prefer, require or verify-full")
        }
        schema = query["schema"]
    }

    var clientConfiguration: PostgresClient.Configuration {
        if let socketDirectory {
            return PostgresClient.Configuration(unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)", username: user,
                                                password: password, database: database)
        }
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = Self.isLoopback(host) ? .disable : .prefer(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// The URL without its password, for messages.
    var redacted: String { "postgres://\(user)@\(host):\(port)/\(database ?? "")" }

    static func redact(_ text: String) -> String {
        guard var c = URLComponents(string: text) else { return "(unparsable URL)" }
        if c.password != nil { c.password = "***" }
        return c.string ?? "(unparsable URL)"
    }

    static func isLoopback(_ host: String) -> Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}
