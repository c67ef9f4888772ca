import AsyncHTTPClient
import Foundation
import ModemEmulator
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Delivers the outbox: webhooks, per-message callbacks and Kannel forwarding, at least once.
///
/// It reads due deliveries from the store and keeps at most ``Settings/perReceiver`` in flight for
/// each receiver, so a slow or dead receiver only ever holds its own slots; sending SMS never waits for it (the outbox rows were committed
/// with the state change, the dispatcher runs beside the modems). Each attempt has a deadline
/// (``Settings/timeout``) for the whole exchange, body included. A 2xx marks the delivery done;
/// anything else (a status, a timeout, a reset) schedules the next attempt with
/// ``WebhookBackoff``, until the give-up age. A delivery in flight when the gateway dies is still
/// `pending` in the store and goes out again after the restart, with the same event id.
public final class WebhookDispatcher: Service {
    public struct Settings: Sendable {
        public var backoff: WebhookBackoff
        /// Deadline of one attempt (connect, request, response and body).
        public var timeout: Duration
        /// Deliveries in flight to one receiver at most.
        public var perReceiver: Int
        /// Deliveries in flight in all at most.
        public var maxInFlight: Int
        /// Finished deliveries and attempts are kept this long (for `GET /v1/webhooks/{id}/deliveries`).
        public var retention: TimeInterval
        /// Seed of the jitter (nil: random).
        public var seed: UInt64?
        /// How long a shared store (PostgreSQL) keeps a delivery claimed for this host: three times
        /// the attempt's deadline plus 5 s for recording it (35 s by default). Another host takes it
        /// again only after that, so a host that dies mid-attempt delays the delivery by at most this much.
        public var deliveryLease: Duration { timeout * 3 + .seconds(5) }
        public init(backoff: WebhookBackoff = .init(), timeout: Duration = .seconds(10), perReceiver: Int = 4,
                    maxInFlight: Int = 64, retention: TimeInterval = 7 * 86_400, seed: UInt64? = nil) {
            self.backoff = backoff; self.timeout = timeout; self.perReceiver = max(1, perReceiver)
            self.maxInFlight = max(1, maxInFlight); self.retention = retention; self.seed = seed
        }
    }

    private let store: any WebhookStore
    private let box: SecretBox
    private let settings: Settings
    private let logger: Logger
    private let state: DispatcherState
    private let metrics: GatewayMetrics?

    /// Creates the dispatcher; `metrics` counts its attempts (``GatewayMetrics/Name/webhookAttempts``).
    public init(store: any WebhookStore, secretBox: SecretBox, settings: Settings = .init(), logger: Logger,
                metrics: GatewayMetrics? = nil) {
        self.metrics = metrics
        self.store = store
        self.box = secretBox
        self.settings = settings
        self.logger = logger
        self.state = DispatcherState(seed: settings.seed ?? UInt64.random(in: 0 ... .max))
    }

    /// Makes sure the key that signs per-message callbacks exists (call before serving the API).
    ///
    /// On a store shared by several hosts the key must be the one every host uses: a key that
    /// cannot open the cluster's callback secret is refused instead of replacing that secret
    /// (which would break every other host's signatures).
    /// - Throws: ``GatewayError/configuration(_:)`` when this host's `webhook.key` differs from the cluster's.
    public static func ensureCallbackKey(store: any WebhookStore, box: SecretBox, now: Date = Date()) async throws {
        let existing = try await store.sealedWebhookSecret(id: SQLiteStore.callbacksWebhookID)
        if let existing, box.open(existing) != nil { return }
        if existing != nil, store is any ClusteredStore {
            throw GatewayError.configuration(
                "this host's webhook.key is not the key the other gateways on this database sealed their webhook secrets with: "
                + "copy DATA_DIR/webhook.key from a host already in the cluster (mode 0600) and start again")
        }
        let secret = WebhookSignature.generateSecret()
        _ = try await store.upsertWebhook(NewWebhook(id: SQLiteStore.callbacksWebhookID, kind: .callbacks, url: "",
                                                     events: [.messageStatus], sealedSecret: box.seal(Array(secret.utf8))), now: now)
    }

    public func run() async throws {
        try await Self.ensureCallbackKey(store: store, box: box)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .nanoseconds(Int64(settings.timeout.components.seconds) * 1_000_000_000
                                                                     + settings.timeout.components.attoseconds / 1_000_000_000)),
            connectionPool: .init(idleTimeout: .seconds(30)))
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                var lastPrune = Date.distantPast
                while !Task.isCancelled {
                    let generation = await OutboxBell.shared.generation
                    let now = Date()
                    if now.timeIntervalSince(lastPrune) > 3600 {
                        lastPrune = now
                        _ = try? await self.store.pruneOutbox(before: now.addingTimeInterval(-self.settings.retention))
                    }
                    // Receivers with every slot taken are not read; of the others, twice their bound is
                    // read so the rows already in flight (still pending in the store) cannot hide new ones.
                    let (full, inFlight) = await self.state.snapshot(perReceiver: self.settings.perReceiver)
                    // A shared store (PostgreSQL) claims what it returns for `deliveryLease`, and the
                    // rows over this host's bounds go back at once.
                    var due: [OutboxDelivery] = []
                    if inFlight < self.settings.maxInFlight {
                        do {
                            due = try await self.store.dueDeliveries(now: now, busy: full, perReceiver: 2 * self.settings.perReceiver,
                                                                limit: self.settings.maxInFlight + inFlight,
                                                                lease: self.settings.deliveryLease)
                        } catch {
                            self.logger.error("webhook outbox unreadable", metadata: ["error": "\(error)"])
                        }
                    }
                    let (start, skipped) = await self.state.take(due, perReceiver: self.settings.perReceiver,
                                                                 maxInFlight: self.settings.maxInFlight)
                    if !skipped.isEmpty {
                        do { try await self.store.releaseDeliveries(skipped) } catch {
                            self.logger.warning("webhook claims not released; they wait for their lease",
                                                metadata: ["error": "\(error)"])
                        }
                    }
                    for delivery in start {
                        group.addTask {
                            await self.deliver(delivery, client: client)
                            await self.state.finished(delivery)
                            await OutboxBell.shared.ring()
                        }
                    }
                    // Sleep until new rows, a finished delivery (a receiver is free again), or the next retry is due.
                    let next = (try? await self.store.nextDeliveryDue(after: now)) ?? nil
                    var wait: Duration = .seconds(30)
                    if let next { wait = min(wait, .milliseconds(Int64(max(0, next.timeIntervalSinceNow) * 1000) + 5)) }
                    await OutboxBell.shared.wait(since: generation, timeout: wait)
                }
            }
        }
        try? await client.shutdown()
    }

    /// One attempt: sign, send, wait for the whole answer within the deadline, record the outcome.
    func deliver(_ d: OutboxDelivery, client: HTTPClient) async {
        let started = ContinuousClock.now
        var request = HTTPClientRequest(url: d.url)
        request.method = HTTPMethod(rawValue: d.method)
        let body = Array((d.body ?? "").utf8)
        request.headers.add(name: "User-Agent", value: "SMSKit-Gateway")
        request.headers.add(name: "SMSKit-Event-Id", value: d.eventID)
        request.headers.add(name: "SMSKit-Delivery-Attempt", value: "\(d.attempts + 1)")
        if let contentType = d.contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in d.headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
        if d.body != nil { request.body = .bytes(body) }
        var statusCode: Int?
        var failure: String?
        if let secret = box.open(d.sealedSecret) {
            request.headers.add(name: WebhookSignature.header,
                                value: WebhookSignature.sign(body: body, secret: secret, timestamp: Int64(Date().timeIntervalSince1970)))
            do {
                let signed = request
                statusCode = try await Self.withDeadline(settings.timeout) {
                    let response = try await client.execute(signed, timeout: .seconds(Int64(self.settings.timeout.components.seconds) + 1))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    return Int(response.status.code)
                }
                if let code = statusCode, !(200...299).contains(code) { failure = "HTTP \(code)" }
            } catch {
                failure = Self.describe(error)
            }
        } else {
            failure = "the secret cannot be opened with this gateway's webhook.key (restore the key file)"
        }
        // Cancelled by a shutdown: leave it pending (and unclaimed), it goes out again after the
        // restart or from another host.
        if Task.isCancelled && failure != nil {
            try? await store.releaseDeliveries([d.id])
            return
        }
        let now = Date()
        let outcome: DeliveryAttemptResult.Outcome = failure == nil
            ? .delivered
            : await state.outcome(settings.backoff, attempts: d.attempts + 1, createdAt: d.createdAt, now: now)
        let elapsed = ContinuousClock.now - started
        let kind: GatewayMetrics.WebhookKind = d.receiver.hasPrefix("cb:") ? .callback
            : d.webhookID.hasPrefix("kannel") ? .kannel : .webhook
        metrics?.recordWebhookAttempt(kind: kind, outcome: outcome, failed: failure != nil, duration: elapsed)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if let failure {
            let level: Logger.Level = outcome == .gaveUp ? .error : .info
            logger.log(level: level, "webhook delivery failed", metadata: [
                "receiver": "\(d.receiver.hasPrefix("cb:") ? d.receiver : WebhookURL.origin(d.url))",
                "event_id": "\(d.eventID)", "attempt": "\(d.attempts + 1)", "error": "\(failure)",
                "gave_up": "\(outcome == .gaveUp)"])
        }
        do {
            try await store.recordAttempt(DeliveryAttemptResult(deliveryID: d.id, outcome: outcome, statusCode: statusCode,
                                                                error: failure, duration: seconds), now: now)
        } catch {
            logger.error("webhook attempt not recorded; it will be repeated", metadata: ["event_id": "\(d.eventID)", "error": "\(error)"])
        }
    }

    static func describe(_ error: any Error) -> String {
        if error is DeadlineExceeded { return "no complete answer within the timeout" }
        if let e = error as? HTTPClientError { return "\(e)" }
        return String(describing: error).prefix(300).description
    }

    struct DeadlineExceeded: Error {}

    /// Runs `body`, cancelling it when `deadline` passes.
    static func withDeadline<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask { try await Task.sleep(for: deadline); return nil }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw DeadlineExceeded() }
            return value
        }
    }
}

/// Deliveries in flight (by id and per receiver) and the jitter's generator.
actor DispatcherState {
    private var inFlight: [String: Int] = [:]
    private var ids = Set<Int64>()
    private var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    /// Receivers with every slot taken, and the deliveries in flight in all.
    func snapshot(perReceiver: Int) -> (Set<String>, Int) {
        (Set(inFlight.filter { $0.value >= perReceiver }.keys), ids.count)
    }

    /// The rows to start now (not in flight yet, within the bounds), marked as in flight, and the
    /// ids of the rows over the bounds (not in flight either: a shared store's claims to give back).
    func take(_ rows: [OutboxDelivery], perReceiver: Int, maxInFlight: Int) -> (start: [OutboxDelivery], skipped: [Int64]) {
        var out: [OutboxDelivery] = []
        var skipped: [Int64] = []
        for row in rows where !ids.contains(row.id) {
            guard inFlight[row.receiver, default: 0] < perReceiver && ids.count < maxInFlight else {
                skipped.append(row.id)
                continue
            }
            ids.insert(row.id)
            inFlight[row.receiver, default: 0] += 1
            out.append(row)
        }
        return (out, skipped)
    }

    func finished(_ row: OutboxDelivery) {
        guard ids.remove(row.id) != nil else { return }
        let left = (inFlight[row.receiver] ?? 1) - 1
        inFlight[row.receiver] = left > 0 ? left : nil
    }

    func outcome(_ backoff: WebhookBackoff, attempts: Int, createdAt: Date, now: Date) -> DeliveryAttemptResult.Outcome {
        backoff.outcome(afterAttempts: attempts, createdAt: createdAt, now: now, random: &random)
    }
}

extension WebhookDispatcher {
    /// Makes the outbox forward inbound messages to the configured Kannel services: one row per
    /// service (`kannel:<name>`), and services no longer configured are removed.
    public static func configureKannelServices(_ settings: KannelSettings, store: any WebhookStore, box: SecretBox,
                                               now: Date = Date()) async throws {
        let services = settings.services ?? []
        let wanted = Set(services.map(KannelSettings.webhookID))
        for old in try await store.webhooks() where (old.kind == .kannelGet || old.kind == .kannelPost) && !wanted.contains(old.id) {
            _ = try await store.deleteWebhook(id: old.id, now: now)
        }
        for s in services {
            let post = s.postURL != nil
            _ = try await store.upsertWebhook(NewWebhook(
                id: KannelSettings.webhookID(s), kind: post ? .kannelPost : .kannelGet, url: s.postURL ?? s.getURL ?? "",
                events: [.messageReceived], sealedSecret: box.seal(Array(WebhookSignature.generateSecret().utf8))), now: now)
        }
    }
}
