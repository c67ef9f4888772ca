/// The SecureSMS v2 protocol engine: a deterministic state machine from application messages and
/// received SMS to SMS to send and events. It does no I/O and reads no clock: callers pass `now`
/// (seconds), persist `state`, and only then transmit `EndpointStep.outbound` and report its events.
///
/// Delivery is two-phase: a `.message` event carries a `receipt`; the application stores the message and
/// calls `commit(_:now:)`, and only then is the message acknowledged to the sender. Until then it stays in
/// the session's inbox (`pendingMessages`), so a crash between the two loses nothing.
///
/// Example:
/// ```swift
/// var alice = SecureEndpoint(identity: aliceID)                      // a client
/// let sent = try alice.send(text: "hello", to: bankKey, number: "+100", now: 0)
/// // transmit sent.step.outbound; feed SMS from the bank to alice.receive(bytes, from: "+100", now: t)
/// // for each .message(m): store it, then alice.commit(m.receipt, now: t)
/// ```
public struct SecureEndpoint: Sendable {
    /// This endpoint's identity.
    public let identity: Identity
    /// The persisted state.
    public private(set) var state: EndpointState
    /// Settings.
    public var configuration: EndpointConfiguration
    private var reassembler = FrameReassembler()
    /// What the last `load` gave (`changes()` reports the difference).
    private var baseline = StoredState()
    /// Store mode: unverified peers and tracked numbers in the store beyond the loaded working set.
    private var unverifiedElsewhere = 0
    private var trackedNumbersElsewhere = 0
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

    // MARK: Working set (store mode)

    /// Replaces the state with a store's working set for one step (`SecureStateStore.read`). Everything a
    /// step changes is then reported by `changes()`; the reassembly buffer is kept across loads.
    public mutating func load(_ snapshot: StateSnapshot) {
        state.load(snapshot)
        baseline = StoredState()
        baseline.counters = snapshot.counters
        for peer in snapshot.peers { baseline.peers[peer.key] = peer }
        baseline.numberFirstContacts = snapshot.numberFirstContacts
        unverifiedElsewhere = max(0, snapshot.unverifiedTotal - state.peers.unverifiedCount)
        trackedNumbersElsewhere = max(0, snapshot.trackedNumbersTotal - snapshot.numberFirstContacts.count)
    }

    /// What changed since the last `load` (or since creation): the peers to write, with their index
    /// columns, the peers to delete, the counters and the first-contact times.
    public func changes() -> StateChanges {
        var changes = StateChanges()
        if state.counters != baseline.counters { changes.counters = state.counters }
        let grouped = state.sessionsByPeer
        for key in Set(baseline.peers.keys).union(state.peers.records.keys).union(grouped.keys) {
            let record = state.peers[key]
            let sessions = grouped[key] ?? []
            if record == nil, sessions.isEmpty {
                if baseline.peers[key] != nil { changes.removedPeers.append(key) }
                continue
            }
            let peer = PeerState(key: key, record: record, sessions: sessions, configuration: configuration)
            if baseline.peers[key] != peer { changes.peers.append(peer) }
        }
        for (number, times) in state.numberFirstContacts where baseline.numberFirstContacts[number] != times {
            changes.numberFirstContacts[number] = times
        }
        for number in baseline.numberFirstContacts.keys where state.numberFirstContacts[number] == nil {
            changes.numberFirstContacts[number] = []
        }
        return changes
    }

    /// The peers a received frame may concern (what to `load` before `accept`).
    public static func query(for frame: Frame, from number: String) -> StateQuery {
        var query = StateQuery(number: number)
        switch frame.header.type {
        case .hello:
            query.keyID = frame.keyID
            query.totals = true
        case .intro:
            if let key = try? PublicKey(bytes: frame.staticKey) { query.keys = [key] }
            query.totals = true
        case .reply:
            query.awaitingReply = true
        case .data, .ack, .cont:
            break
        }
        return query
    }

    // MARK: Peers

    /// Bank side: enrols `key` (obtained out of band) for `customerID` at `number`. Replies to the key go to
    /// `number` only. Re-enrolling updates the number and customer and keeps the replay state.
    public mutating func enrol(_ key: PublicKey, number: String, customerID: String? = nil) {
        var record = state.peers[key] ?? PeerRecord(key: key, trust: .enrolled, number: number)
        record.trust = .enrolled
        record.number = number
        record.customerID = customerID
        record.revoked = false
        state.peers[key] = record
        for i in state.sessions.indices where state.sessions[i].peer == key { state.sessions[i].number = number }
    }

    /// Client side: pins the responder `key` at `number` (the bank key shipped with the app, `--peer`).
    public mutating func pin(_ key: PublicKey, number: String) {
        var record = state.peers[key] ?? PeerRecord(key: key, trust: .pinned, number: number)
        if record.trust == .unverified { record.trust = .pinned }
        record.number = number
        state.peers[key] = record
        for i in state.sessions.indices where state.sessions[i].peer == key { state.sessions[i].number = number }
    }

    /// Forgets `key` entirely: its record (with its replay state) and its sessions. Unacknowledged messages
    /// to it are reported `unconfirmed`/`failed`, uncommitted ones from it stay available until committed.
    @discardableResult
    public mutating func remove(peer key: PublicKey) -> [SecureEvent] {
        state.peers[key] = nil
        return dropSessions { $0.peer == key && $0.inbox.isEmpty }
    }

    /// Revokes `key`: its frames are rejected and nothing more is sent to it (the record stays, so its
    /// first contacts stay refused).
    @discardableResult
    public mutating func revoke(peer key: PublicKey) -> [SecureEvent] {
        var record = state.peers[key] ?? PeerRecord(key: key, trust: .enrolled, number: "")
        record.revoked = true
        state.peers[key] = record
        return dropSessions { $0.peer == key && $0.inbox.isEmpty }
    }

    /// Marks `peer` as holding our key (enrolled at the bank out of band), so first contacts use hello (52 bytes).
    public mutating func markIntroduced(_ peer: PublicKey) {
        var record = state.peers[peer]
            ?? PeerRecord(key: peer, trust: configuration.role == .client ? .pinned : .enrolled, number: "")
        record.introduced = true
        state.peers[peer] = record
    }

    /// The record of `key`, if any.
    public func peer(_ key: PublicKey) -> PeerRecord? { state.peers[key] }

    // MARK: Sending

    /// The result of `send`: the message id (reported again in `delivered`/`unconfirmed`) and what to transmit.
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

    /// Sends bytes to `peer`, starting a session (0-RTT first contact) when there is none. A client pins an
    /// unknown `peer` at `number`; otherwise the message goes to the number of the peer's record (a bank
    /// never sends to a key it has no record of: `notEnrolled`).
    public mutating func send(_ payload: [UInt8], isText: Bool = false, to peer: PublicKey, number: String,
                              now: Double) throws(SecureSMSError) -> SendResult {
        guard payload.count <= SecureEndpoint.maxPayload else {
            throw .payloadTooLarge(payload.count, limit: SecureEndpoint.maxPayload)
        }
        if state.peers.isRevoked(peer) { throw .revoked(fingerprint: peer.fingerprint) }
        if state.peers[peer] == nil {
            guard configuration.role == .client else { throw .notEnrolled(fingerprint: peer.fingerprint) }
            pin(peer, number: number)
        }
        let index = currentSessionIndex(for: peer)
        if let index, state.sessions[index].queue.count >= configuration.queueLimit { throw .windowFull }
        let messageID = state.nextMessageID
        state.nextMessageID += 1
        let queued = Session.Queued(messageID: messageID, plaintext: payload, isText: isText)
        var step = EndpointStep()
        if let index {
            state.sessions[index].queue.append(queued)
            step = try pump(index, now: now)
        } else {
            guard configuration.role == .client else {
                // A bank answers only inside a session the peer opened (it has no first contact of its own).
                throw .noSession(from: state.peers[peer]?.number ?? number)
            }
            step = try startSession(with: peer, first: queued, now: now)
        }
        let cost = state.sessions.lazy.flatMap(\.outbox).first { $0.messageID == messageID }?.cost
        return SendResult(messageID: messageID, step: step, cost: cost)
    }

    /// Forces the next message to `peer` to start a fresh session (new ephemerals).
    public mutating func rekey(peer: PublicKey) {
        for i in state.sessions.indices where state.sessions[i].peer == peer { state.sessions[i].retired = true }
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

    private mutating func startSession(with peer: PublicKey, first: Session.Queued, now: Double) throws(SecureSMSError) -> EndpointStep {
        guard let record = state.peers[peer] else { throw .notEnrolled(fingerprint: peer.fingerprint) }
        let ephemeral = try ephemeralSource()
        var introCounter: UInt32?
        if !record.introduced {
            guard state.introsSent < Frame.maxCounter else { throw SecureSMSError.counterExhausted }
            // Random start (the ephemeral source is the CSPRNG, seeded only in tests), then +1 mod 2^24.
            let start = ephemeral.publicKey.prefix(3).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let next = state.introCounter.map { ($0 &+ 1) & Frame.maxCounter } ?? start
            state.introCounter = next
            state.introsSent += 1
            introCounter = next
        }
        let (frame, pending) = try Handshake.initiate(me: identity, responder: peer, introduceWith: introCounter,
                                                      plaintext: first.plaintext, flags: first.isText ? .text : [],
                                                      ephemeral: ephemeral)
        var session = Session(id: state.nextSessionID, role: .initiator, peer: peer, number: record.number,
                              numbers: [record.number], trust: record.trust, phase: .awaitingReply(pending),
                              initiatorEphemeral: frame.firstContactID)
        session.lastActivity = now
        state.nextSessionID += 1
        let step = try enqueue(frame, seq: 0, messageID: first.messageID, payloadBytes: first.plaintext.count,
                               reportable: true, into: &session, now: now)
        state.sessions.append(session)
        var trimmed = trimSessions(of: peer)
        trimmed.append(step)
        return trimmed
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
            let lowest = session.outbox.filter(\.reportable).map(\.seq).min() ?? chain.nextCounter
            guard Int(chain.nextCounter) - Int(lowest) < configuration.window else { break }
            let message = session.queue.removeFirst()
            var flags: FrameFlags = message.isText ? .text : []
            var plaintext = message.plaintext
            // The upgrade ephemeral rides on the ack for the reply; a data frame carries it only if no ack did.
            let upgradeKey = session.upgradeAckSent ? [] : (session.upgradeKey ?? [])
            // A DH ratchet step (§4.1) when it is our turn and due: this frame carries the new public key.
            var ratchet = session.ratchet
            var ratchetKey: [UInt8] = []
            if upgradeKey.isEmpty, let start = ratchet?.ackStep, chain.nextCounter == start, let key = ratchet?.mine?.publicKey {
                // Our step went on an ack; the data frame its chain starts with carries the key too (retransmitted
                // until acknowledged, so later acks need not).
                ratchetKey = key
                ratchet?.ackStep = nil
            } else if configuration.ratchets, Self.upgradeSettled(session), var stepped = ratchet,
                      shouldStep(stepped, payload: plaintext.count, now: now) {
                let fresh = try ephemeralSource()
                let root = try stepped.step(fresh: fresh, peerStatic: session.peer.bytes, now: now)
                chain = SendChain(ratcheting: chain, root: root)
                ratchet = stepped
                ratchetKey = fresh.publicKey
            } else {
                ratchet?.messagesSinceStep += 1
            }
            let slot = upgradeKey.isEmpty ? ratchetKey : upgradeKey
            let (counter, key) = try chain.nextMessageKey()
            if session.ackOwedSince != nil, piggyBackFits(payload: slot.count + plaintext.count, counter: counter) {
                flags.insert(.hasAck)
                plaintext = ackBody(session).bytes + plaintext
                session.ackOwedSince = nil
            }
            let frame = try Self.sealData(plaintext, flags: flags, counter: counter, key: key, upgradeKey: slot,
                                          session: session)
            if !upgradeKey.isEmpty { session.upgradeAckSent = true }  // carried once; a retransmission carries it again
            session.send = chain
            session.ratchet = ratchet
            step.append(try enqueue(frame, seq: counter, messageID: message.messageID,
                                    payloadBytes: message.plaintext.count, reportable: true, into: &session, now: now))
            if session.upgradeKey != nil, upgradeKey.isEmpty, let last = session.outbox.indices.last {
                session.outbox[last].reseal = Session.Reseal(plaintext: plaintext, flags: flags, counter: counter, key: key)
            }
        }
        return step
    }

    /// `hdr ‖ counter ‖ [E_c] ‖ SIV(mk, ad = logical header ‖ sid [‖ E_c], plaintext)`.
    static func sealData(_ plaintext: [UInt8], flags: FrameFlags, counter: UInt32, key: [UInt8], upgradeKey: [UInt8],
                                 session: Session) throws(SecureSMSError) -> Frame {
        var frame = Frame(header: FrameHeader(type: .data, flags: flags), counter: counter)
        frame.body = upgradeKey + (try SIV.seal(plaintext, key: key, ad: session.associatedData(frame) + upgradeKey))
        return frame
    }

    private func shouldStep(_ ratchet: RatchetState, payload: Int, now: Double) -> Bool {
        let every = configuration.ratchetEvery, interval = configuration.ratchetInterval
        guard ratchet.due(every: every, interval: interval, now: now) else { return false }
        if ratchet.answerNow == true || ratchet.due(every: 2 * every, interval: 2 * interval, now: now) { return true }
        let fixed = 4
        let capacity = configuration.transport.capacity
        let without = Fragmenter.segmentCount(frameBytes: fixed + payload + SIV.tagBytes, fixedBytes: fixed, capacity: capacity)
        let with = Fragmenter.segmentCount(frameBytes: fixed + 32 + payload + SIV.tagBytes, fixedBytes: fixed, capacity: capacity)
        return with == without
    }

    /// Whether adding the 5-byte ack keeps the message in the same number of SMS.
    private func piggyBackFits(payload: Int, counter: UInt32) -> Bool {
        let fixed = 4
        let capacity = configuration.transport.capacity
        let without = Fragmenter.segmentCount(frameBytes: fixed + payload + SIV.tagBytes, fixedBytes: fixed, capacity: capacity)
        let with = Fragmenter.segmentCount(frameBytes: fixed + payload + AckBody.size + SIV.tagBytes, fixedBytes: fixed,
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
            // Intro session: keep e_r until the client's upgrade ephemeral authenticates (§3.3).
            session.upgradeAwaited = .init(state: done.state, replyEphemeral: ephemeral)
        } else {
            session.ratchet = RatchetState(rootKey: done.state.ratchetRoot(), initiator: false, now: now)
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
        // A reply without data is sent once and kept only to answer a duplicate first contact (§4).
        let next = reportable ? now + configuration.retry.timeout(afterAttempt: 1) : Double.infinity
        session.outbox.append(Session.OutboxEntry(messageID: messageID, seq: seq, frames: frames, attempts: 1,
                                                  nextAttempt: next, cost: cost, reportable: reportable))
        session.lastActivity = now
        let id: UInt64? = reportable ? messageID : nil
        return EndpointStep(outbound: frames.map { OutboundSMS(to: session.number, bytes: $0, messageID: id) })
    }

    /// Drops the oldest sessions of `peer` beyond `sessionsPerPeer` (never one with uncommitted messages),
    /// reporting each message they still held: never a silent trim.
    private mutating func trimSessions(of peer: PublicKey) -> EndpointStep {
        let mine = state.sessions.indices.filter { state.sessions[$0].peer == peer }
        guard mine.count > EndpointState.sessionsPerPeer else { return EndpointStep() }
        let drop = Set(mine.prefix(mine.count - EndpointState.sessionsPerPeer).map { state.sessions[$0].id })
        return EndpointStep(events: dropSessions { drop.contains($0.id) && $0.inbox.isEmpty })
    }

    /// Removes the sessions matching `condition` and reports what they still held.
    private mutating func dropSessions(where condition: (Session) -> Bool) -> [SecureEvent] {
        var events: [SecureEvent] = []
        for session in state.sessions where condition(session) {
            for entry in session.outbox where entry.reportable {
                events.append(.unconfirmed(messageID: entry.messageID, peer: session.peer))
            }
            for queued in session.queue { events.append(.failed(messageID: queued.messageID, peer: session.peer)) }
        }
        state.sessions.removeAll(where: condition)
        return events
    }

    // MARK: Receiving

    /// Feeds one received SMS (frame bytes) from `number`. Never throws: bad frames become `.rejected` events.
    public mutating func receive(_ bytes: [UInt8], from number: String, now: Double) -> EndpointStep {
        switch reassemble(bytes, from: number, now: now) {
        case .incomplete: return EndpointStep()
        case .rejected(let step): return step
        case .frame(let whole): return accept(whole, from: number, now: now)
        }
    }

    /// What `reassemble` made of one SMS.
    public enum Reassembly: Sendable {
        /// A fragment; the frame is not complete yet.
        case incomplete
        /// Not a frame (or a bad fragment): the step reports the rejection.
        case rejected(EndpointStep)
        /// A whole frame, to `accept` (after loading `SecureEndpoint.query(for:from:)` in store mode).
        case frame(Frame)
    }

    /// Parses one received SMS and joins fragments (kept in memory across loads).
    public mutating func reassemble(_ bytes: [UInt8], from number: String, now: Double) -> Reassembly {
        do {
            let frame = try Frame(bytes: bytes)
            guard let whole = try reassembler.add(frame, from: number, now: now) else { return .incomplete }
            return .frame(whole)
        } catch {
            return .rejected(EndpointStep(events: [.rejected(from: number, error: error)]))
        }
    }

    /// Feeds one whole frame from `number`. Never throws: bad frames become `.rejected` events.
    public mutating func accept(_ whole: Frame, from number: String, now: Double) -> EndpointStep {
        do {
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
        guard configuration.role == .bank else { throw SecureSMSError.firstContactRefused }
        if let index = state.sessions.firstIndex(where: { $0.role == .responder && $0.initiatorEphemeral == frame.firstContactID }) {
            // A duplicate (the initiator did not get our reply yet): re-send the reply to the record's number.
            return resend(index, seqs: [0])
        }
        let digest = PeerRecord.digest(frame.firstContactID)
        if frame.header.type == .intro, let key = try? PublicKey(bytes: frame.staticKey),
           state.peers[key]?.firstContacts.contains(digest) == true {
            throw SecureSMSError.replayed(counter: 0)
        }
        let accepted = try Handshake.accept(me: identity, frame: frame, candidates: state.peers.candidates(keyID: frame.keyID))
        let key = accepted.initiator
        let policy = configuration.enrolment
        var record: PeerRecord
        if let known = state.peers[key] {
            record = known
        } else {
            guard policy.open else { throw SecureSMSError.notEnrolled(fingerprint: key.fingerprint) }
            if unverifiedCount >= policy.maximumUnverifiedPeers { expireUnverified(now: now) }
            guard unverifiedCount < policy.maximumUnverifiedPeers else { throw SecureSMSError.enrolmentFull }
            try takeNumberToken(number, now: now)
            record = PeerRecord(key: key, trust: .unverified, number: number)
        }
        if record.revoked { throw SecureSMSError.revoked(fingerprint: key.fingerprint) }
        if record.firstContacts.contains(digest) { throw SecureSMSError.replayed(counter: 0) }
        guard record.firstContacts.count < PeerRecord.firstContactLimit else {
            throw SecureSMSError.firstContactLimit(fingerprint: key.fingerprint)
        }
        record.recentFirstContacts.removeAll { now - $0 >= policy.rateWindow }
        let perKey = record.trust == .unverified ? policy.firstContactsPerWindow : policy.firstContactsPerWindow * 20
        guard record.recentFirstContacts.count < perKey else { throw SecureSMSError.rateLimited("key \(key.fingerprint)") }
        record.recentFirstContacts.append(now)
        record.firstContacts.insert(digest)
        record.introduced = true
        record.lastSeen = now
        state.peers[key] = record
        var session = Session(id: state.nextSessionID, role: .responder, peer: key, number: record.number,
                              numbers: [record.number, number], trust: record.trust,
                              phase: .replyOwed(.init(state: accepted.state, initiatorEphemeral: frame.ephemeral)),
                              initiatorEphemeral: frame.firstContactID)
        session.lastActivity = now
        state.nextSessionID += 1
        session.ackOwedSince = now  // the reply is owed (it may carry the application's answer)
        var step = EndpointStep()
        deliver(seq: 0, payload: accepted.payload, flags: frame.header.flags, in: &session, from: number, into: &step, now: now)
        state.sessions.append(session)
        step.append(trimSessions(of: key))
        return step
    }

    /// Unverified peers, loaded or not.
    private var unverifiedCount: Int { state.peers.unverifiedCount + unverifiedElsewhere }

    /// Per-number limit on first contacts from unknown keys (bounded map; fails closed when full).
    private mutating func takeNumberToken(_ number: String, now: Double) throws(SecureSMSError) {
        let window = configuration.enrolment.rateWindow
        var times = (state.numberFirstContacts[number] ?? []).filter { now - $0 < window }
        guard times.count < configuration.enrolment.firstContactsPerWindow else { throw .rateLimited("number \(number)") }
        if state.numberFirstContacts[number] == nil,
           state.numberFirstContacts.count + trackedNumbersElsewhere >= EndpointState.trackedNumbers {
            state.numberFirstContacts = state.numberFirstContacts.filter { $0.value.contains { now - $0 < window } }
            guard state.numberFirstContacts.count + trackedNumbersElsewhere < EndpointState.trackedNumbers else {
                throw .rateLimited("unknown numbers")
            }
        }
        times.append(now)
        state.numberFirstContacts[number] = times
    }

    /// Forgets unverified peers idle for longer than the policy allows (with their idle sessions).
    private mutating func expireUnverified(now: Double) {
        let limit = configuration.enrolment.unverifiedIdleExpiry
        let stale = state.peers.all.filter { $0.trust == .unverified && now - $0.lastSeen > limit }.map(\.key)
        guard !stale.isEmpty else { return }
        let keys = Set(stale)
        let busy = Set(state.sessions.filter { keys.contains($0.peer) && !($0.outbox.isEmpty && $0.inbox.isEmpty) }.map(\.peer))
        for key in keys where !busy.contains(key) { state.peers[key] = nil }
        state.sessions.removeAll { keys.contains($0.peer) && !busy.contains($0.peer) }
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
            session.lastActivity = now
            if pending.ephemeral == nil {
                // Intro session: bring an ephemeral on our ack (or next data frame); its secret is used here and dropped.
                let ephemeral = try ephemeralSource()
                let roots = Handshake.upgradedRoots(
                    after: done.state, clientEphemeral: ephemeral.publicKey,
                    ee: try Sodium.x25519(secret: ephemeral.secretKey, public: frame.ephemeral),
                    es: try Sodium.x25519(secret: ephemeral.secretKey, public: session.peer.bytes))
                session.send = SendChain(upgrading: done.send, root: roots.initiatorToResponder)
                session.alternateReceive = ReceiveChain(root: roots.responderToInitiator)
                session.upgradeKey = ephemeral.publicKey
                session.ratchet = RatchetState(rootKey: roots.ratchet, initiator: true, now: now)
            } else {
                session.ratchet = RatchetState(rootKey: done.state.ratchetRoot(), initiator: true, now: now)
            }
            session.numbers.insert(number)
            if var record = state.peers[session.peer] {
                record.introduced = true
                record.lastSeen = now
                state.peers[session.peer] = record
            }
            var step = EndpointStep()
            step.events += acknowledge(AckBody(cumulative: 1, bitmap: 0), in: &session)
            if !done.payload.isEmpty {
                deliver(seq: 0, payload: done.payload, flags: frame.header.flags, in: &session, from: number, into: &step, now: now)
            } else {
                _ = session.tracker.record(0, .init(payload: [], isText: false, deliver: false))
                session.ackOwedSince = now
            }
            state.sessions[index] = session
            step.append(try pump(index, now: now))
            return step
        }
        let established = state.sessions.indices.filter {
            state.sessions[$0].role == .initiator && state.sessions[$0].isEstablished && state.sessions[$0].numbers.contains(number)
        }
        if !established.isEmpty {
            // Probably a retransmitted reply (our ack was lost): acknowledge again (with the upgrade ephemeral
            // if the upgrade is not confirmed yet), deliver nothing.
            for index in established where state.sessions[index].inbox[0] == nil {
                state.sessions[index].ackOwedSince = state.sessions[index].ackOwedSince ?? now
                state.sessions[index].upgradeAckSent = false
            }
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
                plaintext = try Self.openData(frame, chain: chain, in: &session, identity: identity, now: now)
            } catch {
                if case .replayed = error, session.tracker.hasReceived(frame.counter), session.inbox[frame.counter] == nil {
                    state.sessions[index].ackOwedSince = state.sessions[index].ackOwedSince ?? now
                }
                if failure == .noSession(from: number) || error != .authenticationFailed { failure = error }
                continue
            }
            session.numbers.insert(number)
            session.lastActivity = now
            var step = EndpointStep()
            var payload = plaintext
            if frame.header.flags.contains(.hasAck) {
                let ack = try AckBody(bytes: plaintext)
                payload = Array(plaintext.dropFirst(AckBody.size))
                step.events += acknowledge(ack, in: &session)
            }
            let delivered = deliver(seq: frame.counter, payload: payload, flags: frame.header.flags, in: &session,
                                    from: number, into: &step, now: now)
            if !delivered { session.ackOwedSince = session.ackOwedSince ?? now }  // out of order: ack the bitmap
            if let below = session.alternateBelow, session.tracker.cumulative >= below {
                session.alternateReceive = nil  // every counter the old chain could carry arrived
                session.alternateBelow = nil
            }
            if session.ratchet != nil {
                session.ratchet?.messagesSinceStep += 1
                // Chains from before the peer's steps are erased once every counter below the step arrived, or
                // once they hold no key for a counter still missing.
                let cumulative = session.tracker.cumulative
                session.ratchet?.previous.removeAll {
                    $0.below <= cumulative || ($0.chain.nextCounter >= $0.below && $0.chain.skipped.isEmpty)
                }
            }
            state.sessions[index] = session
            step.append(try pump(index, now: now))
            return step
        }
        throw failure
    }

    /// Opens a data frame for `session`: under its receive chain, else (intro sessions) under the upgrade.
    /// Commits chain changes into `session` only when the tag verifies.
    private static func openData(_ frame: Frame, chain: ReceiveChain, in session: inout Session,
                                 identity: Identity, now: Double) throws(SecureSMSError) -> [UInt8] {
        if let ratchet = session.ratchet, let i = ratchet.previous.firstIndex(where: { frame.counter < $0.below }) {
            // Sealed before one of the peer's ratchet steps: the chain it replaced (bounded, §4.1).
            // (Bank of an intro session: a late retransmission may still carry the client's E_c, §3.3.)
            var carried: [[UInt8]] = [[]]
            // (And the first frame of a chain started by a step taken on an ack carries that step's key.)
            for known in [session.upgradedWith, ratchet.previous[i].key].compactMap({ $0 })
            where frame.body.count >= 32 + SIV.tagBytes && Array(frame.body.prefix(32)) == known {
                carried.append(known)
            }
            var old = ratchet.previous[i].chain
            if let key = try? old.messageKey(for: frame.counter) {
                for prefix in carried {
                    guard let plaintext = try? SIV.open(Array(frame.body.dropFirst(prefix.count)), key: key,
                                                        ad: session.associatedData(frame) + prefix) else { continue }
                    session.ratchet?.previous[i].chain = old
                    return plaintext
                }
            }
        }
        var main = chain
        let firstError: SecureSMSError
        do {
            let key = try main.messageKey(for: frame.counter)
            let plaintext = try SIV.open(frame.body, key: key, ad: session.associatedData(frame))
            session.receive = main
            return plaintext
        } catch {
            firstError = error
        }
        if let theirs = session.ratchet?.theirs, frame.body.count >= 32 + SIV.tagBytes, Array(frame.body.prefix(32)) == theirs {
            // The data frame a step taken on an ack starts with: it carries the key we already applied.
            var again = chain
            let key = try again.messageKey(for: frame.counter)
            let plaintext = try SIV.open(Array(frame.body.dropFirst(32)), key: key, ad: session.associatedData(frame) + theirs)
            session.receive = again
            return plaintext
        }
        if let ratchet = session.ratchet, !ratchet.myTurn, session.upgradeAwaited == nil,
           frame.counter >= chain.nextCounter, frame.counter - chain.nextCounter <= ReceiveChain.maxSkip,
           frame.body.count >= 32 + SIV.tagBytes {
            // The peer's ratchet step: X ‖ SIV(mk_N, ad = logical header ‖ sid ‖ X) under the chain it starts at N.
            let peerKey = Array(frame.body.prefix(32))
            if let derived = try? ratchet.peerStep(key: peerKey, identity: identity) {
                var next = ReceiveChain(root: derived.chain, startingAt: frame.counter, lastAckCounter: chain.lastAckCounter)
                if let key = try? next.messageKey(for: frame.counter),
                   let plaintext = try? SIV.open(Array(frame.body.dropFirst(32)), key: key,
                                                 ad: session.associatedData(frame) + peerKey) {
                    var advanced = ratchet
                    advanced.previous.append(.init(below: frame.counter, chain: chain, key: ratchet.theirs))
                    if advanced.previous.count > RatchetState.maximumPrevious { advanced.previous.removeFirst() }
                    advanced.accept(peerKey: peerKey, root: derived.root, now: now)
                    session.ratchet = advanced
                    session.receive = next
                    return plaintext
                }
            }
        }
        if let plaintext = try openDuringIntroUpgrade(frame, chain: chain, in: &session, identity: identity) { return plaintext }
        throw firstError
    }

    private mutating func acceptAck(_ frame: Frame, from number: String, now: Double) throws -> EndpointStep {
        var failure = SecureSMSError.authenticationFailed
        for index in candidateSessions(number: number) {
            var session = state.sessions[index]
            guard session.receive != nil else { continue }
            let ad = session.associatedData(frame)
            var opened: [UInt8]?
            if !frame.ephemeral.isEmpty, session.upgradeAwaited != nil {
                // Bank: the client's ack for the reply, carrying E_c; keyed by the upgraded chain.
                guard var upgraded = try? Self.upgrade(&session, clientEphemeral: frame.ephemeral, identity: identity, commit: false),
                      let key = upgraded.ackKey, let body = try? SIV.open(frame.body, key: key, ad: ad) else { continue }
                _ = try Self.upgrade(&session, clientEphemeral: frame.ephemeral, identity: identity, commit: true)
                upgraded.lastAckCounter = frame.counter
                session.receive = upgraded
                opened = body
            } else {
                for (which, chain) in [(0, session.receive), (1, session.alternateReceive)] {
                    guard let chain, let key = chain.ackKey, let body = try? SIV.open(frame.body, key: key, ad: ad) else { continue }
                    guard frame.counter > chain.lastAckCounter else {
                        failure = .replayed(counter: frame.counter)
                        break
                    }
                    var advanced = chain
                    advanced.lastAckCounter = frame.counter
                    if which == 0 { session.receive = advanced } else { session.alternateReceive = advanced }
                    if which == 1, session.alternateBelow == nil { session.upgradeKey = nil }  // bank has upgraded
                    opened = body
                    break
                }
                if opened == nil, frame.ephemeral.count == 32, let body = Self.acceptAckStep(frame, in: &session, identity: identity, now: now) {
                    opened = body
                }
            }
            guard let body = opened else { continue }
            let ack = try AckBody(bytes: body)
            session.lastActivity = now
            var step = EndpointStep(events: acknowledge(ack, in: &session))
            state.sessions[index] = session
            step.append(try pump(index, now: now))
            return step
        }
        throw failure
    }

    /// The peer's ratchet step on a stand-alone ack: `key ‖ SIV(ackKey', ack body ‖ start(3))` under the ack key of
    /// the chain it starts. Commits the step (the old chain kept for counters below `start`) only if it authenticates.
    private static func acceptAckStep(_ frame: Frame, in session: inout Session, identity: Identity, now: Double) -> [UInt8]? {
        guard let ratchet = session.ratchet, !ratchet.myTurn, session.upgradeAwaited == nil, let receive = session.receive,
              let derived = try? ratchet.peerStep(key: frame.ephemeral, identity: identity),
              let body = try? SIV.open(frame.body, key: ChainKDF.start(root: derived.chain).ackKey, ad: session.associatedData(frame)),
              body.count == AckBody.size + 3, frame.counter > receive.lastAckCounter else { return nil }
        let start = UInt32(body[5]) << 16 | UInt32(body[6]) << 8 | UInt32(body[7])
        guard start >= receive.nextCounter, start - receive.nextCounter <= ReceiveChain.maxSkip else { return nil }
        var advanced = ratchet
        advanced.previous.append(.init(below: start, chain: receive, key: ratchet.theirs))
        if advanced.previous.count > RatchetState.maximumPrevious { advanced.previous.removeFirst() }
        advanced.accept(peerKey: frame.ephemeral, root: derived.root, now: now, answerNow: true)
        session.ratchet = advanced
        session.receive = ReceiveChain(root: derived.chain, startingAt: start, lastAckCounter: frame.counter)
        return Array(body.prefix(AckBody.size))
    }

    /// Established sessions that frames from `number` may belong to, newest first.
    private func candidateSessions(number: String) -> [Int] {
        state.sessions.indices.reversed().filter { state.sessions[$0].isEstablished && state.sessions[$0].numbers.contains(number) }
    }

    /// Records a message; everything now deliverable in order goes to the inbox and out as `.message`
    /// events. Returns whether anything was delivered.
    @discardableResult
    private func deliver(seq: UInt32, payload: [UInt8], flags: FrameFlags, in session: inout Session, from number: String,
                         into step: inout EndpointStep, now: Double) -> Bool {
        let isText = flags.contains(.text)
        let bytes = isText ? Array(PackedText.unpack(payload).utf8) : payload
        var any = false
        for (n, message) in session.tracker.record(seq, .init(payload: bytes, isText: isText, deliver: true)) where message.deliver {
            let entry = Session.InboxEntry(payload: message.payload, isText: message.isText, from: number)
            step.events.append(.message(receivedMessage(entry, sequence: n, session: session)))
            if configuration.commitOnDelivery {
                session.ackOwedSince = session.ackOwedSince ?? now
            } else {
                session.inbox[n] = entry
            }
            any = true
        }
        return any
    }

    private func receivedMessage(_ entry: Session.InboxEntry, sequence: UInt32, session: Session) -> ReceivedMessage {
        let record = state.peers[session.peer]
        var message = ReceivedMessage(from: entry.from, peer: session.peer, payload: entry.payload, isText: entry.isText,
                                      trust: record?.trust ?? session.trust, sequence: sequence)
        message.customerID = record?.customerID
        message.fromRecordedNumber = entry.from == (record?.number ?? session.number)
        message.receipt = MessageReceipt(session: session.id, sequence: sequence, peer: session.peer)
        return message
    }

    /// The application stored the message of `receipt`: acknowledge it (now, or riding on the next frame
    /// within `ackDelay`). Committing twice is harmless; an unknown receipt is `unknownReceipt`.
    public mutating func commit(_ receipt: MessageReceipt, now: Double) throws(SecureSMSError) -> EndpointStep {
        guard let index = state.sessions.firstIndex(where: { $0.id == receipt.session }) else { throw .unknownReceipt }
        guard state.sessions[index].inbox.removeValue(forKey: receipt.sequence) != nil else { return EndpointStep() }
        state.sessions[index].ackOwedSince = state.sessions[index].ackOwedSince ?? now
        return EndpointStep()
    }

    /// Messages delivered but not committed (after a restart: hand them to the application again).
    public var pendingMessages: [ReceivedMessage] {
        state.sessions.flatMap { session in
            session.inbox.sorted { $0.key < $1.key }.map { receivedMessage($0.value, sequence: $0.key, session: session) }
        }
    }

    /// The acknowledgement of what the application committed: never covers a message still in the inbox.
    private func ackBody(_ session: Session) -> AckBody {
        let full = session.tracker.ack
        guard let low = session.inbox.keys.min(), low < full.cumulative else { return full }
        var bitmap: UInt16 = 0
        for i in 0..<16 {
            let seq = low + 1 + UInt32(i)
            if session.tracker.hasReceived(seq), session.inbox[seq] == nil { bitmap |= 1 << UInt16(i) }
        }
        return AckBody(cumulative: low, bitmap: bitmap)
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
            for entry in session.outbox where entry.nextAttempt.isFinite {
                deadline = min(deadline ?? entry.nextAttempt, entry.nextAttempt)
            }
            if let since = session.ackOwedSince { deadline = min(deadline ?? since + configuration.ackDelay, since + configuration.ackDelay) }
        }
        return deadline
    }

    /// Sends owed replies and acks whose delay passed, retransmits due messages, reports give-ups, and
    /// drops sessions idle beyond `sessionIdleExpiry` that hold nothing.
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
                    if entry.reportable { step.events.append(.unconfirmed(messageID: entry.messageID, peer: session.peer)) }
                    return true
                }
                due.append(entry.seq)
                return false
            }
            for i in session.outbox.indices where due.contains(session.outbox[i].seq) {
                session.outbox[i].attempts += 1
                session.outbox[i].nextAttempt = now + policy.timeout(afterAttempt: session.outbox[i].attempts)
                if let reseal = session.outbox[i].reseal {
                    resealWithUpgrade(&session.outbox[i], reseal, session: session)
                }
            }
            state.sessions[index] = session
            step.append(resend(index, seqs: due))
        }
        let idle = configuration.sessionIdleExpiry
        state.sessions.removeAll { now - $0.lastActivity > idle && $0.isIdleDroppable }
        return step
    }

    private func resend(_ index: Int, seqs: [UInt32]) -> EndpointStep {
        let session = state.sessions[index]
        let entries = session.outbox.filter { seqs.contains($0.seq) }
        return EndpointStep(outbound: entries.flatMap { entry in
            entry.frames.map { OutboundSMS(to: session.number, bytes: $0, messageID: entry.reportable ? entry.messageID : nil) }
        })
    }

    private mutating func flushAck(_ index: Int, now: Double) throws(SecureSMSError) -> EndpointStep {
        if case .replyOwed = state.sessions[index].phase { return try pump(index, now: now) }
        var session = state.sessions[index]
        guard session.isEstablished, var chain = session.send else { return EndpointStep() }
        session.ackOwedSince = nil
        var ratchet = session.ratchet
        if configuration.ratchets, Self.upgradeSettled(session), var stepped = ratchet, stepped.ackStep == nil,
           stepped.due(every: 2 * configuration.ratchetEvery, interval: 2 * configuration.ratchetInterval, now: now) {
            // Overdue and no data to carry it (one-way traffic): the step goes on this ack (§4.1).
            let fresh = try ephemeralSource()
            let root = try stepped.step(fresh: fresh, peerStatic: session.peer.bytes, now: now)
            chain = SendChain(ratcheting: chain, root: root)
            stepped.ackStep = chain.nextCounter
            ratchet = stepped
        }
        let counter = try chain.nextAck()
        var frame = Frame(header: FrameHeader(type: .ack), counter: counter)
        var plaintext = ackBody(session).bytes
        if let upgradeKey = session.upgradeKey {
            frame.ephemeral = upgradeKey  // the client's upgrade ephemeral rides on its ack (§3.3)
            session.upgradeAckSent = true
        } else if let start = ratchet?.ackStep, let key = ratchet?.mine?.publicKey {
            frame.ephemeral = key  // our unanswered ratchet step, and the counter its chain starts at
            plaintext += Frame.uint24(start)
        }
        frame.body = try SIV.seal(plaintext, key: chain.ackKey, ad: session.associatedData(frame))
        session.send = chain
        session.ratchet = ratchet
        session.lastActivity = now
        state.sessions[index] = session
        return EndpointStep(outbound: [OutboundSMS(to: session.number, bytes: frame.bytes)])
    }
}
