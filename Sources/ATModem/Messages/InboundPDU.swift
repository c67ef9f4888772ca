import Foundation
import SMSPDU

/// One received PDU in ``InboundMode/parts`` mode.
public enum InboundPDU: Sendable {
    /// An SMS-DELIVER part.
    case part(IncomingPart)
    /// An SMS-STATUS-REPORT.
    case statusReport(IncomingStatusReport)
}
