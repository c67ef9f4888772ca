import Foundation
import Metrics
import Prometheus

/// The gateway's Prometheus metrics, recorded through swift-metrics into one gateway's own
/// ``registry`` (never the global `MetricsSystem`, so many gateways can run in one process).
///
/// ```swift
/// let metrics = GatewayMetrics()
/// await metrics.startCounting(from: store)          // transitions after this are counted
/// let router = makeGatewayRouter(store: store, runtime: gateway, configuration: api, logger: logger,
///                                metrics: metrics)  // serves GET /metrics, times every request
/// let dispatcher = WebhookDispatcher(store: webhookStore, secretBox: box, logger: logger, metrics: metrics)
/// ```
///
/// Message transitions are counted from the store's `events` log, which every state change writes
/// in its own transaction: so each committed transition is counted once, whoever caused it (the
/// API, a send worker, a status report, the expiry sweeper, recovery). The log is read when
/// `/metrics` is scraped, together with the queue depth and the modems' live state. HTTP requests
/// and webhook attempts are recorded as they finish. The names are listed in ``Name`` and in
/// docs/gateway.md.
public final class GatewayMetrics: Sendable {
    /// Metric names (Prometheus), with the labels each carries.
    public enum Name {
        /// Counter `{state, modem}`: message transitions into `state` (`modem` is `none` before a modem has it).
        public static let messages = "smskit_messages_total"
        /// Counter: inbound messages that reached the inbox (complete or surfaced incomplete).
        public static let inbound = "smskit_inbound_messages_total"
        /// Histogram `{modem}`: seconds from acceptance (or `send_at`) to sent (`sent_at`: every part
        /// written, whether the message then shows `sent`, or at once `delivered`, `undelivered`, `unknown`).
        public static let sendLatency = "smskit_send_latency_seconds"
        /// Histogram `{modem}`: seconds from `sent` to `delivered`.
        public static let deliveryLatency = "smskit_delivery_latency_seconds"
        /// Gauge `{state}`: messages `scheduled`, `queued` and `sending` now.
        public static let queueDepth = "smskit_queue_depth"
        /// Gauge `{modem}`: the modem's signal (RSSI 0–31, `AT+CSQ`).
        public static let modemSignal = "smskit_modem_signal_rssi"
        /// Gauge `{modem}`: 1 when registered on the network, else 0.
        public static let modemRegistered = "smskit_modem_registered"
        /// Gauge `{modem}`: 1 when the modem is ready and healthy, else 0.
        public static let modemHealthy = "smskit_modem_healthy"
        /// Counter `{modem}`: send errors of the modem (network busy, modem errors, unplug before the PDU).
        public static let modemErrors = "smskit_modem_errors_total"
        /// Counter `{modem}`: resets (`AT+CFUN=1,1`) after repeated errors.
        public static let modemResets = "smskit_modem_resets_total"
        /// Counter `{kind, result}`: webhook, callback and Kannel delivery attempts by result
        /// (`delivered`, `retry`, `gave_up`).
        public static let webhookAttempts = "smskit_webhook_attempts_total"
        /// Counter `{kind}`: attempts that failed (non-2xx, timeout, connection error).
        public static let webhookFailures = "smskit_webhook_failures_total"
        /// Histogram `{kind}`: seconds of one delivery attempt.
        public static let webhookDuration = "smskit_webhook_attempt_duration_seconds"
        /// Histogram `{method, route, status}`: seconds per HTTP request; `route` is the route
        /// template (`/v1/messages/{id}`), `unmatched` for unknown paths.
        public static let httpDuration = "smskit_http_request_duration_seconds"
    }

    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into ``registry``.
    public let factory: any MetricsFactory
    private let collection = MetricsCollection()

    /// Creates the metrics of one gateway over its own registry.
    /// - Parameter registry: Where the metrics live (a new one by default).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        let latency: [Duration] = [.milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
                                   .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(900), .seconds(3600)]
        let request: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                   .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
                                   .seconds(5), .seconds(10), .seconds(30), .seconds(60)]
        factory.durationHistogramBuckets = [Name.sendLatency: latency, Name.deliveryLatency: latency,
                                            Name.httpDuration: request, Name.webhookDuration: request]
        factory.defaultDurationHistogramBuckets = request
        self.factory = factory
    }

    /// Counts the transitions committed after now (call once, before the gateway runs); without it
    /// the first scrape starts counting.
    public func startCounting(from store: any GatewayStore) async {
        guard let source = store as? any MetricsSource else { return }
        await collection.start(source)
    }

    /// The metrics in the Prometheus text format (0.0.4), after reading the store's new transitions,
    /// its queue and the modems.
    public func scrape(store: any GatewayStore, runtime: any GatewayRuntime) async -> String {
        if let source = store as? any MetricsSource { await collection.catchUp(source, metrics: self) }
        let modems = await runtime.modems()
        await collection.sample(modems, metrics: self)
        return registry.emitToString()
    }

    // MARK: - Recording

    func record(_ transition: MessageTransition) {
        guard let state = transition.state else {
            Counter(label: Name.inbound, factory: factory).increment()
            return
        }
        let modem = transition.modem ?? "none"
        Counter(label: Name.messages, dimensions: [("state", state.rawValue), ("modem", modem)], factory: factory).increment()
        if transition.setsSentAt, let from = transition.acceptedAt, let to = transition.sentAt {
            Metrics.Timer(label: Name.sendLatency, dimensions: [("modem", modem)], factory: factory)
                .record(duration: Self.duration(to.timeIntervalSince(from)))
        }
        if state == .delivered, let from = transition.sentAt, let to = transition.deliveredAt {
            Metrics.Timer(label: Name.deliveryLatency, dimensions: [("modem", modem)], factory: factory)
                .record(duration: Self.duration(to.timeIntervalSince(from)))
        }
    }

    func recordQueue(_ depth: [MessageStatus: Int]) {
        for (state, count) in depth {
            Gauge(label: Name.queueDepth, dimensions: [("state", state.rawValue)], factory: factory).record(count)
        }
    }

    func recordModem(_ modem: ModemResource, newErrors: Int, newResets: Int) {
        let dims = [("modem", modem.id)]
        if let signal = modem.signal, (0...31).contains(signal) {
            Gauge(label: Name.modemSignal, dimensions: dims, factory: factory).record(signal)
        }
        Gauge(label: Name.modemRegistered, dimensions: dims, factory: factory).record(modem.registered ? 1 : 0)
        Gauge(label: Name.modemHealthy, dimensions: dims, factory: factory).record(modem.healthy && modem.state == "ready" ? 1 : 0)
        // Created even at 0, so the series exists from the first scrape.
        Counter(label: Name.modemErrors, dimensions: dims, factory: factory).increment(by: max(0, newErrors))
        Counter(label: Name.modemResets, dimensions: dims, factory: factory).increment(by: max(0, newResets))
    }

    /// One finished HTTP request (``HTTPMetricsMiddleware``).
    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        Metrics.Timer(label: Name.httpDuration, dimensions: [("method", method), ("route", route), ("status", "\(status)")],
                      factory: factory).record(duration: duration)
    }

    /// The kinds of outbox receivers, as the `kind` label has them.
    enum WebhookKind: String, Sendable { case webhook, callback, kannel }

    /// One webhook, callback or Kannel delivery attempt (``WebhookDispatcher``).
    func recordWebhookAttempt(kind: WebhookKind, outcome: DeliveryAttemptResult.Outcome, failed: Bool, duration: Duration) {
        let result: String
        switch outcome {
        case .delivered: result = "delivered"
        case .retry: result = "retry"
        case .gaveUp: result = "gave_up"
        }
        Counter(label: Name.webhookAttempts, dimensions: [("kind", kind.rawValue), ("result", result)], factory: factory).increment()
        let failures = Counter(label: Name.webhookFailures, dimensions: [("kind", kind.rawValue)], factory: factory)
        failures.increment(by: failed ? 1 : 0)
        Metrics.Timer(label: Name.webhookDuration, dimensions: [("kind", kind.rawValue)], factory: factory).record(duration: duration)
    }

    static func duration(_ seconds: TimeInterval) -> Duration {
        .milliseconds(Int64((max(0, seconds) * 1000).rounded()))
    }
}

/// What the metrics remember between scrapes: the last event counted and each modem's error and
/// reset totals. Scrapes run one at a time, so no transition is counted twice.
actor MetricsCollection {
    private var cursor: Int64?
    private var errors: [String: Int] = [:]
    private var resets: [String: Int] = [:]
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func start(_ source: any MetricsSource) async {
        await exclusive {
            if cursor == nil { cursor = (try? await source.lastEventID()) ?? 0 }
        }
    }

    /// Counts the transitions committed since the last scrape, and sets the queue depth.
    func catchUp(_ source: any MetricsSource, metrics: GatewayMetrics) async {
        await exclusive {
            if cursor == nil { cursor = (try? await source.lastEventID()) ?? 0 }
            var after = cursor ?? 0
            while true {
                guard let page = try? await source.transitions(after: after, limit: 5000) else { break }
                for t in page { metrics.record(t) }
                guard let last = page.last else { break }
                after = last.eventID
                cursor = after
                if page.count < 5000 { break }
            }
            if let depth = try? await source.queueDepth() { metrics.recordQueue(depth) }
        }
    }

    /// Sets the modems' gauges and counts their new errors and resets (a worker that restarted
    /// from 0 counts from 0 again).
    func sample(_ modems: [ModemResource], metrics: GatewayMetrics) {
        for m in modems {
            let e = m.failed - (errors[m.id] ?? 0), r = m.resets - (resets[m.id] ?? 0)
            metrics.recordModem(m, newErrors: e < 0 ? m.failed : e, newResets: r < 0 ? m.resets : r)
            errors[m.id] = m.failed
            resets[m.id] = m.resets
        }
    }

    private func exclusive(_ body: () async -> Void) async {
        while busy { await withCheckedContinuation { waiters.append($0) } }
        busy = true
        await body()
        busy = false
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
