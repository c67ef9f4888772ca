import Foundation

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
