import Foundation
import ServiceLifecycle

/// Where a `SecureChannel` hands the SMS it wants sent (a modem, an emulator, an in-memory network).
public protocol FrameTransport: Sendable {
    /// Transmits one frame as one SMS to `sms.to`.
    func transmit(_ sms: OutboundSMS) async throws
}

/// An actor that runs a `SecureEndpoint` for real, one step at a time: it reads the peers the step needs
/// from a `SecureStateStore`, runs the engine, writes the step's changes in one transaction, and only then
/// transmits through a `FrameTransport` and reports events. It fires timers (acks, retransmissions) and
/// streams events.
///
/// Steps run one after another (never two reads before a write), so two steps cannot roll each other back.
///
/// Example:
/// ```swift
/// let channel = try await SecureChannel(identity: me, store: try StateFile(path: dir + "/state", identity: me),
///                                       transport: myTransport)
/// // run() fires its timers; add the channel to a ServiceGroup or run it in a child task
/// let sent = try await channel.send(text: "hello", to: bankKey, number: "+100")
/// for await event in channel.events { … }   // feed received SMS with `receive(_:from:)`;
///                                           // store each .message(m), then `commit(m.receipt)`
/// ```
public actor SecureChannel: Service {
    private var endpoint: SecureEndpoint
    private let store: any SecureStateStore
    private let transport: any FrameTransport
    private let clock: @Sendable () -> Double
    private let continuation: AsyncStream<SecureEvent>.Continuation
    private var timersRunning = false
    private var closed = false
    /// The timer loop's current sleep; cancelled to wake it early (a step wrote a new deadline, or close).
    private var timerSleep: Task<Void, Never>?
    private var stepping = false
    private var stepWaiters: [(ticket: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextStepTicket: UInt64 = 0
    private var lastExpiry = -Double.infinity

    /// Events for the application (messages, delivered, failed, rejected).
    public nonisolated let events: AsyncStream<SecureEvent>

    /// Message ids of which at least one SMS was handed to the transport (`unconfirmed` vs `failed`).
    private var transmitted: Set<UInt64> = []

    /// Opens a channel over `store` (nil: a `MemoryStateStore`, nothing persisted). Messages delivered
    /// before a restart but never committed are reported again as `.message` events.
    public init(identity: Identity, store: (any SecureStateStore)?, configuration: EndpointConfiguration = .init(),
                transport: any FrameTransport,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) async throws(SecureSMSError) {
        let store = store ?? MemoryStateStore()
        var endpoint = SecureEndpoint(identity: identity, configuration: configuration)
        endpoint.load(try await store.read(StateQuery(holdingInbox: true)))
        self.endpoint = endpoint
        self.store = store
        self.transport = transport
        self.clock = clock
        (events, continuation) = AsyncStream<SecureEvent>.makeStream()
        for message in endpoint.pendingMessages { continuation.yield(.message(message)) }
    }

    /// Sends text (see `SecureEndpoint.send(text:to:number:now:)`); returns after the frames were handed over.
    @discardableResult
    public func send(text: String, to peer: PublicKey, number: String) async throws -> SecureEndpoint.SendResult {
        try await run(StateQuery(keys: [peer])) { endpoint, now in
            let result = try endpoint.send(text: text, to: peer, number: number, now: now)
            return (result, result.step)
        }.value
    }

    /// Sends bytes.
    @discardableResult
    public func send(_ payload: [UInt8], to peer: PublicKey, number: String) async throws -> SecureEndpoint.SendResult {
        try await run(StateQuery(keys: [peer])) { endpoint, now in
            let result = try endpoint.send(payload, to: peer, number: number, now: now)
            return (result, result.step)
        }.value
    }

    /// Feeds one received frame. Returns after the state (and so the message, in the endpoint's inbox) is
    /// persisted: only then may the caller delete the SMS from the modem. The message is acknowledged to
    /// its sender only after `commit(_:)`.
    /// Returns the rejection, if the frame was rejected (nothing delivered).
    @discardableResult
    public func receive(_ bytes: [UInt8], from number: String) async throws -> SecureSMSError? {
        let frame: Frame
        switch endpoint.reassemble(bytes, from: number, now: clock()) {
        case .incomplete: return nil
        case .rejected(let step):
            await dispatch(step)
            return step.rejection
        case .frame(let whole): frame = whole
        }
        let query = SecureEndpoint.query(for: frame, from: number)
        var step = try await run(query) { endpoint, now in ((), endpoint.accept(frame, from: number, now: now)) }.step
        if step.rejection == .enrolmentFull {
            // Unverified peers beyond the cap: forget the idle ones (the store holds them all), then retry once.
            try await expire(force: true)
            step = try await run(query) { endpoint, now in ((), endpoint.accept(frame, from: number, now: now)) }.step
        }
        return step.rejection
    }

    /// The application stored the message of `receipt`: persist that, then let the acknowledgement go.
    public func commit(_ receipt: MessageReceipt) async throws {
        let query = receipt.peer.map { StateQuery(keys: [$0]) } ?? StateQuery(holdingInbox: true)
        try await run(query) { endpoint, now in ((), try endpoint.commit(receipt, now: now)) }
    }

    /// Bank side: enrols a key for a customer at a number (persisted).
    public func enrol(_ key: PublicKey, number: String, customerID: String? = nil) async throws {
        try await run(StateQuery(keys: [key])) { endpoint, _ in
            endpoint.enrol(key, number: number, customerID: customerID)
            return ((), EndpointStep())
        }
    }

    /// The record of `key`, if any.
    public func peer(_ key: PublicKey) async throws -> PeerRecord? {
        try await store.read(StateQuery(keys: [key])).peers.first { $0.key == key }?.record
    }

    /// Runs due timers now (acks, replies, retransmissions, failures, idle sessions).
    public func tick() async throws {
        try await run(StateQuery(dueBy: clock())) { endpoint, now in ((), endpoint.tick(now: now)) }
        try await expire(force: false)
    }

    /// Sends owed acknowledgements and handshake replies now.
    public func flush() async throws {
        try await run(StateQuery(dueBy: .infinity)) { endpoint, now in ((), endpoint.flush(now: now)) }
    }

    /// Frames still waiting for an acknowledgement (handshake replies included).
    public var outstandingCount: Int {
        get async { (try? await store.summary().outstanding) ?? 0 }
    }

    /// Messages not yet acknowledged.
    public var unacknowledgedCount: Int {
        get async { (try? await store.summary().unacknowledged) ?? 0 }
    }

    /// Runs the timers (acks, retransmissions, give-ups, expiry) until the task is cancelled, the
    /// service group shuts down gracefully, or ``close()`` is called; then closes the channel. See
    /// ``run(maximumSleep:)``.
    public func run() async throws { await run(maximumSleep: 60) }

    /// Runs the timers when they are due. The loop sleeps until the store's next deadline (at most
    /// `maximumSleep` seconds, at least 10 ms between two runs) and is woken early by every step that
    /// writes, since that step may have set an earlier deadline. No polling, and no task of its own:
    /// it runs in the caller's task (a swift-service-lifecycle `Service`).
    public func run(maximumSleep: Double) async {
        guard !timersRunning, !closed else { return }
        timersRunning = true
        let cap = maximumSleep.isFinite ? max(maximumSleep, 0.01) : 60
        await cancelWhenGracefulShutdown { await self.runTimers(cap: cap) }
        timersRunning = false
        close()
    }

    /// Stops the timers (``run()`` returns) and finishes the event stream.
    public func close() {
        closed = true
        timerSleep?.cancel()
        continuation.finish()
    }

    private func runTimers(cap: Double) async {
        while !Task.isCancelled, !closed {
            await sleepUntilNextDeadline(cap: cap)
            if Task.isCancelled || closed { return }
            try? await tickIfDue()
        }
    }

    private func sleepUntilNextDeadline(cap: Double) async {
        let deadline = (try? await store.nextDeadline()) ?? nil
        let seconds = min(max((deadline ?? .infinity) - clock(), 0.01), cap)
        let sleep = Task { _ = try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
        timerSleep = sleep
        await withTaskCancellationHandler { await sleep.value } onCancel: { sleep.cancel() }
        timerSleep = nil
    }

    /// Marks a peer as holding our key (enrolled out of band), so first contacts are 52-byte hellos (persisted).
    public func markIntroduced(_ peer: PublicKey) async throws {
        try await run(StateQuery(keys: [peer])) { endpoint, _ in
            endpoint.markIntroduced(peer)
            return ((), EndpointStep())
        }
    }

    /// Revokes a peer (persisted); messages still unacknowledged to it are reported.
    public func revoke(_ peer: PublicKey) async throws {
        try await run(StateQuery(keys: [peer])) { endpoint, _ in ((), EndpointStep(events: endpoint.revoke(peer: peer))) }
    }

    /// Forgets a peer (record, replay state and sessions; persisted); messages still unacknowledged to it
    /// are reported, uncommitted ones from it stay until committed.
    public func remove(_ peer: PublicKey) async throws {
        try await run(StateQuery(keys: [peer])) { endpoint, _ in ((), EndpointStep(events: endpoint.remove(peer: peer))) }
    }

    /// Pins a peer for a number (persisted).
    public func pin(_ peer: PublicKey, number: String) async throws {
        try await run(StateQuery(keys: [peer])) { endpoint, _ in
            endpoint.pin(peer, number: number)
            return ((), EndpointStep())
        }
    }

    /// Forces a new handshake for the next message to `peer`.
    public func rekey(_ peer: PublicKey) async throws {
        try await run(StateQuery(keys: [peer])) { endpoint, _ in
            endpoint.rekey(peer: peer)
            return ((), EndpointStep())
        }
    }

    private func tickIfDue() async throws {
        guard let deadline = try await store.nextDeadline(), deadline <= clock() else { return }
        try await tick()
    }

    /// Unverified peers idle beyond the policy and stale first-contact times go (at most once a minute
    /// unless `force`).
    private func expire(force: Bool) async throws {
        let now = clock()
        guard force || now - lastExpiry >= 60 else { return }
        lastExpiry = now
        let policy = endpoint.configuration.enrolment
        try await store.expire(unverifiedIdleBefore: now - policy.unverifiedIdleExpiry,
                               firstContactsBefore: now - policy.rateWindow)
    }

    /// Whether at least one SMS of message `id` was handed to the transport (and its outcome not yet reported).
    public func hasTransmitted(_ id: UInt64) -> Bool { transmitted.contains(id) }

    /// The last error a transmission gave (frames of messages stay in the outbox and are retransmitted).
    public private(set) var lastTransmitError: String?

    /// One step: read the working set, run `body`, write the changes; then transmit and report. A failed
    /// read, body or write throws and transmits and reports nothing (the store keeps what it had).
    @discardableResult
    private func run<T>(_ query: StateQuery, _ body: (inout SecureEndpoint, Double) throws -> (T, EndpointStep))
        async throws -> (value: T, step: EndpointStep) {
        try await acquireStep()
        let value: T
        let step: EndpointStep
        do {
            endpoint.load(try await store.read(query))
            (value, step) = try body(&endpoint, clock())
            let changes = endpoint.changes()
            if !changes.isEmpty {
                try await store.write(changes)
                timerSleep?.cancel()  // the timer loop re-reads the next deadline
            }
        } catch {
            releaseStep()
            throw error
        }
        releaseStep()
        await dispatch(step)
        return (value, step)
    }

    /// Waits for the step in progress to end (FIFO). A caller cancelled while it waits leaves the
    /// queue at once with `CancellationError`; nothing of its step ran.
    private func acquireStep() async throws {
        guard stepping else {
            stepping = true
            return
        }
        nextStepTicket &+= 1
        let ticket = nextStepTicket
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                if Task.isCancelled { continuation.resume(returning: false) } else { stepWaiters.append((ticket, continuation)) }
            }
        } onCancel: {
            Task { await self.cancelStepWaiter(ticket) }
        }
        if !granted { throw CancellationError() }
    }

    /// Callers waiting for the step in progress (tests).
    var waitingSteps: Int { stepWaiters.count }

    private func cancelStepWaiter(_ ticket: UInt64) {
        guard let index = stepWaiters.firstIndex(where: { $0.ticket == ticket }) else { return }
        stepWaiters.remove(at: index).continuation.resume(returning: false)
    }

    private func releaseStep() {
        if stepWaiters.isEmpty { stepping = false } else { stepWaiters.removeFirst().continuation.resume(returning: true) }
    }

    /// Transmit, then tell the application. A transmit error drops no event and does not throw: every
    /// event is reported, frames in the outbox are retransmitted by the timers, and a message none of
    /// whose SMS ever went out ends as `failed` instead of `unconfirmed`.
    private func dispatch(_ step: EndpointStep) async {
        for sms in step.outbound {
            do {
                try await transport.transmit(sms)
                if let id = sms.messageID { transmitted.insert(id) }
            } catch {
                lastTransmitError = "\(error)"
            }
        }
        for event in step.events {
            if case .unconfirmed(let id, let peer) = event, !transmitted.contains(id) {
                continuation.yield(.failed(messageID: id, peer: peer))  // not one SMS of it went out
            } else {
                continuation.yield(event)
            }
            switch event {
            case .delivered(let id, _, _), .unconfirmed(let id, _), .failed(let id, _): transmitted.remove(id)
            default: break
            }
        }
    }
}

extension EndpointStep {
    /// The first rejection the step reports, if any.
    var rejection: SecureSMSError? {
        for case .rejected(_, let error) in events { return error }
        return nil
    }
}
