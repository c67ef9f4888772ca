/// One peer's share of an endpoint's state: its record (trust, number, replay state) and its sessions
/// (chains, outbox, inbox). The unit a `SecureStateStore` reads and writes; a store keeps it sealed and
/// indexes it by `index`.
public struct PeerState: Codable, Sendable, Equatable {
    /// The peer's key.
    public let key: PublicKey
    /// The peer's record (nil after `remove` while sessions still hold uncommitted messages).
    public internal(set) var record: PeerRecord?
    var sessions: [Session]
    /// The lookup columns a store keeps in clear beside the sealed state.
    public internal(set) var index: PeerIndex

    init(key: PublicKey, record: PeerRecord?, sessions: [Session], index: PeerIndex) {
        self.key = key
        self.record = record
        self.sessions = sessions
        self.index = index
    }
}

/// What a store needs to find a peer without opening its sealed state.
public struct PeerIndex: Codable, Sendable, Equatable {
    /// `key.keyID` (hello frames name the key by it).
    public var keyID: [UInt8]
    /// The record's number and every number frames of its sessions arrived from.
    public var numbers: Set<String>
    /// When its next timer is due: an owed ack or reply, a retransmission, or an idle session to drop.
    public var deadline: Double?
    /// Whether a session holds delivered messages the application has not committed.
    public var holdsInbox: Bool
    /// Whether a session waits for the handshake reply (a reply frame is tried against these).
    public var awaitsReply: Bool
    /// Whether the record is `unverified` (open enrolment; expired when idle).
    public var unverified: Bool
    /// Last time a frame of the key authenticated.
    public var lastSeen: Double
    /// Frames waiting for an acknowledgement plus queued messages.
    public var outstanding: Int
    /// Application messages sealed or queued but not acknowledged.
    public var unacknowledged: Int
}

/// The identity-wide counters of an endpoint (kept beside the peers).
public struct EndpointCounters: Codable, Sendable, Equatable {
    /// Next local message id.
    public var nextMessageID: UInt64 = 1
    /// Next local session id.
    public var nextSessionID: UInt64 = 1
    /// Last intro counter used (24 bits).
    public var introCounter: UInt32?
    /// Intro frames sent.
    public var introsSent: UInt32 = 0

    /// Fresh counters.
    public init() {}
}
