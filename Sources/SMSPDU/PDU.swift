/// The transfer-layer PDU in one of the three kinds modems store and report.
public enum TPDU: Sendable, Hashable {
    case deliver(DeliverPDU)
    case submit(SubmitPDU)
    case statusReport(StatusReportPDU)

    /// Decodes a TPDU; TP-MTI 0 is SMS-DELIVER, 1 SMS-SUBMIT, 2 SMS-STATUS-REPORT (as modems
    /// print stored messages), 3 is reserved and rejected.
    public init(bytes: [UInt8]) throws(PDUError) {
        var reader = ByteReader(bytes)
        self = try TPDU.decode(&reader)
    }

    static func decode(_ reader: inout ByteReader) throws(PDUError) -> TPDU {
        let fo = try reader.peek(.firstOctet)
        switch fo & 0x03 {
        case 0: return .deliver(try DeliverPDU.decode(&reader))
        case 1: return .submit(try SubmitPDU.decode(&reader))
        case 2: return .statusReport(try StatusReportPDU.decode(&reader))
        default: throw .reservedMessageType(offset: reader.offset)
        }
    }

    /// Encodes the TPDU.
    public func encoded() throws(PDUError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(176)
        switch self {
        case let .deliver(d): try d.encode(into: &out)
        case let .submit(s): try s.encode(into: &out)
        case let .statusReport(r): try r.encode(into: &out)
        }
        return out
    }

    /// The user data, when present.
    public var userData: UserData? {
        switch self {
        case let .deliver(d): return d.userData
        case let .submit(s): return s.userData
        case let .statusReport(r): return r.userData
        }
    }

    /// The data coding scheme, when present.
    public var dataCodingScheme: DataCodingScheme? {
        switch self {
        case let .deliver(d): return d.dataCodingScheme
        case let .submit(s): return s.dataCodingScheme
        case let .statusReport(r): return r.dataCodingScheme
        }
    }

    /// The originator, destination or recipient address.
    public var address: Address {
        switch self {
        case let .deliver(d): return d.originator
        case let .submit(s): return s.destination
        case let .statusReport(r): return r.recipient
        }
    }
}

/// A PDU as modems exchange it in PDU mode: an optional SMSC address followed by a TPDU.
///
/// ```swift
/// let pdu = try PDU(hex: "0011000B916407281553F80000AA0AE8329BFD4697D9EC37")
/// let (tpduLength, bytes) = try pdu.encode()   // tpduLength 23 is what AT+CMGS=23 wants
/// ```
public struct PDU: Sendable, Hashable {
    /// The service centre address; `nil` when the field is empty (`00`) or not present.
    public var smsc: Address?
    /// The transfer-layer PDU.
    public var tpdu: TPDU

    /// Creates a PDU; `smsc` nil encodes as `00` (the modem uses its configured SMSC).
    public init(smsc: Address? = nil, tpdu: TPDU) {
        self.smsc = smsc
        self.tpdu = tpdu
    }

    /// Decodes hex (either case, whitespace ignored). `hasSMSC`: the input starts with the SMSC
    /// field, as in `AT+CMGR`, `+CMT` and `+CMGL` output.
    public init(hex: String, hasSMSC: Bool = true) throws(PDUError) {
        try self.init(bytes: try Hex.decode(hex), hasSMSC: hasSMSC)
    }

    /// Decodes bytes; see `init(hex:hasSMSC:)`. Bytes after the user data are ignored.
    public init(bytes: [UInt8], hasSMSC: Bool = true) throws(PDUError) {
        var reader = ByteReader(bytes)
        smsc = hasSMSC ? try Address.decodeSMSC(&reader) : nil
        tpdu = try TPDU.decode(&reader)
    }

    /// Encodes the PDU. With `includeSMSC` the SMSC field comes first (`00` when `smsc` is nil);
    /// `tpduLength` never counts it (it is the length `AT+CMGS` expects).
    public func encode(includeSMSC: Bool = true) throws(PDUError) -> (tpduLength: Int, bytes: [UInt8]) {
        let t = try tpdu.encoded()
        guard includeSMSC else { return (t.count, t) }
        let s = try smsc?.encodeSMSC() ?? [0x00]
        return (t.count, s + t)
    }

    /// Encodes as uppercase hex; see `encode(includeSMSC:)`.
    public func hex(includeSMSC: Bool = true) throws(PDUError) -> String {
        Hex.encode(try encode(includeSMSC: includeSMSC).bytes)
    }
}
