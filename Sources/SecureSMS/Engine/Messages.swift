/// One SMS the endpoint wants sent: destination number and the frame bytes (one SMS each).
public struct OutboundSMS: Sendable, Equatable {
    /// Destination phone number.
    public var to: String
    /// Frame bytes; at most the transport capacity.
    public var bytes: [UInt8]
    /// The application message this SMS carries (nil for acknowledgements and data-less replies).
    public var messageID: UInt64?

    /// Creates an outbound SMS.
    public init(to: String, bytes: [UInt8], messageID: UInt64? = nil) {
        self.to = to
        self.bytes = bytes
        self.messageID = messageID
    }
}

/// Names one delivered message for `SecureEndpoint.commit(_:now:)`: the application confirms with it that
/// it stored the message, and only then is the protocol acknowledgement sent (and the SMS deletable).
public struct MessageReceipt: Sendable, Hashable, Codable {
    /// Local id of the session the message arrived on.
    public var session: UInt64
    /// The message's sequence number in that session.
    public var sequence: UInt32
    /// The peer the session belongs to (a store loads this peer to commit).
    public var peer: PublicKey?

    /// Creates a receipt.
    public init(session: UInt64, sequence: UInt32, peer: PublicKey? = nil) {
        self.session = session
        self.sequence = sequence
        self.peer = peer
    }
}

/// An application message delivered (exactly once, in order) from a peer.
public struct ReceivedMessage: Sendable, Equatable {
    /// The number it arrived from (a hint, not the identity).
    public var from: String
    /// The authenticated sender.
    public var peer: PublicKey
    /// The payload bytes (UTF-8 for text messages).
    public var payload: [UInt8]
    /// Whether it was sent as text.
    public var isText: Bool
    /// Trust of the key it arrived from (`enrolled`, `unverified` or `pinned`).
    public var trust: Trust
    /// The sequence number within the session (0 = handshake message).
    public var sequence: UInt32
    /// The customer id the key was enrolled for (bank side).
    public var customerID: String? = nil
    /// Whether the key was enrolled or pinned (false: `unverified`, open enrolment).
    public var verified: Bool { trust != .unverified }
    /// Whether the message cannot be a replay. False only for message 1 of a session (the 0-RTT first
    /// contact): the application may act on it only idempotently until the round trip completed (docs/protocol.md §3.1).
    public var replayProtected: Bool { sequence > 0 }
    /// Whether it came from the number of the peer's record (replies go there in any case).
    public var fromRecordedNumber: Bool = true
    /// Pass to `commit` once the message is stored: then it is acknowledged.
    public var receipt = MessageReceipt(session: 0, sequence: 0)

    /// The payload as text (UTF-8 decoding; invalid sequences are replaced).
    public var text: String { String(decoding: payload, as: UTF8.self) }
}

/// What one message cost on the air.
public struct MessageCost: Sendable, Equatable, Codable {
    /// Number of SMS.
    public var segments: Int
    /// Frame bytes over all SMS (without the SMS user-data header).
    public var wireBytes: Int
    /// `wireBytes` minus the encoded payload bytes.
    public var overheadBytes: Int
}

/// Something the application should know about.
public enum SecureEvent: Sendable, Equatable {
    /// A message arrived.
    case message(ReceivedMessage)
    /// The peer acknowledged message `messageID` end to end.
    case delivered(messageID: UInt64, peer: PublicKey, cost: MessageCost)
    /// Message `messageID` went out but was not acknowledged after the last retry: the peer may have it
    /// (and may have acted on it). Treat it as possibly done; never resend it blindly as a new message.
    case unconfirmed(messageID: UInt64, peer: PublicKey)
    /// Message `messageID` was never sent (its session was dropped before it was sealed, or every
    /// transmission failed): the peer cannot have it.
    case failed(messageID: UInt64, peer: PublicKey)
    /// An incoming frame was rejected (tampered, replayed, unknown sender…); nothing was delivered.
    case rejected(from: String, error: SecureSMSError)
}

/// The result of feeding the endpoint: events for the application and SMS to transmit.
public struct EndpointStep: Sendable, Equatable {
    /// Events, in order.
    public var events: [SecureEvent] = []
    /// SMS to send, in order (persist the endpoint state first).
    public var outbound: [OutboundSMS] = []

    /// Creates an empty step.
    public init(events: [SecureEvent] = [], outbound: [OutboundSMS] = []) {
        self.events = events
        self.outbound = outbound
    }

    /// The messages among `events`, in order.
    public var messages: [ReceivedMessage] {
        events.compactMap { if case .message(let m) = $0 { return m } else { return nil } }
    }

    mutating func append(_ other: EndpointStep) {
        events += other.events
        outbound += other.outbound
    }
}
