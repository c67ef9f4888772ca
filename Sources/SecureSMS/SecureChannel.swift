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
/// let channel = try SecureChannel(identity: me, stateFile: StateFile(path: dir + "/state", identity: me),
///                                 transport: myTransport)
/// let sent = try await channel.send(text: "hello", to: bankKey, number: "+100")
/// for await event in channel.events { … }   // feed received SMS with `receive(_:from:)`
/// ```
public actor SecureChannel {
    private var endpoint: SecureEndpoint
    private let stateFile: StateFile?
    private let transport: any FrameTransport
    private let clock: @Sendable () -> Double
    private let continuation: AsyncStream<SecureEvent>.Continuation
    private var timerTask: Task<Void, Never>?

    /// Events for the application (messages, delivered, failed, rejected).
    public nonisolated let events: AsyncStream<SecureEvent>

    /// Opens a channel; restores state from `stateFile` (nil: in memory only).
    public init(identity: Identity, stateFile: StateFile?, configuration: EndpointConfiguration = .init(),
                transport: any FrameTransport,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws(SecureSMSError) {
        let state = try stateFile?.load() ?? EndpointState()
        self.endpoint = SecureEndpoint(identity: identity, state: state, configuration: configuration)
        self.stateFile = stateFile
        self.transport = transport
        self.clock = clock
        (events, continuation) = AsyncStream<SecureEvent>.makeStream()
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

    /// Feeds one received frame. Returns after the state (and so the delivery) is persisted: only then
    /// may the caller delete the SMS from the modem.
    public func receive(_ bytes: [UInt8], from number: String) async throws {
        try await commit(endpoint.receive(bytes, from: number, now: clock()))
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

    /// Revokes a peer (persisted).
    public func revoke(_ peer: PublicKey) throws(SecureSMSError) {
        endpoint.revoke(peer: peer)
        try stateFile?.save(endpoint.state)
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

    /// Persist first, then transmit, then tell the application.
    private func commit(_ step: EndpointStep) async throws {
        try stateFile?.save(endpoint.state)
        for sms in step.outbound { try await transport.transmit(sms) }
        for event in step.events { continuation.yield(event) }
    }
}
