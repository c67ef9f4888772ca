/// Everything an endpoint must remember across restarts: the peer records (trust, enrolment, replay state)
/// and the sessions (chains, outbox, inbox). Persist it with a `SecureStateStore` before anything leaves.
public struct EndpointState: Codable, Sendable, Equatable {
    var sessions: [Session] = []
    /// Known peers: enrolled or pinned keys (and unverified ones under open enrolment).
    public var peers = PeerDirectory()
    /// First contacts from unknown keys per sending number in the current window (open enrolment).
    var numberFirstContacts: [String: [Double]] = [:]
    var nextMessageID: UInt64 = 1
    var nextSessionID: UInt64 = 1
    /// Last intro counter used (24 bits; persisted before each intro so no counter repeats). Starts at a
    /// random value, so a client that lost its state but kept its key is unlikely to repeat an old one.
    var introCounter: UInt32?
    /// Intro frames sent with this state (at most 2^24 - 1, then `counterExhausted`).
    var introsSent: UInt32 = 0

    /// Creates an empty state.
    public init() {}

    static let sessionsPerPeer = 3
    /// Bound of `numberFirstContacts` (numbers tracked at once); beyond it unknown numbers are refused.
    static let trackedNumbers = 100_000
}
