import Foundation
import SMSPDU

/// One decoded SMS-DELIVER, reduced to what reassembly needs (filled in by ``DecodedPDU/init(hex:)``).
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
