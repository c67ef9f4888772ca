import ATModem
import Foundation
import Logging
import ServiceLifecycle

/// The running gateway: recovers the store, runs one ``ModemWorker`` per modem, sweeps expired
/// messages and incomplete inbound groups, and serves the HTTP API's live queries.
///
/// ```swift
/// let store = try SQLiteStore(path: "smskit-data/gateway.sqlite")
/// let gateway = Gateway(settings: .init(modems: [ModemSettings(port: "/dev/ttyUSB2")]), store: store, logger: logger)
/// let group = ServiceGroup(services: [gateway, httpApplication], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public final class Gateway: Service, GatewayRuntime {
    /// Behaviour settings.
    public struct Settings: Sendable {
        public var modems: [ModemSettings]
        public var retry: RetryPolicy
        /// How long an incomplete multipart message waits for its missing parts before it is
        /// surfaced with `complete: false`.
        public var reassemblyTimeout: Duration
        /// Driver settings for every modem (timeouts, reconnect).
        public var modemConfiguration: Modem.Configuration
        public init(modems: [ModemSettings] = [], retry: RetryPolicy = .init(), reassemblyTimeout: Duration = .seconds(600),
                    modemConfiguration: Modem.Configuration = Gateway.defaultModemConfiguration) {
            self.modems = modems
            self.retry = retry
            self.reassemblyTimeout = reassemblyTimeout
            self.modemConfiguration = modemConfiguration
        }
    }

    /// Driver defaults for a gateway: fail a send quickly when the modem is gone (another modem
    /// takes it) instead of waiting a minute for a reconnect.
    public static var defaultModemConfiguration: Modem.Configuration {
        Modem.Configuration(reconnectInterval: .milliseconds(500), reconnectWait: .seconds(3))
    }

    public let store: any GatewayStore
    public let settings: Settings
    /// Rung after every accepted message (wakes the send workers).
    public let sendBell: Doorbell
    /// Rung after every new inbox message (wakes long polls).
    public let inboxBell: Doorbell
    private let registry: WorkerRegistry
    private let logger: Logger
    private let phones: (any PhoneNetwork)?
    private let hotPlug: HotPlugAttacher?
    /// Secure messaging (`--identity`): frames go to it, and it runs beside the workers.
    public let secure: (any SecureMessagingService)?

    /// Creates the gateway; nothing runs before ``run()``.
    public init(settings: Settings, store: any GatewayStore, phones: (any PhoneNetwork)? = nil,
                hotPlug: HotPlugAttacher? = nil, secure: (any SecureMessagingService)? = nil, sendBell: Doorbell = Doorbell(),
                inboxBell: Doorbell = Doorbell(), logger: Logger) {
        self.settings = settings
        self.sendBell = sendBell
        self.inboxBell = inboxBell
        self.secure = secure
        self.hotPlug = hotPlug
        self.store = store
        self.phones = phones
        self.logger = logger
        self.registry = WorkerRegistry()
    }

    /// Recovers the store, then runs until cancelled or a graceful shutdown.
    public func run() async throws {
        let summary = try await store.recover(now: Date())
        if summary != RecoverySummary() {
            logger.warning("recovered after an unclean stop", metadata: [
                "unknown_parts": "\(summary.unknownParts)", "resent_parts": "\(summary.resentParts)",
                "requeued": "\(summary.requeued)"])
        }
        // Many hosts: heartbeats, the rescuer, and other hosts' wake-ups (LISTEN/NOTIFY). They run
        // until the workers have stopped, not merely until a graceful shutdown begins: a worker
        // finishing the message in hand still holds its modem's lease, and a lease left to lapse
        // meanwhile would let another host's rescuer queue that message again.
        await withDiscardingTaskGroup { cluster in
            if let clustered = store as? any ClusteredStore {
                cluster.addTask {
                    await clustered.runCluster(sendBell: self.sendBell, inboxBell: self.inboxBell, logger: self.logger)
                }
            }
            await runWorkers()
            cluster.cancelAll()
        }
        if let cluster = store as? any ClusteredStore {
            // The workers stopped: hand the leases back so no host waits for them to lapse.
            do {
                let summary = try await cluster.releaseLeases(now: Date())
                if summary != RecoverySummary() {
                    logger.notice("released leases with open claims", metadata: ["requeued": "\(summary.requeued)"])
                }
            } catch {
                logger.warning("could not release leases; they lapse after the lease timeout", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The modem workers, hot-plug and the sweeps, until cancelled or a graceful shutdown has let
    /// every worker finish the message in hand.
    private func runWorkers() async {
        await withDiscardingTaskGroup { group in
            for modem in settings.modems {
                let worker = makeWorker(modem)
                group.addTask { await self.registry.add(worker); await worker.run() }
            }
            if let hotPlug {
                group.addTask {
                    do { try await cancelWhenGracefulShutdown { try await hotPlug.run(gateway: self, logger: self.logger) } } catch {
                        self.logger.error("hot-plug stopped", metadata: ["error": "\(error)"])
                    }
                }
            }
            if let secure {
                group.addTask { await cancelWhenGracefulShutdown { await secure.run() } }
            }
            group.addTask { await cancelWhenGracefulShutdown { await self.sweepExpired() } }
            group.addTask { await cancelWhenGracefulShutdown { await self.sweepIncomplete() } }
            group.addTask { await cancelWhenGracefulShutdown { await self.refreshHealth() } }
            group.addTask {
                // At a graceful shutdown, wake every waiter: workers finish the message in hand and stop claiming.
                guard (try? await gracefulShutdown()) != nil else { return }
                await self.sendBell.ring()
                await self.inboxBell.ring()
            }
        }
    }

    /// Starts driving another modem (hot-plug); returns when it stops.
    public func attach(_ modem: ModemSettings) async {
        let worker = makeWorker(modem)
        await registry.add(worker)
        await worker.run()
        await registry.remove(worker)
    }

    /// Whether every configured modem is up.
    public func allReady() async -> Bool {
        await registry.allReady(expected: settings.modems.count)
    }

    // MARK: - GatewayRuntime

    public func modems() async -> [ModemResource] { await registry.resources() }
    public func messageAccepted() async { await sendBell.ring() }

    public func waitForInbox(after cursor: Int64, timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && !Task.isCancelled {
            let generation = await inboxBell.generation
            if let last = try? await store.lastInboxCursor(), last > cursor { return }
            await inboxBell.wait(since: generation, timeout: deadline - ContinuousClock.now)
        }
    }

    public var isEmulated: Bool { phones != nil }

    public func phoneSend(from: String, to: String, text: String) async throws {
        guard let phones else { throw GatewayError.notFound(kind: "emulator", id: "phones") }
        try await phones.phoneSend(from: from, to: to, text: text)
    }

    public func controlModem(id: String, action: ModemControlAction) async throws(GatewayError) -> ModemResource {
        guard let worker = await registry.worker(id: id) else { throw .notFound(kind: "modem", id: id) }
        let modem = await worker.control(action)
        if action == .resume { await sendBell.ring() }  // it may take work at once
        return modem
    }

    // MARK: - Sweepers

    private func makeWorker(_ modem: ModemSettings) -> ModemWorker {
        ModemWorker(settings: modem, store: store, sendBell: sendBell, inboxBell: inboxBell, retry: settings.retry,
                    modemConfiguration: settings.modemConfiguration, frames: secure?.frameHandler, logger: logger)
    }

    /// Expires messages whose validity passed and promotes due scheduled ones, sleeping until the next due time.
    private func sweepExpired() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let generation = await sendBell.generation
            let now = Date()
            if let expired = try? await store.expire(now: now), expired > 0 { await sendBell.ring() }
            let next = (try? await store.nextDue(now: now)) ?? nil
            let wait = next.map { Duration.milliseconds(Int64(max(0.01, $0.timeIntervalSinceNow) * 1000)) } ?? .seconds(60)
            await sendBell.wait(since: generation, timeout: min(wait, .seconds(60)))
        }
    }

    /// Surfaces inbound groups left incomplete past the reassembly timeout.
    private func sweepIncomplete() async {
        let timeout = Double(settings.reassemblyTimeout.components.seconds) + Double(settings.reassemblyTimeout.components.attoseconds) / 1e18
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let now = Date()
            if let surfaced = try? await store.expireIncomplete(before: now.addingTimeInterval(-timeout), now: now), !surfaced.isEmpty {
                logger.warning("surfaced incomplete inbound messages", metadata: ["count": "\(surfaced.count)"])
                await inboxBell.ring()
            }
            let oldest = (try? await store.oldestOpenGroup()) ?? nil
            let due = oldest.map { $0.addingTimeInterval(timeout).timeIntervalSinceNow } ?? timeout
            try? await Task.sleep(for: .milliseconds(Int64(max(0.05, min(due, timeout)) * 1000) + 10))
        }
    }

    private func refreshHealth() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .seconds(15))
            for worker in await registry.workers() { await worker.refreshHealth() }
        }
    }
}

/// Virtual phones the gateway's emulate mode exposes (`POST /v1/emulator/phones/send`).
public protocol PhoneNetwork: Sendable {
    func phoneSend(from: String, to: String, text: String) async throws
}

/// The workers running now.
actor WorkerRegistry {
    private var list: [ModemWorker] = []
    func add(_ w: ModemWorker) { list.append(w) }
    func remove(_ w: ModemWorker) { list.removeAll { $0 === w } }
    func workers() -> [ModemWorker] { list }
    /// The worker whose modem has this id (its IMEI, ICCID or port, as `GET /v1/modems` shows it).
    func worker(id: String) async -> ModemWorker? {
        for w in list {
            if await w.resource.id == id { return w }
        }
        return nil
    }
    func resources() async -> [ModemResource] {
        var out: [ModemResource] = []
        for w in list { out.append(await w.resource) }
        return out
    }
    func allReady(expected: Int) async -> Bool {
        guard list.count >= expected else { return false }
        for w in list where !(await w.isReady) { return false }
        return true
    }
}
