import Foundation
import Logging
import SecureSMS

/// Secure messaging for gateways that share one PostgreSQL database (`--database` with
/// `--identity`): every host serves `/v1/peers`, secure messages and the secure inbox; one host at a
/// time runs the engine.
///
/// - **The engine lease**: each host tries to take the secure engine's lease
///   (``PostgresStore/takeSecureEngine(now:)``); the holder runs a ``SecureMessaging`` over
///   ``PostgresSecureStateStore`` and heartbeats the lease every third of the lease timeout. A host
///   that stops heartbeating loses the engine after the lease timeout, and another host takes it
///   with the next epoch. Writes of the engine's state are fenced by the epoch, so a stalled or
///   partitioned former holder can never change the state again (its engine stops at its next step).
///   A graceful stop hands the lease over at once; a process restarted under the same `--node` takes
///   it back at once.
/// - **Frames**: a frame any host's modem receives is committed to the shared database
///   (`secure_inbound_frames`) before its SMS is deleted, and the engine's host takes it from there
///   (woken by `NOTIFY`).
/// - **Messages**: `POST /v1/messages` with `secure` on any host commits the message; the engine's
///   host seals it. Frames go out as ordinary messages through whichever host has a modem free.
/// - **Peers**: an enrolment or a deletion on a host without the engine is committed
///   (`enrolling`/`revoking`) and finished by the engine's host; the request waits for that (at most
///   ``confirmTimeout``, then 503: the change stays committed and finishes when an engine runs).
public actor ClusteredSecureMessaging: SecureMessagingService {
    public nonisolated let publicKey: PublicKey
    /// How long an enrolment or deletion on a host without the engine waits for the engine's host.
    public nonisolated let confirmTimeout: Duration
    private let identity: Identity
    private let store: PostgresStore
    private let sendBell: Doorbell
    private let inboxBell: Doorbell
    private let wake = Doorbell()
    private let configuration: EndpointConfiguration
    private let logger: Logger
    /// The engine, while this host holds the lease.
    private var engine: SecureMessaging?

    /// Secure messaging over `store` for `identity`; nothing runs before ``run()``.
    public init(identity: Identity, store: PostgresStore, sendBell: Doorbell, inboxBell: Doorbell,
                configuration: EndpointConfiguration = SecureMessaging.defaultConfiguration,
                confirmTimeout: Duration = .seconds(10), logger: Logger) {
        self.identity = identity
        self.publicKey = identity.publicKey
        self.store = store
        self.sendBell = sendBell
        self.inboxBell = inboxBell
        self.configuration = configuration
        self.confirmTimeout = confirmTimeout
        var log = logger
        log[metadataKey: "component"] = "secure"
        self.logger = log
    }

    /// Whether this host runs the engine now (for operations and tests).
    public var runsEngine: Bool { engine != nil }

    // MARK: - Running

    /// Takes the engine lease when it is free and runs the engine while it holds it; until cancelled.
    public func run() async {
        await store.session.setSecureBell(wake)
        while !Task.isCancelled {
            let generation = await wake.generation
            var epoch: Int64?
            do { epoch = try await store.takeSecureEngine(now: Date()) } catch {
                logger.warning("cannot reach the secure engine's lease; retrying", metadata: ["error": "\(error)"])
            }
            if let epoch {
                await lead(epoch)
                continue
            }
            // Another host runs the engine: look again when it hands over (NOTIFY) or its lease may have lapsed.
            await wake.wait(since: generation, timeout: heartbeatInterval)
        }
    }

    private var heartbeatInterval: Duration { store.heartbeatInterval }

    /// Runs the engine under the lease at `epoch` until the lease is lost or this task is cancelled.
    private func lead(_ epoch: Int64) async {
        let engine: SecureMessaging
        do {
            let state = try await PostgresSecureStateStore(store: store, identity: identity, epoch: epoch)
            engine = try await SecureMessaging(identity: identity, stateStore: state, store: store, sendBell: sendBell,
                                               inboxBell: inboxBell, configuration: configuration, logger: logger,
                                               shared: store, wake: wake)
        } catch {
            logger.error("cannot start the secure engine; another host may take it", metadata: ["error": "\(error)"])
            try? await store.releaseSecureEngine(epoch: epoch)
            try? await Task.sleep(for: heartbeatInterval * 3)
            return
        }
        self.engine = engine
        logger.notice("this host runs the secure engine", metadata: ["epoch": "\(epoch)", "node": "\(store.node)"])
        let lost = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await engine.run(); return false }
            group.addTask { await self.holdLease(epoch) }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        self.engine = nil
        if lost {
            logger.error("lost the secure engine's lease; the engine stopped here", metadata: ["epoch": "\(epoch)"])
        } else {
            // A graceful stop: hand the engine over at once instead of after the lease timeout.
            do { try await store.releaseSecureEngine(epoch: epoch) } catch {
                logger.warning("could not release the secure engine's lease; it lapses after the lease timeout",
                               metadata: ["error": "\(error)"])
            }
        }
    }

    /// Heartbeats the engine lease; true when it was lost (taken over, or not renewed within the
    /// lease timeout), false when cancelled.
    private func holdLease(_ epoch: Int64) async -> Bool {
        var renewed = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: heartbeatInterval)
            if Task.isCancelled { return false }
            do {
                guard try await store.renewSecureEngine(epoch: epoch) else { return true }
                renewed = .now
            } catch {
                if ContinuousClock.now - renewed > store.leaseTimeout { return true }
                logger.warning("secure engine lease heartbeat failed; retrying", metadata: ["error": "\(error)"])
            }
        }
        return false
    }

    // MARK: - API

    /// Frames are committed to the shared database for the engine (whichever host runs it).
    public nonisolated var frameHandler: any InboundFrameHandler { SharedFrameHandler(store: store, logger: logger) }

    private struct SharedFrameHandler: InboundFrameHandler {
        let store: PostgresStore
        let logger: Logger
        var port: Int { SecureMessaging.port }
        func receiveFrame(_ bytes: [UInt8], from sender: String, modem: String, modemNumber: String?) async -> Bool {
            do {
                try await store.enqueueInboundFrame(bytes, from: sender, modem: modem, modemNumber: modemNumber, now: Date())
                return true
            } catch {
                logger.error("secure frame not committed; it stays on the modem", metadata: ["error": "\(error)"])
                return false
            }
        }
    }

    /// Nothing to do: the store's commit of a secure message notifies the engine's host (and this one).
    public nonisolated func messageAccepted() {}

    public func enrol(_ request: EnrolPeerRequest) async throws -> PeerResource {
        if let engine { return try await engine.enrol(request) }
        let (key, number, customer) = try SecurePeerKey.validate(request, identity: identity)
        var peer = try await store.insertPeer(publicKey: key.hex, fingerprint: key.fingerprint, number: number,
                                              customerID: customer, now: Date())
        try await awaitEngine(peer.id, "the enrolment") { $0?.state == "enrolled" }
        peer.state = "enrolled"
        return peer
    }

    public func remove(id: String) async throws {
        if let engine { return try await engine.remove(id: id) }
        guard try await store.peer(id: id) != nil else { throw GatewayError.notFound(kind: "peer", id: id) }
        try await store.markPeer(id: id, state: "revoking", now: Date())
        try await awaitEngine(id, "the revocation") { $0 == nil }
    }

    /// Waits until the engine's host finished a peer change (`done` holds for the peer row).
    private func awaitEngine(_ id: String, _ what: String, _ done: @Sendable (PeerResource?) -> Bool) async throws {
        let deadline = ContinuousClock.now + confirmTimeout
        while true {
            try Task.checkCancellation()
            let generation = await wake.generation
            if done(try await store.peer(id: id)) { return }
            let left = deadline - .now
            guard left > .zero else {
                let holder = (try? await store.secureEngineHolder()).flatMap { $0 }
                let engineNote = holder.map { $0.expiresIn > 0 ? "host \($0.node) runs the secure engine but did not confirm it"
                                                                : "the secure engine's host (\($0.node)) stopped heartbeating" }
                    ?? "no host runs the secure engine yet"
                throw GatewayError.storeUnavailable(
                    "\(engineNote) within \(confirmTimeout): \(what) of peer \(id) is committed and finishes when the engine runs")
            }
            await wake.wait(since: generation, timeout: min(left, .seconds(1)))
        }
    }
}
