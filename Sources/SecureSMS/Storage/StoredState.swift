/// A whole endpoint state as the small stores keep it (`StateFile`, `MemoryStateStore`): every peer
/// with its index, the counters and the first-contact times. Queries are answered exactly as an indexed
/// store answers them, so the engine only ever sees a step's working set.
struct StoredState: Codable, Sendable, Equatable {
    var counters = EndpointCounters()
    var peers: [PublicKey: PeerState] = [:]
    var numberFirstContacts: [String: [Double]] = [:]

    init() {}

    /// The peers of a whole `EndpointState` (indexed with `configuration`'s timers).
    init(_ state: EndpointState, configuration: EndpointConfiguration = .init()) {
        counters = state.counters
        numberFirstContacts = state.numberFirstContacts
        for peer in state.peerStates(configuration: configuration) { peers[peer.key] = peer }
    }

    /// Everything as one `EndpointState` (tools and tests).
    var endpointState: EndpointState {
        var state = EndpointState()
        state.load(StateSnapshot(counters: counters, peers: Array(peers.values), numberFirstContacts: numberFirstContacts))
        return state
    }

    func read(_ query: StateQuery) -> StateSnapshot {
        var snapshot = StateSnapshot(counters: counters, peers: peers.values.filter(query.matches))
        if query.totals {
            if let number = query.number, let times = numberFirstContacts[number] { snapshot.numberFirstContacts = [number: times] }
            snapshot.unverifiedTotal = peers.values.count { $0.index.unverified }
            snapshot.trackedNumbersTotal = numberFirstContacts.count
        }
        return snapshot
    }

    mutating func apply(_ changes: StateChanges) {
        if let counters = changes.counters { self.counters = counters }
        for key in changes.removedPeers { peers[key] = nil }
        for peer in changes.peers { peers[peer.key] = peer }
        for (number, times) in changes.numberFirstContacts { numberFirstContacts[number] = times.isEmpty ? nil : times }
    }

    var summary: StateSummary {
        var summary = StateSummary()
        for peer in peers.values {
            summary.outstanding += peer.index.outstanding
            summary.unacknowledged += peer.index.unacknowledged
            if let deadline = peer.index.deadline { summary.earliestDeadline = min(summary.earliestDeadline ?? deadline, deadline) }
        }
        return summary
    }

    mutating func expire(unverifiedIdleBefore: Double, firstContactsBefore: Double) {
        peers = peers.filter { !$0.value.index.isExpirable(idleBefore: unverifiedIdleBefore) }
        numberFirstContacts = numberFirstContacts.compactMapValues { times in
            let kept = times.filter { $0 >= firstContactsBefore }
            return kept.isEmpty ? nil : kept
        }
    }
}

extension PeerIndex {
    /// An unverified peer idle since before `idleBefore` that holds nothing (`SecureStateStore.expire`):
    /// no application message in flight or uncommitted (a data-less handshake reply kept only to answer a
    /// duplicate first contact does not count).
    public func isExpirable(idleBefore: Double) -> Bool {
        unverified && lastSeen < idleBefore && unacknowledged == 0 && !holdsInbox
    }
}
