import Foundation

/// The body of a message part or message at a virtual phone: text (GSM 7-bit or UCS-2) or 8-bit data.
public enum PhoneContent: Sendable, Equatable {
    /// Text, decoded from GSM 7-bit or UCS-2.
    case text(String)
    /// 8-bit data (or the bytes of a part whose PDU could not be decoded: then empty).
    case data([UInt8])

    /// The text, when the body is text.
    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    /// The bytes, when the body is data.
    public var data: [UInt8]? {
        if case .data(let bytes) = self { return bytes }
        return nil
    }
}

/// Where a part sits in a concatenated message (the concatenation element of its user data header).
public struct PartInfo: Sendable, Equatable, Hashable {
    /// The reference shared by all parts of one message (8- or 16-bit).
    public var reference: UInt16
    /// How many parts the message has.
    public var total: Int
    /// This part's number, from 1.
    public var sequence: Int

    /// A part position.
    public init(reference: UInt16, total: Int, sequence: Int) {
        self.reference = reference
        self.total = total
        self.sequence = sequence
    }
}

/// One SMS-DELIVER the SMSC handed to a virtual phone (every copy, duplicates included).
///
/// ```swift
/// let phone = try #require(await net.phone("+19990001"))
/// for delivery in phone.deliveries { print(delivery.submission, delivery.part?.sequence ?? 1, delivery.duplicate) }
/// ```
public struct PhoneDelivery: Sendable, Equatable {
    /// The phone's number (the TP-DA the sender wrote).
    public var to: String
    /// The originator: the number of the modem (or phone) that sent it.
    public var from: String
    /// The id the SMSC gave the SMS-SUBMIT this part came from; copies made by the `dup` fault share it.
    public var submission: UInt64
    /// The SMS-DELIVER TPDU as hex (without the SMSC field), as a real handset would receive it.
    public var tpduHex: String
    /// The concatenation element, nil for a single-part message.
    public var part: PartInfo?
    /// The decoded body of this part.
    public var content: PhoneContent
    /// True when this phone already had this part: the same submission, or the same part of a message
    /// still being reassembled. Duplicates count here but are ignored for reassembly.
    public var duplicate: Bool
    /// When the phone got it, by the network's clock.
    public var at: Date
}
