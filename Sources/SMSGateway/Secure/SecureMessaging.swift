import Foundation
import Logging
import SMSPDU
import SecureSMS
import ServiceLifecycle

/// Takes the SecureSMS frames a modem worker receives (8-bit data SMS to ``port``) instead of the inbox.
public protocol InboundFrameHandler: Sendable {
    /// The application port frames are addressed to.
    var port: Int { get }
    /// Feeds one frame; returns true once its effect is durable (then the SMS may be deleted from the SIM).
    func receiveFrame(_ bytes: [UInt8], from sender: String, modem: String, modemNumber: String?) async -> Bool
}

/// What the HTTP API and the modem workers use of secure messaging: ``SecureMessaging`` on one host
/// (SQLite), ``ClusteredSecureMessaging`` on many (PostgreSQL).
public protocol SecureMessagingService: Sendable {
    /// The gateway's bank identity (public half).
    var publicKey: PublicKey { get }
    /// Where modem workers hand the frames they receive.
    var frameHandler: any InboundFrameHandler { get }
    /// Runs the engine (or waits to run it) until cancelled.
    func run() async
    /// A secure message was committed (`POST /v1/messages`): wake the sealer.
    func messageAccepted()
    /// Enrols a key. - Throws: ``GatewayError``.
    func enrol(_ request: EnrolPeerRequest) async throws -> PeerResource
    /// Revokes and removes a peer. - Throws: ``GatewayError/notFound(kind:id:)``.
    func remove(id: String) async throws
}

/// The frames other hosts received, waiting in a shared database for the engine (PostgreSQL).
public protocol SharedFrameQueue: Sendable {
    /// The oldest waiting frames, in arrival order.
    func inboundFrames(limit: Int) async throws -> [InboundFrame]
    /// Removes a frame whose effect the engine committed.
    func deleteInboundFrame(id: Int64) async throws
}

extension PostgresStore: SharedFrameQueue {}

/// Secure messaging in the gateway (`smskit gateway --identity bank.key`): one bank-role
/// `SecureChannel` over the gateway's store and scheduler.
///
/// - **Inbound**: a frame from a modem is fed to the engine; the SMS is deleted only after the engine
///   persisted its effect. A delivered message is committed to the inbox (unique on the sender's key,
///   the engine's session and sequence), and only then committed to the engine, which then
///   acknowledges it to the phone. A message delivered but not committed before a crash is reported
///   again by the engine at start and committed then (once).
/// - **Outbound**: `POST /v1/messages` with `secure` commits the message (`queued`, seal `pending`)
///   before the 202; this actor seals messages one at a time (`sealing`), and the engine's frames go
///   out as ordinary gateway messages (``GatewayFrameTransport``). The protocol acknowledgement makes it
///   `delivered`; the engine's `unconfirmed` makes it `unknown`, `failed` makes it `failed`.
/// - **Peers**: enrolled through the API (``enrol(_:)``), revoked by ``remove(id:)``.
///
/// Events and seals are handled by one loop, in order, so an acknowledgement is never matched
/// before the seal that it acknowledges was recorded.
public actor SecureMessaging: SecureMessagingService {
    /// SecureSMS's application port (`SecureModemLink.defaultPort`).
    public static let port = 9_208

    /// The gateway's bank identity (public half).
    public nonisolated let publicKey: PublicKey
    private let identity: Identity
    private let channel: SecureChannel
    private let store: any SecureGatewayStore
    private let inboxBell: Doorbell
    private let logger: Logger
    private let work: AsyncStream<Work>
    private let workContinuation: AsyncStream<Work>.Continuation
    private let forwarder: Task<Void, Never>
    /// In a cluster: the frames every host received, and the bell rung for secure work (nil on one host).
    private let shared: (any SharedFrameQueue)?
    private let wake: Doorbell?
    /// The modem a sender's frames last came in on (the inbox entry's `modem` and `to`).
    private var lastModem: [String: (id: String, number: String?)] = [:]

    private enum Work: Sendable {
        case event(SecureEvent)
        /// Seal what waits; `accepted`: rung by an API commit (not the start-up pass).
        case seal(accepted: Bool)
    }

    /// The engine's settings for a gateway: bank role, enrolled keys only, acknowledgements within a second.
    public static var defaultConfiguration: EndpointConfiguration {
        EndpointConfiguration(transport: .binary, ackDelay: 1, role: .bank, enrolment: EnrolmentPolicy(open: false))
    }

    /// Opens the engine over `stateStore` (nil: in memory; messages delivered but never committed are reported again).
    /// In a cluster, `shared` holds the frames every host received and `wake` rings when another host
    /// committed secure work (a message, a peer change, a frame); the engine then takes it from the store.
    public init(identity: Identity, stateStore: (any SecureStateStore)?, store: any SecureGatewayStore, sendBell: Doorbell,
                inboxBell: Doorbell, configuration: EndpointConfiguration = SecureMessaging.defaultConfiguration,
                logger: Logger, shared: (any SharedFrameQueue)? = nil, wake: Doorbell? = nil) async throws(SecureSMSError) {
        self.shared = shared
        self.wake = wake
        self.identity = identity
        self.publicKey = identity.publicKey
        self.store = store
        self.inboxBell = inboxBell
        var log = logger
        log[metadataKey: "component"] = "secure"
        self.logger = log
        let transport = GatewayFrameTransport(store: store, sendBell: sendBell)
        let channel = try await SecureChannel(identity: identity, store: stateStore, configuration: configuration, transport: transport)
        self.channel = channel
        let (work, continuation) = AsyncStream<Work>.makeStream()
        self.work = work
        self.workContinuation = continuation
        let events = channel.events
        forwarder = Task {
            for await event in events { continuation.yield(.event(event)) }
        }
    }

    // MARK: - Running

    /// Finishes what a crash interrupted (seals, enrolments, deletions), then handles engine events and
    /// seals until cancelled.
    public func run() async {
        // Retried until it succeeds: in a cluster the next start may be the next failover.
        if let unknown = await retrying("recover interrupted secure seals", { try await self.store.recoverSecure(now: Date()) }),
           unknown > 0 {
            logger.warning("secure messages interrupted while sealing are unknown", metadata: ["count": "\(unknown)"])
        }
        if let unfinished = await retrying("read unfinished peers", { try await self.store.unfinishedPeers() }) {
            for peer in unfinished { await finish(peer) }
        }
        workContinuation.yield(.seal(accepted: false))
        let continuation = workContinuation
        let channel = self.channel
        await withDiscardingTaskGroup { group in
            group.addTask { await channel.run(maximumSleep: 60) }
            if let wake {
                group.addTask { await self.clusterLoop(wake) }
            }
            await withTaskCancellationHandler {
                for await item in work {
                    switch item {
                    case .event(let event): await handle(event)
                    case .seal(let accepted):
                        if accepted { CrashPoint.reached("secure-before-seal") }
                        await sealPending()
                    }
                }
            } onCancel: {
                continuation.finish()
            }
            forwarder.cancel()
            await channel.close()
        }
    }

    /// Wakes the sealer: a secure message was committed.
    public nonisolated func messageAccepted() {
        workContinuation.yield(.seal(accepted: true))
    }

    /// In a cluster: whenever another host (or this one) commits secure work, takes the frames that
    /// wait, finishes peer changes, and wakes the sealer. Also every 30 s, in case a `NOTIFY` was lost.
    private func clusterLoop(_ wake: Doorbell) async {
        while !Task.isCancelled {
            let generation = await wake.generation
            // Peers first: a new peer's first frame must find it enrolled.
            if let unfinished = await retrying("read unfinished peers", { try await self.store.unfinishedPeers() }) {
                for peer in unfinished { await finish(peer) }
            }
            await drainSharedFrames()
            workContinuation.yield(.seal(accepted: false))
            await wake.wait(since: generation, timeout: .seconds(30))
        }
    }

    /// Feeds the frames waiting in the shared database to the engine, oldest first; each is removed
    /// once the engine committed its effect (a frame fed twice after a crash is a replay the engine drops).
    private func drainSharedFrames() async {
        guard let shared else { return }
        while !Task.isCancelled {
            guard let frames = await retrying("read waiting secure frames", { try await shared.inboundFrames(limit: 64) }) else { return }
            for frame in frames {
                guard await receiveFrame(frame.bytes, from: frame.sender, modem: frame.modem, modemNumber: frame.modemNumber) else {
                    return  // the engine's state was not saved (lease lost, database gone): the frame waits
                }
                _ = await retrying("remove a taken secure frame") { try await shared.deleteInboundFrame(id: frame.id) }
            }
            if frames.count < 64 { return }
        }
    }

    // MARK: - Inbound

    /// The modem worker's side (``InboundFrameHandler``), through a nonisolated wrapper.
    public nonisolated var frameHandler: any InboundFrameHandler { FrameHandler(messaging: self) }

    private struct FrameHandler: InboundFrameHandler {
        let messaging: SecureMessaging
        var port: Int { SecureMessaging.port }
        func receiveFrame(_ bytes: [UInt8], from sender: String, modem: String, modemNumber: String?) async -> Bool {
            await messaging.receiveFrame(bytes, from: sender, modem: modem, modemNumber: modemNumber)
        }
    }

    func receiveFrame(_ bytes: [UInt8], from sender: String, modem: String, modemNumber: String?) async -> Bool {
        if lastModem.count >= 10_000, lastModem[sender] == nil { lastModem.removeAll(keepingCapacity: true) }  // a hint, bounded
        lastModem[sender] = (modem, modemNumber)
        do {
            if let rejection = try await channel.receive(bytes, from: sender) {
                logger.info("secure frame rejected", metadata: ["from": "\(sender)", "reason": "\(rejection)"])
            }
            return true
        } catch {
            logger.error("secure state not saved; the frame stays on the modem", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func handle(_ event: SecureEvent) async {
        switch event {
        case .message(let m):
            await deliver(m)
        case .delivered(let id, _, _):
            await settle(id, .delivered, nil)
        case .unconfirmed(let id, _):
            await settle(id, .unknown, MessageError(code: "unconfirmed", detail:
                "sent, but the peer never acknowledged it after the last retransmission: it may have it (and may have acted on it)"))
        case .failed(let id, _):
            await settle(id, .failed, MessageError(code: "secure_failed", detail:
                "not one SMS of it went out (its session was dropped or every transmission failed): the peer cannot have it"))
        case .rejected(let from, let error):
            logger.info("secure frame rejected", metadata: ["from": "\(from)", "reason": "\(error)"])
        }
    }

    /// Inbox first, then the engine's commit (which lets the acknowledgement go).
    private func deliver(_ m: ReceivedMessage) async {
        CrashPoint.reached("secure-after-state-commit")
        let key = m.peer.hex
        let peer = (await retrying("read the peer") { try await self.store.peer(publicKey: key) }).flatMap { $0 }
        let modem = lastModem[m.from]
        let record = SecureInboxRecord(
            peer: peer, publicKey: key, from: m.from, modem: modem?.id ?? "secure", to: modem?.number ?? modem?.id ?? "secure",
            text: m.isText ? m.text : nil, dataHex: m.isText ? nil : Hex.encode(m.payload),
            session: m.receipt.session, sequence: m.receipt.sequence, verified: m.verified,
            replayProtected: m.replayProtected, customerID: m.customerID ?? peer?.customerID)
        guard let stored = await retrying("commit a secure message to the inbox", {
            try await self.store.insertSecureInbox(record, now: Date())
        }) else { return }
        if stored != nil { await inboxBell.ring() }
        CrashPoint.reached("secure-after-inbox-commit")
        do { try await channel.commit(m.receipt) } catch {
            logger.error("secure commit not saved; acknowledged after the next start", metadata: ["error": "\(error)"])
        }
    }

    private func settle(_ secureID: UInt64, _ status: MessageStatus, _ error: MessageError?) async {
        let settled = await retrying("settle a secure message") {
            try await self.store.secureOutcome(secureID: secureID, status: status, error: error, now: Date())
        }
        if settled == nil { return }
        if settled! == nil {
            logger.notice("secure outcome for a message the gateway has no record of", metadata: [
                "secure_id": "\(secureID)", "status": "\(status.rawValue)"])
        }
    }

    // MARK: - Outbound

    /// Seals every message waiting, one at a time.
    private func sealPending() async {
        while !Task.isCancelled {
            guard let job = await retrying("take a secure message to seal", { try await self.store.claimSecureSeal(now: Date()) }),
                  let job else { return }
            await seal(job)
        }
    }

    private func seal(_ job: SecureSealJob) async {
        let peer = (await retrying("read the peer") { try await self.store.peer(id: job.peer) }).flatMap { $0 }
        guard let peer, peer.state != "revoking", let key = try? PublicKey(hex: peer.publicKey) else {
            await failSeal(job.id, MessageError(code: "peer_gone", detail: "peer \(job.peer) was deleted before the message was sealed"))
            return
        }
        let secureID: UInt64
        do {
            secureID = try await SealingContext.$message.withValue(job.id) {
                switch job.content {
                case .text(let t): return try await channel.send(text: t, to: key, number: peer.number).messageID
                case .data(let d): return try await channel.send(d, to: key, number: peer.number).messageID
                }
            }
        } catch let error as SecureSMSError {
            await failSeal(job.id, Self.sealError(error, peer: peer))
            return
        } catch {
            await failSeal(job.id, MessageError(code: "secure_refused", detail: "\(error)"))
            return
        }
        _ = await retrying("record a sealed message") { try await self.store.secureSealed(id: job.id, secureID: secureID, now: Date()) }
    }

    private func failSeal(_ id: String, _ error: MessageError) async {
        logger.warning("secure message not sealed", metadata: ["message_id": "\(id)", "code": "\(error.code)"])
        _ = await retrying("fail a secure message") { try await self.store.secureSealFailed(id: id, error: error, now: Date()) }
    }

    static func sealError(_ error: SecureSMSError, peer: PeerResource) -> MessageError {
        switch error {
        case .noSession:
            return MessageError(code: "no_session", detail: "peer \(peer.id) has no open secure session: the bank can only reply "
                + "after the customer's app sent a message (clients never accept a first contact); send it once the peer wrote")
        case .revoked: return MessageError(code: "peer_revoked", detail: "peer \(peer.id) is revoked")
        case .windowFull: return MessageError(code: "window_full", detail: "too many secure messages to \(peer.id) wait for acknowledgements; send it again later")
        default: return MessageError(code: "secure_refused", detail: error.description)
        }
    }

    // MARK: - Peers

    /// Enrols a key (stored `enrolling`, enrolled in the engine, then `enrolled`).
    /// - Throws: ``GatewayError`` (422 bad key/number, 409 duplicate, 503 store).
    public func enrol(_ request: EnrolPeerRequest) async throws -> PeerResource {
        let (key, number, customer) = try SecurePeerKey.validate(request, identity: identity)
        var peer = try await store.insertPeer(publicKey: key.hex, fingerprint: key.fingerprint, number: number,
                                              customerID: customer, now: Date())
        do { try await channel.enrol(key, number: number, customerID: customer) } catch {
            throw GatewayError.storeUnavailable("the secure engine could not save the enrolment (\(error)); it is finished at the next start")
        }
        try await store.markPeer(id: peer.id, state: "enrolled", now: Date())
        peer.state = "enrolled"
        return peer
    }

    /// Revokes a peer in the engine (its frames are rejected, nothing more is sent to it) and removes it.
    /// - Throws: ``GatewayError/notFound(kind:id:)``.
    public func remove(id: String) async throws {
        guard let peer = try await store.peer(id: id) else { throw GatewayError.notFound(kind: "peer", id: id) }
        try await store.markPeer(id: id, state: "revoking", now: Date())
        try await revokeAndDelete(peer)
    }

    private func revokeAndDelete(_ peer: PeerResource) async throws {
        if let key = try? PublicKey(hex: peer.publicKey) {
            do { try await channel.revoke(key) } catch {
                throw GatewayError.storeUnavailable("the secure engine could not save the revocation (\(error)); it is finished at the next start")
            }
        }
        try await store.deletePeer(id: peer.id, now: Date())
    }

    /// Completes an enrolment or a deletion a crash interrupted.
    private func finish(_ listed: PeerResource) async {
        do {
            // Re-read: a DELETE may have turned an `enrolling` peer into `revoking` since it was listed.
            guard let peer = try await store.peer(id: listed.id) else { return }
            switch peer.state {
            case "enrolling":
                guard let key = try? PublicKey(hex: peer.publicKey) else { return }
                try await channel.enrol(key, number: peer.number, customerID: peer.customerID)
                try await store.markPeer(id: peer.id, state: "enrolled", now: Date())
            case "revoking":
                try await revokeAndDelete(peer)
            default: break
            }
        } catch {
            logger.error("could not finish a peer change", metadata: ["peer": "\(listed.id)", "error": "\(error)"])
        }
    }

    // MARK: - Helpers

    /// Retries a store call with backoff until it succeeds; nil when cancelled first.
    private func retrying<T: Sendable>(_ what: String, _ body: @Sendable () async throws -> T) async -> T? {
        var delay = Duration.milliseconds(50)
        while true {
            do { return try await body() } catch {
                logger.error("store write failed; retrying", metadata: ["what": "\(what)", "error": "\(error)"])
                if Task.isCancelled { return nil }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
