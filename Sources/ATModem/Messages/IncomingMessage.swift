import Foundation

/// A received SMS, reassembled from its parts. Delete it from the modem with ``acknowledge()``
/// once it is safely stored; until then it stays on the SIM and is offered again after a restart.
///
/// ```swift
/// for await message in modem.incoming {
///     print(message.sender, message.text ?? message.data.map { "\($0.count) bytes" } ?? "")
///     try await message.acknowledge()
/// }
/// ```
public struct IncomingMessage: Sendable {
    /// The payload: text (GSM 7-bit or UCS-2) or binary (8-bit data).
    public enum Content: Sendable, Equatable {
        case text(String)
        case data([UInt8])
    }

    /// Sender address (`+41791234567`, or an alphanumeric name).
    public let sender: String
    /// The decoded payload (missing parts left out when ``isComplete`` is false).
    public let content: Content
    /// Service-centre timestamp of the first part.
    public let timestamp: Date?
    /// The SMSC address the message came through.
    public let smsc: String?
    /// Application port addressing (destination, source), if the message carries it.
    public let ports: (destination: Int, source: Int)?
    /// Parts in the message (1 for a single SMS).
    public let totalParts: Int
    /// Part numbers (1-based) that arrived.
    public let receivedParts: [Int]
    /// Storage slots to delete on acknowledge (duplicates included).
    public let slots: [StorageSlot]
    let acknowledger: @Sendable ([StorageSlot]) async throws(ModemError) -> Void

    /// Whether every part arrived. An incomplete message is surfaced after the reassembly timeout
    /// rather than dropped.
    public var isComplete: Bool { receivedParts.count == totalParts }

    /// The text, for text messages.
    public var text: String? { if case .text(let t) = content { return t } else { return nil } }

    /// The bytes, for data messages.
    public var data: [UInt8]? { if case .data(let d) = content { return d } else { return nil } }

    /// Deletes the message's parts from modem storage (`AT+CMGD`). Call after you stored it.
    public func acknowledge() async throws(ModemError) { try await acknowledger(slots) }
}
