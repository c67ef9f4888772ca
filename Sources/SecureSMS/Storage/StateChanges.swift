/// One step's changes (`SecureEndpoint.changes()`), written by `SecureStateStore.write` in one transaction.
public struct StateChanges: Sendable, Equatable {
    /// New counters, if they changed.
    public var counters: EndpointCounters?
    /// Peers created or changed, with their index columns.
    public var peers: [PeerState]
    /// Peers to delete (no record and no session left).
    public var removedPeers: [PublicKey]
    /// First-contact times per number that changed (an empty list deletes the number's entry).
    public var numberFirstContacts: [String: [Double]]

    /// Creates a change set.
    public init(counters: EndpointCounters? = nil, peers: [PeerState] = [], removedPeers: [PublicKey] = [],
                numberFirstContacts: [String: [Double]] = [:]) {
        self.counters = counters
        self.peers = peers
        self.removedPeers = removedPeers
        self.numberFirstContacts = numberFirstContacts
    }

    /// Whether there is nothing to write.
    public var isEmpty: Bool { counters == nil && peers.isEmpty && removedPeers.isEmpty && numberFirstContacts.isEmpty }
}
