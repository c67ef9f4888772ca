import Foundation
import SMSPDU

/// One decoded SMS-DELIVER, reduced to what reassembly needs (filled in by ``PDUBridge``).
struct ReceivedPart: Sendable {
    /// Text (GSM 7-bit or UCS-2, decoded) or data (8-bit) of this part.
    enum Payload: Sendable, Equatable {
        case text(String)
        case data([UInt8])
    }

    var sender: String
    var smsc: String?
    var timestamp: Date?
    /// Concatenation (reference, total, 1-based sequence), if the part has a concat IE.
    var concat: (reference: Int, total: Int, sequence: Int)?
    var ports: (destination: Int, source: Int)?
    var payload: Payload
    /// The TPDU as hex: identical bytes mean a network duplicate.
    var identity: String
    /// The decoded user data (for exact joins in ``InboundMode/parts`` consumers).
    var userData: UserData = .empty
}

/// One decoded SMS-STATUS-REPORT.
struct ReceivedStatusReport: Sendable, Equatable {
    var reference: Int
    var recipient: String
    var status: Int
    var dischargeTime: Date? = nil
}

/// What a received PDU turned out to be.
enum DecodedPDU: Sendable {
    case deliver(ReceivedPart)
    case statusReport(ReceivedStatusReport)
    /// Something else (SMS-SUBMIT copies in storage, ...): kept, ignored.
    case other(String)
}

/// One encoded SMS-SUBMIT ready for `AT+CMGS=<tpduLength>`.
struct OutgoingPart: Sendable, Equatable {
    /// SMSC field (`00` = use the SIM's) followed by the TPDU, hex.
    var hex: String
    /// TPDU length in octets (without the SMSC field), the `AT+CMGS` argument.
    var tpduLength: Int
}
