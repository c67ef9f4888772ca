/// Settings of a `SecureEndpoint`.
public struct EndpointConfiguration: Sendable, Equatable {
    /// How frames travel: binary port-addressed SMS (133 bytes per SMS) or the GSM-7 text fallback (119).
    public var transport: SecureTransportKind
    /// Retransmission of unacknowledged messages.
    public var retry: RetryPolicy
    /// Seconds an acknowledgement (or a handshake reply) may wait for an outgoing message to ride on.
    public var ackDelay: Double
    /// Maximum unacknowledged messages per session (≤ 16, the ack bitmap width).
    public var window: Int
    /// Refuse sessions whose trust is `changed` (default: accept and report).
    public var rejectChangedPeers: Bool

    /// Creates a configuration.
    public init(transport: SecureTransportKind = .binary, retry: RetryPolicy = RetryPolicy(), ackDelay: Double = 2,
                window: Int = 16, rejectChangedPeers: Bool = false) {
        self.transport = transport
        self.retry = retry
        self.ackDelay = max(0, ackDelay)
        self.window = min(max(window, 1), 16)
        self.rejectChangedPeers = rejectChangedPeers
    }
}

/// Everything an endpoint must remember across restarts (persist it with `StateFile` before sending).
public struct EndpointState: Codable, Sendable, Equatable {
    var sessions: [Session] = []
    /// Known peers and their trust records.
    public var peers = PeerStore()
    /// Ids (`Frame.firstContactID`) of accepted first contacts (replay cache), oldest first.
    var replayCache: [[UInt8]] = []
    /// Peers known to hold our key (so a hello, not an intro, suffices).
    var introducedTo: Set<PublicKey> = []
    var nextMessageID: UInt64 = 1
    var nextSessionID: UInt64 = 1
    /// Last intro counter used (24 bits; persisted before each intro so no counter repeats). Starts at a
    /// random value, so a client that lost its state but kept its key is unlikely to repeat an old one.
    var introCounter: UInt32?
    /// Intro frames sent with this state (at most 2^24 - 1, then `counterExhausted`); optional so
    /// state files written before intro counters existed still load.
    var introsSent: UInt32?

    /// Creates an empty state.
    public init() {}

    static let replayCacheLimit = 4096
    static let sessionsPerPeer = 3
}

/// The SecureSMS protocol engine: a deterministic state machine from application messages and
/// received SMS to SMS to send and events. It does no I/O and reads no clock: callers pass `now`
/// (seconds) and transmit `EndpointStep.outbound` after persisting `state`.
///
/// Example:
/// ```swift
/// var alice = SecureEndpoint(identity: aliceID)
/// let sent = try alice.send(text: "hello", to: bankKey, number: "+100", now: 0)
/// // transmit sent.step.outbound; feed SMS from the bank to alice.receive(bytes, from: "+100", now: t)
/// ```
public struct SecureEndpoint: Sendable {
    /// This endpoint's identity.
    public let identity: Identity
    /// The persisted state.
    public private(set) var state: EndpointState
    /// Settings.
    public var configuration: EndpointConfiguration
    private var reassembler = Reassembler()
    private let ephemeralSource: @Sendable () throws(SecureSMSError) -> Handshake.Ephemeral

    /// Largest application payload of one message (255 SMS worth).
    public static let maxPayload = 16 * 1024

    /// Creates an endpoint from an identity and (restored) state.
    public init(identity: Identity, state: EndpointState = EndpointState(), configuration: EndpointConfiguration = .init()) {
        self.init(identity: identity, state: state, configuration: configuration,
                  ephemerals: { () throws(SecureSMSError) in try Handshake.Ephemeral.generate() })
    }

    /// Creates an endpoint whose ephemeral keys come from `ephemerals` (deterministic tests and vectors).
    init(identity: Identity, state: EndpointState, configuration: EndpointConfiguration,
         ephemerals: @escaping @Sendable () throws(SecureSMSError) -> Handshake.Ephemeral) {
        self.identity = identity
        self.state = state
        self.configuration = configuration
        self.ephemeralSource = ephemerals
    }

    // MARK: Sending

    /// The result of `send`: the message id (reported again in `delivered`/`failed`) and what to transmit.
    public struct SendResult: Sendable, Equatable {
        /// Local id of the message.
        public var messageID: UInt64
        /// SMS to transmit now (empty if the message waits for the handshake or window).
        public var step: EndpointStep
        /// The cost of this message, if it was sealed now.
        public var cost: MessageCost?
    }

    /// Sends text: packed GSM-7 inside the ciphertext when possible, UTF-8 otherwise.
    public mutating func send(text: String, to peer: PublicKey, number: String, now: Double) throws(SecureSMSError) -> SendResult {
        if let packed = PackedText.pack(text) { return try send(packed, isText: true, to: peer, number: number, now: now) }
        return try send(Array(text.utf8), isText: false, to: peer, number: number, now: now)
    }

    /// Sends bytes to `peer` at `number`, starting a session (0-RTT first contact) when there is none.
    public mutating func send(_ payload: [UInt8], isText: Bool = false, to peer: PublicKey, number: String,
                              now: Double) throws(SecureSMSError) -> SendResult {
        guard payload.count <= SecureEndpoint.maxPayload else {
            throw .payloadTooLarge(payload.count, limit: SecureEndpoint.maxPayload)
        }
        if state.peers.isRevoked(peer) { throw .revoked(fingerprint: peer.fingerprint) }
        if state.peers.record(for: peer) == nil { state.peers.pin(peer, number: number) }
        let messageID = state.nextMessageID
        state.nextMessageID += 1
        let queued = Session.Queued(messageID: messageID, plaintext: payload, isText: isText)
        var step = EndpointStep()
        if let index = currentSessionIndex(for: peer) {
            state.sessions[index].queue.append(queued)
            step = try pump(index, now: now)
        } else {
            step = try startSession(with: peer, number: number, first: queued, now: now)
        }
        let cost = state.sessions.lazy.flatMap(\.outbox).first { $0.messageID == messageID }?.cost
        return SendResult(messageID: messageID, step: step, cost: cost)
    }

    /// Forces the next message to `peer` to start a fresh session (new ephemerals).
    public mutating func rekey(peer: PublicKey) {
        for i in state.sessions.indices where state.sessions[i].peer == peer { state.sessions[i].retired = true }
    }

    /// Revokes `peer`: deletes its sessions and rejects its frames from now on.
    public mutating func revoke(peer: PublicKey) {
        state.peers.revoke(peer)
        state.sessions.removeAll { $0.peer == peer }
    }

    /// Marks `peer` as holding our key (it was enrolled out of band), so first contacts use hello (52 bytes).
    public mutating func markIntroduced(_ peer: PublicKey) {
        state.introducedTo.insert(peer)
    }

    /// Pins `peer` for `number` (confirms a `changed` peer).
    public mutating func pin(_ peer: PublicKey, number: String) {
        state.peers.pin(peer, number: number)
    }

    /// Sends every owed acknowledgement and handshake reply now (before a short-lived process exits).
    public mutating func flush(now: Double) -> EndpointStep {
        var step = EndpointStep()
        for index in state.sessions.indices where state.sessions[index].ackOwedSince != nil {
            do {
                step.append(try flushAck(index, now: now))
            } catch {
                step.events.append(.rejected(from: state.sessions[index].number, error: error))
            }
        }
        return step
    }

    /// Frames waiting for an acknowledgement, including handshake replies without application data.
    public var outstandingCount: Int {
        state.sessions.reduce(0) { $0 + $1.outbox.count + $1.queue.count }
    }

    /// Messages sealed or queued but not yet acknowledged.
    public var unacknowledgedCount: Int {
        state.sessions.reduce(0) { $0 + $1.outbox.filter(\.reportable).count + $1.queue.count }
    }

    private func currentSessionIndex(for peer: PublicKey) -> Int? {
        state.sessions.indices.last { state.sessions[$0].peer == peer && !state.sessions[$0].retired }
    }

    private mutating func startSession(with peer: PublicKey, number: String, first: Session.Queued,
                                       now: Double) throws(SecureSMSError) -> EndpointStep {
        let ephemeral = try ephemeralSource()
        var introCounter: UInt32?
        if !state.introducedTo.contains(peer) {
            let sent = state.introsSent ?? 0
            guard sent < Frame.maxCounter else { throw SecureSMSError.counterExhausted }
            // Random start (the ephemeral source is the CSPRNG, seeded only in tests), then +1 mod 2^24.
            let start = ephemeral.publicKey.prefix(3).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let next = state.introCounter.map { ($0 &+ 1) & Frame.maxCounter } ?? start
            state.introCounter = next
            state.introsSent = sent + 1
            introCounter = next
        }
        let (frame, pending) = try Handshake.initiate(me: identity, responder: peer, introduceWith: introCounter,
                                                      plaintext: first.plaintext, flags: first.isText ? .text : [],
                                                      ephemeral: ephemeral)
        var session = Session(id: state.nextSessionID, role: .initiator, peer: peer, number: number, numbers: [number],
                              trust: .pinned, phase: .awaitingReply(pending), initiatorEphemeral: frame.firstContactID)
        state.nextSessionID += 1
        let step = try enqueue(frame, seq: 0, messageID: first.messageID, payloadBytes: first.plaintext.count,
                               reportable: true, into: &session, now: now)
        state.sessions.append(session)
        trimSessions(of: peer)
        return step
    }

    /// Seals queued messages while the session is established and the window allows.
    private mutating func pump(_ index: Int, now: Double) throws(SecureSMSError) -> EndpointStep {
        var step = EndpointStep()
        var session = state.sessions[index]
        defer { state.sessions[index] = session }
        if case .replyOwed(let pending) = session.phase {
            let first = session.queue.isEmpty ? nil : session.queue.removeFirst()
            step.append(try sendReply(pending, carrying: first, in: &session, now: now))
        }
        guard session.isEstablished, var chain = session.send else { return step }
        while !session.queue.isEmpty {
            let lowest = session.outbox.map(\.seq).min() ?? chain.nextCounter
            guard Int(chain.nextCounter) - Int(lowest) < configuration.window else { break }
            let message = session.queue.removeFirst()
            let (counter, key) = try chain.nextMessageKey()
            var flags: FrameFlags = message.isText ? .text : []
            var plaintext = message.plaintext
            let upgradeKey = session.upgradeKey ?? []
            if session.ackOwedSince != nil, piggyBackFits(payload: upgradeKey.count + plaintext.count, counter: counter) {
                flags.insert(.hasAck)
                plaintext = session.tracker.ack.bytes + plaintext
                session.ackOwedSince = nil
            }
            var frame = Frame(header: FrameHeader(type: .data, flags: flags), counter: counter)
            // An intro session's first data frame carries the client's upgrade ephemeral in clear before
            // the ciphertext (authenticated as additional data), sealed under the upgraded chain (§3.3).
            frame.body = upgradeKey + (try Sodium.seal(plaintext, key: key, nonce: ChainKDF.nonce(type: .data, counter: counter),
                                                       ad: session.associatedData(frame) + upgradeKey))
            session.upgradeKey = nil
            session.send = chain
            step.append(try enqueue(frame, seq: counter, messageID: message.messageID,
                                    payloadBytes: message.plaintext.count, reportable: true, into: &session, now: now))
        }
        return step
    }

    /// Whether adding the 5-byte ack keeps the message in the same number of SMS.
    private func piggyBackFits(payload: Int, counter: UInt32) -> Bool {
        let fixed = 4
        let capacity = configuration.transport.capacity
        let without = Fragmenter.segmentCount(frameBytes: fixed + payload + Sodium.tagBytes, fixedBytes: fixed, capacity: capacity)
        let with = Fragmenter.segmentCount(frameBytes: fixed + payload + AckBody.size + Sodium.tagBytes, fixedBytes: fixed,
                                           capacity: capacity)
        return with == without
    }

    private mutating func sendReply(_ pending: Session.ResponderPending, carrying message: Session.Queued?,
                                    in session: inout Session, now: Double) throws(SecureSMSError) -> EndpointStep {
        let accepted = Handshake.Accepted(initiator: session.peer, initiatorEphemeral: pending.initiatorEphemeral,
                                          state: pending.state, payload: [])
        let ephemeral = try ephemeralSource()
        let (frame, done) = try Handshake.reply(accepted: accepted, plaintext: message?.plaintext ?? [],
                                                flags: (message?.isText ?? false) ? .text : [], ephemeral: ephemeral)
        if pending.initiatorEphemeral.isEmpty {
            // Intro session: keep e_r until the client's upgrade frame authenticates (§3.3).
            session.upgradeAwaited = .init(state: done.state, replyEphemeral: ephemeral)
        }
        session.phase = .established
        session.sessionID = done.sessionID
        session.send = done.send
        session.receive = done.receive
        session.ackOwedSince = nil
        let messageID = message?.messageID ?? 0
        return try enqueue(frame, seq: 0, messageID: messageID, payloadBytes: message?.plaintext.count ?? 0,
                           reportable: message != nil, into: &session, now: now)
    }

    private func enqueue(_ frame: Frame, seq: UInt32, messageID: UInt64, payloadBytes: Int, reportable: Bool,
                         into session: inout Session, now: Double) throws(SecureSMSError) -> EndpointStep {
        let frames = try Fragmenter.split(frame, capacity: configuration.transport.capacity).map(\.bytes)
        let wire = frames.reduce(0) { $0 + $1.count }
        let cost = MessageCost(segments: frames.count, wireBytes: wire, overheadBytes: wire - payloadBytes)
        session.outbox.append(Session.OutboxEntry(messageID: messageID, seq: seq, frames: frames, attempts: 1,
                                                  nextAttempt: now + configuration.retry.timeout(afterAttempt: 1),
                                                  cost: cost, reportable: reportable))
        return EndpointStep(outbound: frames.map { OutboundSMS(to: session.number, bytes: $0) })
    }

    private mutating func trimSessions(of peer: PublicKey) {
        let mine = state.sessions.indices.filter { state.sessions[$0].peer == peer }
        guard mine.count > EndpointState.sessionsPerPeer else { return }
        let drop = Set(mine.prefix(mine.count - EndpointState.sessionsPerPeer).map { state.sessions[$0].id })
        state.sessions.removeAll { drop.contains($0.id) }
    }

    // MARK: Receiving

    /// Feeds one received SMS (frame bytes) from `number`. Never throws: bad frames become `.rejected` events.
    public mutating func receive(_ bytes: [UInt8], from number: String, now: Double) -> EndpointStep {
        do {
            let frame = try Frame(bytes: bytes)
            guard let whole = try reassembler.add(frame, from: number, now: now) else { return EndpointStep() }
            switch whole.header.type {
            case .hello, .intro: return try acceptFirstContact(whole, from: number, now: now)
            case .reply: return try acceptReply(whole, from: number, now: now)
            case .data: return try acceptData(whole, from: number, now: now)
            case .ack: return try acceptAck(whole, from: number, now: now)
            case .cont: throw SecureSMSError.unknownFrameType(FrameType.cont.rawValue)
            }
        } catch let error as SecureSMSError {
            return EndpointStep(events: [.rejected(from: number, error: error)])
        } catch {
            return EndpointStep(events: [.rejected(from: number, error: .io("\(error)"))])
        }
    }

    private mutating func acceptFirstContact(_ frame: Frame, from number: String, now: Double) throws -> EndpointStep {
        if let index = state.sessions.firstIndex(where: { $0.role == .responder && $0.initiatorEphemeral == frame.firstContactID }) {
            // A duplicate (the initiator did not get our reply yet): re-send the reply, deliver nothing.
            return resend(index, seqs: [0])
        }
        if state.replayCache.contains(frame.firstContactID) { throw SecureSMSError.replayed(counter: 0) }
        let accepted = try Handshake.accept(me: identity, frame: frame,
                                            candidates: state.peers.candidates(keyID: frame.keyID))
        var trust = try state.peers.observe(accepted.initiator, number: number)
        if trust == .changed, configuration.rejectChangedPeers {
            throw SecureSMSError.authenticationFailed
        }
        if trust == .new, state.introducedTo.contains(accepted.initiator) { trust = .pinned }
        state.replayCache.append(frame.firstContactID)
        if state.replayCache.count > EndpointState.replayCacheLimit { state.replayCache.removeFirst() }
        state.introducedTo.insert(accepted.initiator)
        var session = Session(id: state.nextSessionID, role: .responder, peer: accepted.initiator, number: number,
                              numbers: [number], trust: trust,
                              phase: .replyOwed(.init(state: accepted.state, initiatorEphemeral: frame.ephemeral)),
                              initiatorEphemeral: frame.firstContactID)
        state.nextSessionID += 1
        session.ackOwedSince = now
        var step = EndpointStep()
        deliver(seq: 0, payload: accepted.payload, flags: frame.header.flags, in: &session, from: number, into: &step)
        state.sessions.append(session)
        trimSessions(of: accepted.initiator)
        return step
    }

    private mutating func acceptReply(_ frame: Frame, from number: String, now: Double) throws -> EndpointStep {
        var lastError = SecureSMSError.noSession(from: number)
        for index in state.sessions.indices.reversed() {
            guard case .awaitingReply(let pending) = state.sessions[index].phase else { continue }
            let done: Handshake.Completed
            do {
                done = try Handshake.finish(me: identity, pending: pending, frame: frame)
            } catch {
                lastError = error
                continue
            }
            var session = state.sessions[index]
            session.phase = .established
            session.sessionID = done.sessionID
            session.send = done.send
            session.receive = done.receive
            if pending.ephemeral == nil {
                // Intro session: bring an ephemeral in our next data frame; the secret is used here and dropped.
                let ephemeral = try ephemeralSource()
                let roots = Handshake.upgradedRoots(
                    after: done.state, clientEphemeral: ephemeral.publicKey,
                    ee: try Sodium.x25519(secret: ephemeral.secretKey, public: frame.ephemeral),
                    es: try Sodium.x25519(secret: ephemeral.secretKey, public: session.peer.bytes))
                session.send = SendChain(upgrading: done.send, root: roots.initiatorToResponder)
                session.alternateReceive = ReceiveChain(root: roots.responderToInitiator, ackKey: done.receive.ackKey)
                session.upgradeKey = ephemeral.publicKey
            }
            session.numbers.insert(number)
            state.introducedTo.insert(session.peer)
            if number != session.number { session.trust = (try? state.peers.observe(session.peer, number: number)) ?? .changed }
            var step = EndpointStep()
            step.events += acknowledge(AckBody(cumulative: 1, bitmap: 0), in: &session)
            if !done.payload.isEmpty {
                deliver(seq: 0, payload: done.payload, flags: frame.header.flags, in: &session, from: number, into: &step)
            } else {
                _ = session.tracker.record(0, .init(payload: [], isText: false, deliver: false))
            }
            session.ackOwedSince = now
            state.sessions[index] = session
            step.append(try pump(index, now: now))
            return step
        }
        let established = state.sessions.indices.filter {
            state.sessions[$0].role == .initiator && state.sessions[$0].isEstablished && state.sessions[$0].numbers.contains(number)
        }
        if !established.isEmpty {
            // Probably a retransmitted reply (our ack was lost): acknowledge again, deliver nothing.
            for index in established { state.sessions[index].ackOwedSince = state.sessions[index].ackOwedSince ?? now }
            throw SecureSMSError.replayed(counter: 0)
        }
        throw lastError
    }

    private mutating func acceptData(_ frame: Frame, from number: String, now: Double) throws -> EndpointStep {
        var failure = SecureSMSError.noSession(from: number)
        for index in candidateSessions(number: number) {
            var session = state.sessions[index]
            guard let chain = session.receive else { continue }
            let plaintext: [UInt8]
            do {
                plaintext = try Self.openData(frame, chain: chain, in: &session, identity: identity)
            } catch {
                if case .replayed = error, session.tracker.hasReceived(frame.counter) {
                    state.sessions[index].ackOwedSince = state.sessions[index].ackOwedSince ?? now
                }
                if failure == .noSession(from: number) || error != .authenticationFailed { failure = error }
                continue
            }
            session.numbers.insert(number)
            var step = EndpointStep()
            var payload = plaintext
            if frame.header.flags.contains(.hasAck) {
                let ack = try AckBody(bytes: plaintext)
                payload = Array(plaintext.dropFirst(AckBody.size))
                step.events += acknowledge(ack, in: &session)
            }
            deliver(seq: frame.counter, payload: payload, flags: frame.header.flags, in: &session, from: number, into: &step)
            if let below = session.alternateBelow, session.tracker.cumulative >= below {
                session.alternateReceive = nil  // every counter the old chain could carry arrived
                session.alternateBelow = nil
            }
            session.ackOwedSince = session.ackOwedSince ?? now
            state.sessions[index] = session
            step.append(try pump(index, now: now))
            return step
        }
        throw failure
    }

    /// Opens a data frame for `session`: under its receive chain, else (intro sessions) under the upgrade.
    /// Commits chain changes into `session` only when the tag verifies.
    private static func openData(_ frame: Frame, chain: ReceiveChain, in session: inout Session,
                                 identity: Identity) throws(SecureSMSError) -> [UInt8] {
        let nonce = ChainKDF.nonce(type: .data, counter: frame.counter)
        var main = chain
        let firstError: SecureSMSError
        do {
            let key = try main.messageKey(for: frame.counter)
            let plaintext = try Sodium.open(frame.body, key: key, nonce: nonce, ad: session.associatedData(frame))
            session.receive = main
            return plaintext
        } catch {
            firstError = error
        }
        if let awaited = session.upgradeAwaited, frame.body.count >= 32 + Sodium.tagBytes,
           let send = session.send {
            // Bank: the client's upgrade frame, E_c ‖ ciphertext under the upgraded chain.
            let clientEphemeral = Array(frame.body.prefix(32))
            let roots = Handshake.upgradedRoots(
                after: awaited.state, clientEphemeral: clientEphemeral,
                ee: try Sodium.x25519(secret: awaited.replyEphemeral.secretKey, public: clientEphemeral),
                es: try Sodium.x25519(secret: identity.secretKey, public: clientEphemeral))
            var upgraded = ReceiveChain(root: roots.initiatorToResponder, ackKey: chain.ackKey)
            let key = try upgraded.messageKey(for: frame.counter)
            let plaintext = try Sodium.open(Array(frame.body.dropFirst(32)), key: key, nonce: nonce,
                                            ad: session.associatedData(frame) + clientEphemeral)
            session.receive = upgraded
            session.send = SendChain(upgrading: send, root: roots.responderToInitiator)
            session.upgradeAwaited = nil  // erases e_r
            return plaintext
        }
        guard var alternate = session.alternateReceive,
              session.alternateBelow.map({ frame.counter < $0 }) ?? true else { throw firstError }
        let switching = session.alternateBelow == nil
        if switching { alternate.skipUnused(below: session.tracker.ack.cumulative) }
        let key = try alternate.messageKey(for: frame.counter)
        let plaintext = try Sodium.open(frame.body, key: key, nonce: nonce, ad: session.associatedData(frame))
        if switching {
            // Client: the bank switched to the upgraded chain; keep the old one only for older counters.
            session.alternateReceive = chain
            session.alternateBelow = frame.counter
            session.receive = alternate
        } else {
            session.alternateReceive = alternate
        }
        return plaintext
    }

    private mutating func acceptAck(_ frame: Frame, from number: String, now: Double) throws -> EndpointStep {
        for index in candidateSessions(number: number) {
            var session = state.sessions[index]
            guard let chain = session.receive,
                  let body = try? Sodium.open(frame.body, key: chain.ackKey,
                                              nonce: ChainKDF.nonce(type: .ack, counter: frame.counter),
                                              ad: session.associatedData(frame))
            else { continue }
            let ack = try AckBody(bytes: body)
            var step = EndpointStep(events: acknowledge(ack, in: &session))
            state.sessions[index] = session
            step.append(try pump(index, now: now))
            return step
        }
        throw SecureSMSError.authenticationFailed
    }

    /// Established sessions that frames from `number` may belong to, newest first.
    private func candidateSessions(number: String) -> [Int] {
        state.sessions.indices.reversed().filter { state.sessions[$0].isEstablished && state.sessions[$0].numbers.contains(number) }
    }

    private func deliver(seq: UInt32, payload: [UInt8], flags: FrameFlags, in session: inout Session, from number: String,
                         into step: inout EndpointStep) {
        let isText = flags.contains(.text)
        let bytes = isText ? Array(PackedText.unpack(payload).utf8) : payload
        for (n, message) in session.tracker.record(seq, .init(payload: bytes, isText: isText, deliver: true)) where message.deliver {
            step.events.append(.message(ReceivedMessage(from: number, peer: session.peer, payload: message.payload,
                                                        isText: message.isText, trust: session.trust, sequence: n)))
            if session.trust == .new { session.trust = .pinned }  // `new` is reported once, then trusted on first use
        }
    }

    /// Removes acknowledged entries from the outbox and reports them.
    private func acknowledge(_ ack: AckBody, in session: inout Session) -> [SecureEvent] {
        var events: [SecureEvent] = []
        session.outbox.removeAll { entry in
            guard ack.acknowledges(entry.seq) else { return false }
            if entry.reportable { events.append(.delivered(messageID: entry.messageID, peer: session.peer, cost: entry.cost)) }
            return true
        }
        return events
    }

    // MARK: Timers

    /// The earliest time at which `tick` has something to do, if any.
    public var nextDeadline: Double? {
        var deadline: Double?
        for session in state.sessions {
            for entry in session.outbox { deadline = min(deadline ?? entry.nextAttempt, entry.nextAttempt) }
            if let since = session.ackOwedSince { deadline = min(deadline ?? since + configuration.ackDelay, since + configuration.ackDelay) }
        }
        return deadline
    }

    /// Sends owed replies and acks whose delay passed, retransmits due messages, reports failures.
    public mutating func tick(now: Double) -> EndpointStep {
        var step = EndpointStep()
        for index in state.sessions.indices {
            if let since = state.sessions[index].ackOwedSince, now >= since + configuration.ackDelay {
                do {
                    step.append(try flushAck(index, now: now))
                } catch {
                    step.events.append(.rejected(from: state.sessions[index].number, error: error))
                }
            }
            let policy = configuration.retry
            var session = state.sessions[index]
            var due: [UInt32] = []
            session.outbox.removeAll { entry in
                guard entry.nextAttempt <= now else { return false }
                if entry.attempts >= policy.maximumAttempts {
                    if entry.reportable { step.events.append(.failed(messageID: entry.messageID, peer: session.peer)) }
                    return true
                }
                due.append(entry.seq)
                return false
            }
            for i in session.outbox.indices where due.contains(session.outbox[i].seq) {
                session.outbox[i].attempts += 1
                session.outbox[i].nextAttempt = now + policy.timeout(afterAttempt: session.outbox[i].attempts)
            }
            state.sessions[index] = session
            step.append(resend(index, seqs: due))
        }
        return step
    }

    private func resend(_ index: Int, seqs: [UInt32]) -> EndpointStep {
        let session = state.sessions[index]
        let frames = session.outbox.filter { seqs.contains($0.seq) }.flatMap(\.frames)
        return EndpointStep(outbound: frames.map { OutboundSMS(to: session.number, bytes: $0) })
    }

    private mutating func flushAck(_ index: Int, now: Double) throws(SecureSMSError) -> EndpointStep {
        if case .replyOwed = state.sessions[index].phase { return try pump(index, now: now) }
        var session = state.sessions[index]
        guard session.isEstablished, var chain = session.send else { return EndpointStep() }
        session.ackOwedSince = nil
        let counter = try chain.nextAck()
        var frame = Frame(header: FrameHeader(type: .ack), counter: counter)
        frame.body = try Sodium.seal(session.tracker.ack.bytes, key: chain.ackKey,
                                     nonce: ChainKDF.nonce(type: .ack, counter: counter), ad: session.associatedData(frame))
        session.send = chain
        state.sessions[index] = session
        return EndpointStep(outbound: [OutboundSMS(to: session.number, bytes: frame.bytes)])
    }
}
