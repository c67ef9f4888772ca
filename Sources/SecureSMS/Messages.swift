/// One SMS the endpoint wants sent: destination number and the frame bytes (one SMS each).
public struct OutboundSMS: Sendable, Equatable {
    /// Destination phone number.
    public var to: String
    /// Frame bytes; at most the transport capacity.
    public var bytes: [UInt8]
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
    /// Trust of the session it arrived on.
    public var trust: Trust
    /// The sequence number within the session (0 = handshake message).
    public var sequence: UInt32

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
    /// Message `messageID` was not acknowledged after the last retry.
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

    mutating func append(_ other: EndpointStep) {
        events += other.events
        outbound += other.outbound
    }
}
