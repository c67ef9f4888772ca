import Foundation

/// Where a `SecureChannel` hands the SMS it wants sent (a modem, an emulator, an in-memory network).
public protocol FrameTransport: Sendable {
    /// Transmits one frame as one SMS to `sms.to`.
    func transmit(_ sms: OutboundSMS) async throws
}

/// An actor that runs a `SecureEndpoint` for real: persists the state before every transmission,
/// transmits through a `FrameTransport`, fires timers (acks, retransmissions) and streams events.
///
/// Example:
/// ```swift
/// let channel = try SecureChannel(identity: me, stateFile: try StateFile(path: dir + "/state", identity: me),
///                                 transport: myTransport)
/// let sent = try await channel.send(text: "hello", to: bankKey, number: "+100")
/// for await event in channel.events { … }   // feed received SMS with `receive(_:from:)`;
///                                           // store each .message(m), then `commit(m.receipt)`
/// ```
public actor SecureChannel {
    private var endpoint: SecureEndpoint
    private let stateFile: (any SecureStateStore)?
    private let transport: any FrameTransport
    private let clock: @Sendable () -> Double
    private let continuation: AsyncStream<SecureEvent>.Continuation
    private var timerTask: Task<Void, Never>?

    /// Events for the application (messages, delivered, failed, rejected).
    public nonisolated let events: AsyncStream<SecureEvent>

    /// Message ids of which at least one SMS was handed to the transport (`unconfirmed` vs `failed`).
    private var transmitted: Set<UInt64> = []

    /// Opens a channel; restores state from `stateFile` (nil: in memory only). Messages delivered before a
    /// restart but never committed are reported again as `.message` events.
    public init(identity: Identity, stateFile: (any SecureStateStore)?, configuration: EndpointConfiguration = .init(),
                transport: any FrameTransport,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws(SecureSMSError) {
        let state = try stateFile?.load() ?? EndpointState()
        self.endpoint = SecureEndpoint(identity: identity, state: state, configuration: configuration)
        self.stateFile = stateFile
        self.transport = transport
        self.clock = clock
        (events, continuation) = AsyncStream<SecureEvent>.makeStream()
        for message in endpoint.pendingMessages { continuation.yield(.message(message)) }
    }

    /// Sends text (see `SecureEndpoint.send(text:to:number:now:)`); returns after the frames were handed over.
    @discardableResult
    public func send(text: String, to peer: PublicKey, number: String) async throws -> SecureEndpoint.SendResult {
        let result = try endpoint.send(text: text, to: peer, number: number, now: clock())
        try await commit(result.step)
        return result
    }

    /// Sends bytes.
    @discardableResult
    public func send(_ payload: [UInt8], to peer: PublicKey, number: String) async throws -> SecureEndpoint.SendResult {
        let result = try endpoint.send(payload, to: peer, number: number, now: clock())
        try await commit(result.step)
        return result
    }

    /// Feeds one received frame. Returns after the state (and so the message, in the endpoint's inbox) is
    /// persisted: only then may the caller delete the SMS from the modem. The message is acknowledged to
    /// its sender only after `commit(_:)`.
    /// Returns the rejection, if the frame was rejected (nothing delivered).
    @discardableResult
    public func receive(_ bytes: [UInt8], from number: String) async throws -> SecureSMSError? {
        let step = endpoint.receive(bytes, from: number, now: clock())
        try await commit(step)
        for case .rejected(_, let error) in step.events { return error }
        return nil
    }

    /// The application stored the message of `receipt`: persist that, then let the acknowledgement go.
    public func commit(_ receipt: MessageReceipt) async throws {
        try await commit(endpoint.commit(receipt, now: clock()))
    }

    /// Bank side: enrols a key for a customer at a number (persisted).
    public func enrol(_ key: PublicKey, number: String, customerID: String? = nil) throws(SecureSMSError) {
        endpoint.enrol(key, number: number, customerID: customerID)
        try stateFile?.save(endpoint.state)
    }

    /// Runs due timers now (acks, replies, retransmissions, failures).
    public func tick() async throws {
        try await commit(endpoint.tick(now: clock()))
    }

    /// Sends owed acknowledgements and handshake replies now.
    public func flush() async throws {
        try await commit(endpoint.flush(now: clock()))
    }

    /// Frames still waiting for an acknowledgement (handshake replies included).
    public var outstandingCount: Int { endpoint.outstandingCount }

    /// Starts a background task that runs timers when they are due (polling at most every `granularity` s).
    public func startTimers(granularity: Double = 0.25) {
        guard timerTask == nil else { return }
        timerTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(granularity, 0.01) * 1e9))
                guard let self else { return }
                try? await self.tickIfDue()
            }
        }
    }

    /// Stops the timer task and finishes the event stream.
    public func close() {
        timerTask?.cancel()
        timerTask = nil
        continuation.finish()
    }

    /// Marks a peer as holding our key (enrolled out of band), so first contacts are 52-byte hellos (persisted).
    public func markIntroduced(_ peer: PublicKey) throws(SecureSMSError) {
        endpoint.markIntroduced(peer)
        try stateFile?.save(endpoint.state)
    }

    /// Revokes a peer (persisted); messages still unacknowledged to it are reported.
    public func revoke(_ peer: PublicKey) throws(SecureSMSError) {
        let events = endpoint.revoke(peer: peer)
        try stateFile?.save(endpoint.state)
        for event in events { continuation.yield(event) }
    }

    /// Pins a peer for a number (persisted).
    public func pin(_ peer: PublicKey, number: String) throws(SecureSMSError) {
        endpoint.pin(peer, number: number)
        try stateFile?.save(endpoint.state)
    }

    /// Forces a new handshake for the next message to `peer`.
    public func rekey(_ peer: PublicKey) throws(SecureSMSError) {
        endpoint.rekey(peer: peer)
        try stateFile?.save(endpoint.state)
    }

    /// Messages not yet acknowledged.
    public var unacknowledgedCount: Int { endpoint.unacknowledgedCount }

    private func tickIfDue() async throws {
        guard let deadline = endpoint.nextDeadline, deadline <= clock() else { return }
        try await tick()
    }

    /// Whether at least one SMS of message `id` was handed to the transport (and its outcome not yet reported).
    public func hasTransmitted(_ id: UInt64) -> Bool { transmitted.contains(id) }

    /// The last error a transmission gave (frames of messages stay in the outbox and are retransmitted).
    public private(set) var lastTransmitError: String?

    /// Persist first, then transmit, then tell the application. A transmit error drops no event and does
    /// not throw: every event is reported, frames in the outbox are retransmitted by the timers, and a
    /// message none of whose SMS ever went out ends as `failed` instead of `unconfirmed`. Only a failed
    /// save throws (then nothing was transmitted or reported).
    private func commit(_ step: EndpointStep) async throws {
        try stateFile?.save(endpoint.state)
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
