/// Which side of SecureSMS an endpoint is.
public enum EndpointRole: String, Sendable, Equatable, Codable {
    /// An app or device: starts sessions with a pinned responder key and never accepts an inbound first
    /// contact (a hello "from the bank" would be key-compromise impersonation by whoever holds our key).
    case client
    /// The bank: accepts first contacts from enrolled keys (and, with open enrolment, unverified ones).
    case bank
}

/// How a bank endpoint treats keys nobody enrolled, and the limits that bound what strangers can cost it.
public struct EnrolmentPolicy: Sendable, Equatable {
    /// Accept first contacts from unknown keys, as `unverified` (default: reject them with `notEnrolled`).
    public var open: Bool
    /// Most `unverified` peers at once; further unknown keys are rejected (`enrolmentFull`) until some expire.
    public var maximumUnverifiedPeers: Int
    /// First contacts accepted per key, and per sending number for unknown keys, within `rateWindow`.
    public var firstContactsPerWindow: Int
    /// The rate-limit window in seconds.
    public var rateWindow: Double
    /// Seconds after which an idle `unverified` peer (and its sessions) is forgotten.
    public var unverifiedIdleExpiry: Double

    /// Creates a policy.
    public init(open: Bool = false, maximumUnverifiedPeers: Int = 10_000, firstContactsPerWindow: Int = 5,
                rateWindow: Double = 3600, unverifiedIdleExpiry: Double = 7 * 24 * 3600) {
        self.open = open
        self.maximumUnverifiedPeers = max(0, maximumUnverifiedPeers)
        self.firstContactsPerWindow = max(1, firstContactsPerWindow)
        self.rateWindow = rateWindow.isFinite ? max(1, rateWindow) : 3600
        self.unverifiedIdleExpiry = unverifiedIdleExpiry.isFinite ? max(1, unverifiedIdleExpiry) : 7 * 24 * 3600
    }
}

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
    /// Most messages queued per session behind the window; `send` then throws `windowFull`.
    public var queueLimit: Int
    /// Client or bank.
    public var role: EndpointRole
    /// Bank side: how unknown keys are treated.
    public var enrolment: EnrolmentPolicy
    /// Seconds after which an idle session with nothing in flight is dropped (a new message starts a new one).
    public var sessionIdleExpiry: Double
    /// Acknowledge a message as soon as it is delivered, without waiting for `commit` (only for callers
    /// that keep no messages of their own, such as the fuzzer and benchmarks).
    public var commitOnDelivery: Bool
    /// The periodic DH ratchet (docs/protocol.md §4.1): when it is this side's turn, its next data frame is a
    /// ratchet step (+32 bytes) once this many data messages of the session (sent or received) passed since the
    /// last step. 0 = never by count. Default 50: one 32-byte key per 50 messages (< 1 byte a message) while a
    /// stolen session state stops opening traffic within about 100 messages.
    public var ratchetEvery: Int
    /// …or once this many seconds passed since the last step. 0 = never by time. Default 24 h, so a session
    /// with little traffic still heals within a day or two of use.
    public var ratchetInterval: Double

    /// Whether this endpoint takes ratchet steps at all (it always accepts the peer's).
    public var ratchets: Bool { ratchetEvery > 0 || ratchetInterval > 0 }

    /// Creates a configuration.
    public init(transport: SecureTransportKind = .binary, retry: RetryPolicy = RetryPolicy(), ackDelay: Double = 2,
                window: Int = 16, queueLimit: Int = 256, role: EndpointRole = .client,
                enrolment: EnrolmentPolicy = EnrolmentPolicy(), sessionIdleExpiry: Double = 30 * 24 * 3600,
                commitOnDelivery: Bool = false, ratchetEvery: Int = 50, ratchetInterval: Double = 24 * 3600) {
        self.transport = transport
        self.retry = retry
        self.ackDelay = ackDelay.isFinite ? max(0, ackDelay) : 2
        self.window = min(max(window, 1), 16)
        self.queueLimit = max(1, queueLimit)
        self.role = role
        self.enrolment = enrolment
        self.sessionIdleExpiry = sessionIdleExpiry.isFinite ? max(1, sessionIdleExpiry) : 30 * 24 * 3600
        self.commitOnDelivery = commitOnDelivery
        self.ratchetEvery = max(0, ratchetEvery)
        self.ratchetInterval = ratchetInterval.isFinite ? max(0, ratchetInterval) : 0
    }
}
