import Foundation

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
