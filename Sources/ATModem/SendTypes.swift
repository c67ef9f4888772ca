import Foundation

/// Options for ``Modem/send(text:to:options:)`` and ``Modem/send(data:to:ports:options:)``.
public struct SendOptions: Sendable, Equatable {
    /// Ask the network for a status report per part (TP-SRR); see ``Modem/deliveryReport(for:timeout:)``.
    public var requestDeliveryReport: Bool
    /// Validity period relative to submission (nil: the SMSC's default).
    public var validity: Duration?
    /// The caller's own id for this message, carried back in ``DeliveryReport/correlationID`` so a
    /// report can be matched to the caller's records.
    public var correlationID: String?

    /// Creates options.
    public init(requestDeliveryReport: Bool = false, validity: Duration? = nil, correlationID: String? = nil) {
        self.requestDeliveryReport = requestDeliveryReport
        self.validity = validity
        self.correlationID = correlationID
    }
}

/// What a send returned: the network's message reference (TP-MR) of every part, in order.
///
/// ```swift
/// let receipt = try await modem.send(text: "hi", to: "+41791234567", options: .init(requestDeliveryReport: true))
/// print(receipt.references) // [17]
/// ```
public struct SendReceipt: Sendable, Equatable, Codable {
    /// Identifies the message inside this process (matches ``DeliveryReport/messageID``).
    public let messageID: UInt64
    /// The recipient as sent.
    public let recipient: String
    /// TP-MR of each part (0…255), in part order.
    public let references: [Int]
    /// Whether status reports were requested.
    public let reportRequested: Bool
}

/// The state of one part or of a whole message as status reports say (TS 23.040 §9.2.3.15).
public enum DeliveryStatus: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Delivered to the recipient.
    case delivered
    /// The SMSC is still trying (temporary error, TP-ST 0x20–0x3F).
    case pending(status: Int)
    /// Will not be delivered (permanent error, or temporary error after which the SMSC gave up).
    case failed(status: Int)

    /// Classifies a TP-ST value.
    public init(tpStatus st: Int) {
        switch st {
        case 0x00...0x1F: self = .delivered
        case 0x20...0x3F: self = .pending(status: st)
        default: self = .failed(status: st)
        }
    }

    /// Whether no further report is expected.
    public var isFinal: Bool { if case .pending = self { return false } else { return true } }

    /// `delivered`, `pending` or `failed` (the CLI's `"delivery"` value).
    public var name: String {
        switch self {
        case .delivered: return "delivered"
        case .pending: return "pending"
        case .failed: return "failed"
        }
    }

    public var description: String {
        switch self {
        case .delivered: return "delivered"
        case .pending(let s): return "pending (TP-ST 0x\(String(s, radix: 16)))"
        case .failed(let s): return "failed (TP-ST 0x\(String(s, radix: 16)))"
        }
    }
}

/// The final outcome of one sent message: all parts delivered, or the first part that failed.
public struct DeliveryReport: Sendable, Equatable, Codable {
    /// The ``SendReceipt/messageID`` this report is about.
    public let messageID: UInt64
    /// The recipient.
    public let recipient: String
    /// TP-MR of each part.
    public let references: [Int]
    /// Message-level status: delivered only when every part is.
    public let status: DeliveryStatus
    /// Per-part statuses in part order.
    public let parts: [DeliveryStatus]
    /// The ``SendOptions/correlationID`` the message was sent with.
    public var correlationID: String? = nil
}
