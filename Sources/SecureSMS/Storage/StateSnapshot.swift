/// What `SecureStateStore.read` returns: the working set for one step.
public struct StateSnapshot: Sendable, Equatable {
    /// The identity-wide counters.
    public var counters: EndpointCounters
    /// The peers the query matched, each with all its sessions.
    public var peers: [PeerState]
    /// First-contact times of the queried number (open enrolment), if it has any.
    public var numberFirstContacts: [String: [Double]]
    /// Unverified peers in the whole store (when the query asked for totals).
    public var unverifiedTotal: Int
    /// Numbers with first-contact times in the whole store (when the query asked for totals).
    public var trackedNumbersTotal: Int

    /// Creates a snapshot.
    public init(counters: EndpointCounters = EndpointCounters(), peers: [PeerState] = [],
                numberFirstContacts: [String: [Double]] = [:], unverifiedTotal: Int = 0, trackedNumbersTotal: Int = 0) {
        self.counters = counters
        self.peers = peers
        self.numberFirstContacts = numberFirstContacts
        self.unverifiedTotal = unverifiedTotal
        self.trackedNumbersTotal = trackedNumbersTotal
    }
}

/// Totals over a whole store (`SecureStateStore.summary`).
public struct StateSummary: Sendable, Equatable {
    /// The earliest timer over all peers.
    public var earliestDeadline: Double?
    /// Frames waiting for an acknowledgement (handshake replies included) and queued messages.
    public var outstanding: Int
    /// Application messages sealed or queued but not acknowledged.
    public var unacknowledged: Int

    /// Creates a summary.
    public init(earliestDeadline: Double? = nil, outstanding: Int = 0, unacknowledged: Int = 0) {
        self.earliestDeadline = earliestDeadline
        self.outstanding = outstanding
        self.unacknowledged = unacknowledged
    }
}
