extension EndpointState {
    /// The identity-wide counters.
    var counters: EndpointCounters {
        get {
            var counters = EndpointCounters()
            counters.nextMessageID = nextMessageID
            counters.nextSessionID = nextSessionID
            counters.introCounter = introCounter
            counters.introsSent = introsSent
            return counters
        }
        set {
            nextMessageID = newValue.nextMessageID
            nextSessionID = newValue.nextSessionID
            introCounter = newValue.introCounter
            introsSent = newValue.introsSent
        }
    }

    /// Replaces this state with the working set of `snapshot` (sessions in creation order).
    mutating func load(_ snapshot: StateSnapshot) {
        self = EndpointState()
        counters = snapshot.counters
        var seen = Set<PublicKey>()
        for peer in snapshot.peers where seen.insert(peer.key).inserted {
            if let record = peer.record { peers[peer.key] = record }
            sessions += peer.sessions
        }
        sessions.sort { $0.id < $1.id }
        numberFirstContacts = snapshot.numberFirstContacts
    }

    /// The sessions of each peer.
    var sessionsByPeer: [PublicKey: [Session]] {
        var grouped: [PublicKey: [Session]] = [:]
        for session in sessions { grouped[session.peer, default: []].append(session) }
        return grouped
    }

    /// Every peer with a record or a session, as the stores keep them.
    func peerStates(configuration: EndpointConfiguration) -> [PeerState] {
        let grouped = sessionsByPeer
        return Set(peers.records.keys).union(grouped.keys).map { key in
            PeerState(key: key, record: peers[key], sessions: grouped[key] ?? [], configuration: configuration)
        }
    }
}

extension PeerState {
    /// A peer's state with its index (timers per `configuration`).
    init(key: PublicKey, record: PeerRecord?, sessions: [Session], configuration: EndpointConfiguration) {
        var deadline: Double?
        func due(_ time: Double) { if time.isFinite { deadline = min(deadline ?? time, time) } }
        var numbers = Set(sessions.flatMap(\.numbers))
        if let number = record?.number { numbers.insert(number) }
        numbers.remove("")
        for session in sessions {
            for entry in session.outbox { due(entry.nextAttempt) }
            if let since = session.ackOwedSince { due(since + configuration.ackDelay) }
            if session.isIdleDroppable { due(session.lastActivity + configuration.sessionIdleExpiry) }
        }
        let index = PeerIndex(
            keyID: key.keyID, numbers: numbers, deadline: deadline,
            holdsInbox: sessions.contains { !$0.inbox.isEmpty },
            awaitsReply: sessions.contains { if case .awaitingReply = $0.phase { return true } else { return false } },
            unverified: record?.trust == .unverified, lastSeen: record?.lastSeen ?? 0,
            outstanding: sessions.reduce(0) { $0 + $1.outbox.count + $1.queue.count },
            unacknowledged: sessions.reduce(0) { $0 + $1.outbox.filter(\.reportable).count + $1.queue.count })
        self.init(key: key, record: record, sessions: sessions, index: index)
    }
}

extension Session {
    /// Holds nothing a peer waits for or we owe: dropped once idle beyond `sessionIdleExpiry`.
    var isIdleDroppable: Bool {
        outbox.allSatisfy { !$0.reportable } && queue.isEmpty && inbox.isEmpty && ackOwedSince == nil
    }
}
