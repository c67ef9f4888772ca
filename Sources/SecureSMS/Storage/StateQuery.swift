/// Which peers a step needs (see `SecureStateStore.read`). The parts are alternatives: a store returns
/// every peer that matches any of them.
public struct StateQuery: Sendable, Equatable {
    /// Peers by key.
    public var keys: Set<PublicKey> = []
    /// Peers whose key has this 3-byte key id (candidates for a hello frame).
    public var keyID: [UInt8]?
    /// Peers any of whose numbers (`PeerIndex.numbers`) is this one (and, with `totals`, this number's
    /// first-contact times).
    public var number: String?
    /// Peers with a timer due at or before this time (`PeerIndex.deadline`).
    public var dueBy: Double?
    /// Peers with a session waiting for its handshake reply (`PeerIndex.awaitsReply`).
    public var awaitingReply = false
    /// Peers holding delivered messages the application has not committed (`PeerIndex.holdsInbox`).
    public var holdingInbox = false
    /// A first contact: also the number's first-contact times, and the counts of unverified peers and
    /// tracked numbers over the whole store.
    public var totals = false

    /// Whether `peer` (with its index) matches the query.
    public func matches(_ peer: PeerState) -> Bool {
        if keys.contains(peer.key) { return true }
        if let keyID, peer.index.keyID == keyID { return true }
        if let number, peer.index.numbers.contains(number) { return true }
        if let dueBy, let deadline = peer.index.deadline, deadline <= dueBy { return true }
        return (awaitingReply && peer.index.awaitsReply) || (holdingInbox && peer.index.holdsInbox)
    }

    /// Creates a query.
    public init(keys: Set<PublicKey> = [], keyID: [UInt8]? = nil, number: String? = nil, dueBy: Double? = nil,
                awaitingReply: Bool = false, holdingInbox: Bool = false, totals: Bool = false) {
        self.keys = keys
        self.keyID = keyID
        self.number = number
        self.dueBy = dueBy
        self.awaitingReply = awaitingReply
        self.holdingInbox = holdingInbox
        self.totals = totals
    }
}
