import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    public func runCluster(sendBell: Doorbell, inboxBell: Doorbell, logger: Logger) async {
        await session.setBells(send: sendBell, inbox: inboxBell)
        await withDiscardingTaskGroup { group in
            group.addTask { await self.session.notifyLoop() }
            group.addTask { await self.heartbeatLoop(sendBell: sendBell, logger: logger) }
        }
    }

    /// Every third of the lease timeout: renews this process's leases, drops expired ones (any
    /// holder's) and rescues the claims no live lease covers.
    func heartbeatLoop(sendBell: Doorbell, logger: Logger) async {
        let interval = heartbeatInterval
        while !Task.isCancelled {
            do {
                let (expired, summary) = try await heartbeat(now: Date())
                if !expired.isEmpty {
                    logger.warning("leases expired; their claims were rescued", metadata: [
                        "leases": "\(expired.map { "\($0.modem)@\($0.holder)" })", "requeued": "\(summary.requeued)",
                        "unknown_parts": "\(summary.unknownParts)", "resent_parts": "\(summary.resentParts)"])
                }
                if summary.requeued > 0 { await sendBell.ring() }
            } catch {
                logger.error("lease heartbeat failed; sends stop when the leases lapse", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// How often leases (modem and secure engine) are renewed: a third of the lease timeout, at least 50 ms.
    var heartbeatInterval: Duration { .milliseconds(Int64(max(0.05, leaseSeconds / 3) * 1000)) }

    /// One heartbeat and rescue pass (the cluster loop runs it; tests call it directly).
    @discardableResult
    public func heartbeat(now: Date) async throws -> (expired: [(modem: String, holder: String)], rescued: RecoverySummary) {
        let result: ([String], [String], RecoverySummary) = try await write { tx in
            try await tx.exec("""
                UPDATE modem_leases SET heartbeat_at = \(PGSQL.dbNow), expires_at = \(PGSQL.dbNow) + ? WHERE holder = ?
                """, [self.leaseSeconds, self.holder])
            let gone = try await tx.rows("""
                DELETE FROM modem_leases WHERE modem IN (
                    SELECT modem FROM modem_leases WHERE expires_at < \(PGSQL.dbNow) FOR UPDATE SKIP LOCKED)
                RETURNING modem, holder
                """)
            let modems: [String] = try gone.map { try $0["modem"] }
            let holders: [String] = try gone.map { try $0["holder"] }
            for (m, h) in zip(modems, holders) {
                try await Self.event(tx, nil, "lease.expired", now, ["modem": m, "holder": h, "rescuer": self.holder])
            }
            return (modems, holders, try await Self.rescue(tx, now: now))
        }
        return (Array(zip(result.0, result.1)).map { (modem: $0.0, holder: $0.1) }, result.2)
    }

    public func lastPartSent(modem: String) async throws -> Date? {
        try await read { tx in
            try await tx.scalar("SELECT MAX(sent_at) FROM parts WHERE modem = ?", [modem], as: Double.self).map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func releaseLeases(now: Date) async throws -> RecoverySummary {
        try await write { tx in
            try await tx.exec("DELETE FROM modem_leases WHERE holder = ?", [self.holder])
            return try await Self.rescue(tx, now: now)
        }
    }

    /// The server's `synchronous_commit` for this store's sessions (`on`: a commit is on disk before it returns).
    public func synchronousCommit() async throws -> String {
        try await read { tx in try await tx.scalar("SHOW synchronous_commit", as: String.self) ?? "" }
    }

    /// Migration versions recorded in `schema_migrations`.
    public func appliedMigrations() async throws -> [Int] {
        try await read { tx in try await tx.rows("SELECT version FROM schema_migrations ORDER BY version").map { try $0["version"] } }
    }

    /// One modem lease as the database holds it.
    public struct Lease: Sendable, Equatable {
        public var modem: String
        public var node: String
        public var holder: String
        /// Seconds until it lapses without a heartbeat (negative: lapsed, not yet rescued).
        public var expiresIn: Double
    }

    /// Every lease in the database (operations, tests).
    public func leases() async throws -> [Lease] {
        try await read { tx in
            try await tx.rows("SELECT modem, node, holder, expires_at - \(PGSQL.dbNow) AS left FROM modem_leases ORDER BY modem").map {
                Lease(modem: try $0["modem"], node: try $0["node"], holder: try $0["holder"], expiresIn: try $0["left"])
            }
        }
    }

    /// The modems whose leases this process holds now (for `GET /v1/modems` and tests).
    public func heldLeases() async throws -> [String] {
        try await read { tx in
            try await tx.rows("SELECT modem FROM modem_leases WHERE holder = ? AND expires_at > \(PGSQL.dbNow) ORDER BY modem", [self.holder])
                .map { try $0["modem"] }
        }
    }
}

/// This process's session with the cluster: it holds the node name (a session advisory lock: a
/// second live process with the same `--node` cannot open, and after a crash the name is free at
/// once), listens for other hosts' announcements and sends this host's (`NOTIFY`, coalesced).
actor PGSession {
    static let channel = "smskit_gateway"

    private let client: PostgresClient
    private let node: String
    private let logger: Logger
    private var holder = ""
    private var task: Task<Void, Never>?
    private var sendBell: Doorbell?
    private var inboxBell: Doorbell?
    private var secureBell: Doorbell?
    private var pending: TxNotes = []
    private let outbox = Doorbell()

    init(client: PostgresClient, node: String, logger: Logger) {
        self.client = client
        self.node = node
        self.logger = logger
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Takes the node name and starts listening; returns once the name is held.
    /// - Throws: ``GatewayError/configuration(_:)`` when another live process holds the name.
    func start(holder: String, takeNode: Bool) async throws {
        self.holder = holder
        let first = FirstResult()
        task = Task { await self.run(first: first, takeNode: takeNode) }
        try await first.wait()
    }

    func stop() async {
        task?.cancel()
        _ = await task?.value
        task = nil
    }

    func setBells(send: Doorbell, inbox: Doorbell) {
        sendBell = send
        inboxBell = inbox
    }

    /// The bell rung for secure work (``TxNotes/secure``), on this host and from the others.
    func setSecureBell(_ bell: Doorbell) { secureBell = bell }

    /// Rings the secure bell here (this host's own `NOTIFY`s are not delivered back to it).
    func ringSecure() async { await secureBell?.ring() }

    /// Records work committed by this process, for the notifier to announce.
    func announce(_ notes: TxNotes) async {
        pending.formUnion(notes)
        await outbox.ring()
    }

    private func takePending() -> TxNotes {
        defer { pending = [] }
        return pending
    }

    /// Sends the announcements, coalesced (one NOTIFY per kind per round).
    func notifyLoop() async {
        while !Task.isCancelled {
            let generation = await outbox.generation
            let notes = takePending()
            if notes.isEmpty {
                await outbox.wait(since: generation, timeout: .seconds(5))
                continue
            }
            for (note, kind) in [(TxNotes.send, "send"), (TxNotes.inbox, "inbox"), (TxNotes.outbox, "outbox"),
                                (TxNotes.secure, "secure")] where notes.contains(note) {
                do {
                    try await client.query("SELECT pg_notify(\(Self.channel), \(kind + " " + holder))")
                } catch {
                    logger.warning("NOTIFY failed; other hosts find the work at their next poll", metadata: ["error": "\(PostgresStore.describe(error))"])
                }
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    private func deliver(_ payload: String) async {
        let parts = payload.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, String(parts[1]) != holder else { return }
        switch parts[0] {
        case "send": await sendBell?.ring()
        case "inbox": await inboxBell?.ring()
        case "outbox": await OutboxBell.shared.ring()
        case "secure": await secureBell?.ring()
        default: break
        }
    }

    private func run(first: FirstResult, takeNode: Bool) async {
        let lockKey = "smskit-node:" + node + "@"   // per schema: one cluster per schema
        let graceEnd = ContinuousClock.now + .seconds(3)
        var delay = Duration.milliseconds(200)
        while !Task.isCancelled {
            do {
                try await client.withConnection { conn in
                    if takeNode {
                        let rows = try await conn.query("SELECT pg_try_advisory_lock(hashtextextended(\(lockKey) || current_schema(), 0)) AS got",
                                                    logger: self.logger)
                        var got = false
                        for try await row in rows.decode(Bool.self) { got = row }
                        guard got else { throw NodeTaken() }
                    }
                    await first.succeed()
                    delay = .milliseconds(200)
                    try await conn.listen(on: Self.channel) { notifications in
                        for try await n in notifications { await self.deliver(n.payload) }
                    }
                    if takeNode {
                        _ = try? await conn.query("SELECT pg_advisory_unlock(hashtextextended(\(lockKey) || current_schema(), 0))", logger: self.logger)
                    }
                }
            } catch is NodeTaken {
                // A predecessor that just died may still be ending its server session: give it a moment.
                if !(await first.settled), ContinuousClock.now < graceEnd {
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                let e = GatewayError.configuration(
                    "another running gateway holds node name \(node.debugDescription) on this database; give each process its own --node")
                if await first.fail(e) { return }
                logger.error("lost the node name to another process", metadata: ["node": "\(node)"])
            } catch {
                if Task.isCancelled { break }
                let e = GatewayError.storeUnavailable("PostgreSQL session: \(PostgresStore.describe(error))")
                if await first.fail(e) { return }
                logger.warning("PostgreSQL session lost; reconnecting", metadata: ["error": "\(PostgresStore.describe(error))"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
        _ = await first.fail(GatewayError.storeUnavailable("store closed"))
    }

    private struct NodeTaken: Error {}
}

/// The first outcome of the session loop, awaited by ``PGSession/start(holder:takeNode:)``.
private actor FirstResult {
    private var result: Result<Void, GatewayError>?
    private var waiters: [CheckedContinuation<Void, any Error>] = []

    /// Returns once the first outcome is known; a cancelled caller (a gateway stopped while it is still
    /// connecting) settles it as a failure and returns at once.
    func wait() async throws {
        if let result { return try result.get() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else if let result {
                    continuation.resume(with: result.mapError { $0 as any Error })
                } else {
                    waiters.append(continuation)
                }
            }
        } onCancel: {
            Task { _ = await self.fail(.storeUnavailable("start-up cancelled while connecting to PostgreSQL")) }
        }
    }

    func succeed() { settle(.success(())) }

    var settled: Bool { result != nil }

    /// Records a failure if nothing came before; true when this was the first outcome.
    func fail(_ e: GatewayError) -> Bool {
        guard result == nil else { return false }
        settle(.failure(e))
        return true
    }

    private func settle(_ r: Result<Void, GatewayError>) {
        guard result == nil else { return }
        result = r
        for w in waiters { w.resume(with: r.mapError { $0 as any Error }) }
        waiters.removeAll()
    }
}
