import Foundation
import SMSPDU

/// How a ``Modem`` hands received PDUs to its consumer.
public enum InboundMode: Sendable, Equatable {
    /// Reassembled messages on ``Modem/incoming`` and final reports on ``Modem/deliveryReports``
    /// (the driver keeps reassembly and report matching in memory).
    case messages
    /// Every decoded SMS-DELIVER part and SMS-STATUS-REPORT on ``Modem/inbound``, unassembled, for a
    /// consumer that keeps reassembly and report matching durable itself (the gateway's store).
    /// Nothing is deleted from the modem until the consumer calls `acknowledge()`.
    case parts
}

/// One received PDU in ``InboundMode/parts`` mode.
public enum InboundPDU: Sendable {
    /// An SMS-DELIVER part.
    case part(IncomingPart)
    /// An SMS-STATUS-REPORT.
    case statusReport(IncomingStatusReport)
}

/// One SMS-DELIVER as received, before reassembly.
///
/// Store it, then call ``acknowledge()``: that deletes its slot (`AT+CMGD`) or acknowledges a routed
/// `+CMT` (`AT+CNMA`). Until then it stays on the modem and is offered again after a restart.
public struct IncomingPart: Sendable {
    /// Originator address.
    public let sender: String
    /// The SMSC it came through.
    public let smsc: String?
    /// Service-centre timestamp.
    public let timestamp: Date?
    /// Concatenation (reference, total, 1-based sequence) when the part has a concatenation element.
    public let concatenation: (reference: Int, total: Int, sequence: Int)?
    /// Application port addressing (destination, source).
    public let ports: (destination: Int, source: Int)?
    /// This part's user data; join parts with `UserData.joinedText(_:)` / `joinedBytes(_:)`, which
    /// restore a character a sender split across two UCS-2 parts.
    public let userData: UserData
    /// The TPDU (SMSC field skipped) in upper-case hex: byte-identical for network duplicates.
    public let tpduHex: String
    /// Where it is stored (nil for a routed `+CMT`).
    public let slot: StorageSlot?
    let acknowledger: @Sendable () async throws(ModemError) -> Void

    /// Removes the part from the modem. Call only after it is safely stored.
    public func acknowledge() async throws(ModemError) { try await acknowledger() }
}

/// One SMS-STATUS-REPORT as received (TS 23.040 §9.2.2.3), for durable matching by
/// (modem, ``reference``, ``recipient``).
public struct IncomingStatusReport: Sendable {
    /// TP-MR of the submitted part this report is about.
    public let reference: Int
    /// The recipient of that part.
    public let recipient: String
    /// TP-ST.
    public let tpStatus: Int
    /// When the SMSC delivered (or gave up).
    public let dischargeTime: Date?
    /// Where it is stored (nil for a routed `+CDS`).
    public let slot: StorageSlot?
    let acknowledger: @Sendable () async throws(ModemError) -> Void

    /// The classified status.
    public var status: DeliveryStatus { DeliveryStatus(tpStatus: tpStatus) }

    /// Removes the report from the modem. Call only after it is safely stored.
    public func acknowledge() async throws(ModemError) { try await acknowledger() }
}
