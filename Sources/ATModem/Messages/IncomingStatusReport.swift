import Foundation
import SMSPDU

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
