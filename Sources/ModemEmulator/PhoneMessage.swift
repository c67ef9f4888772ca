import Foundation

/// A complete message at a virtual phone: one single-part delivery, or every part of a concatenated one.
public struct PhoneMessage: Sendable, Equatable {
    /// The phone's number.
    public var to: String
    /// The originator.
    public var from: String
    /// The reassembled body (parts joined in sequence order).
    public var content: PhoneContent
    /// How many parts it had.
    public var totalParts: Int
    /// The concatenation reference, nil for a single-part message.
    public var reference: UInt16?
    /// The submission id of each part, in sequence order.
    public var submissions: [UInt64]
    /// When the last part arrived.
    public var at: Date
}

/// What a virtual phone reports as it receives: every part, and every message once complete.
public enum PhoneEvent: Sendable, Equatable {
    /// A part (or single-part message) reached a phone; ``PhoneDelivery/duplicate`` marks a repeat.
    case part(PhoneDelivery)
    /// The last missing part of a message arrived (a single-part message completes at once).
    case message(PhoneMessage)
}

/// Running totals of a phone (never dropped, unlike the bounded logs).
public struct PhoneCounts: Sendable, Equatable {
    /// Parts received, duplicates included.
    public var receivedParts = 0
    /// Messages completed.
    public var messages = 0
    /// Parts that were duplicates.
    public var duplicates = 0
    /// Messages the phone sent with ``VirtualNetwork/phoneSend(from:to:text:)``.
    public var sentMessages = 0
    /// Parts of those messages.
    public var sentParts = 0

    /// All zero.
    public init() {}

    /// The sum of two phones' counts.
    public static func + (lhs: PhoneCounts, rhs: PhoneCounts) -> PhoneCounts {
        var sum = PhoneCounts()
        sum.receivedParts = lhs.receivedParts + rhs.receivedParts
        sum.messages = lhs.messages + rhs.messages
        sum.duplicates = lhs.duplicates + rhs.duplicates
        sum.sentMessages = lhs.sentMessages + rhs.sentMessages
        sum.sentParts = lhs.sentParts + rhs.sentParts
        return sum
    }
}
