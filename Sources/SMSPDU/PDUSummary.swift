/// The flat, JSON-ready view of a decoded PDU: the `smskit pdu decode --json` contract.
///
/// Contract keys are always present, `null` when the PDU has no such value: `type`, `smsc`,
/// `address`, `encoding`, `text`, `data_hex`, `timestamp`, `concat {ref,total,seq}`,
/// `ports {dst,src}`, `message_reference`, `status`, `class`. Extra keys follow the same rule.
///
/// ```swift
/// let s = PDUSummary(try PDU(hex: "0011000B916407281553F80000AA0AE8329BFD4697D9EC37"))
/// s.type == "submit"; s.text == "hellohello"
/// ```
public struct PDUSummary: Sendable, Hashable, Codable {
    /// Concatenation part of the summary.
    public struct Concat: Sendable, Hashable, Codable {
        /// Reference number.
        public var ref: Int
        /// Number of parts.
        public var total: Int
        /// This part, from 1.
        public var seq: Int
        /// Creates concatenation info.
        public init(ref: Int, total: Int, seq: Int) { self.ref = ref; self.total = total; self.seq = seq }
    }

    /// Port part of the summary.
    public struct Ports: Sendable, Hashable, Codable {
        /// Destination port.
        public var dst: Int
        /// Source port.
        public var src: Int
        /// Creates port info.
        public init(dst: Int, src: Int) { self.dst = dst; self.src = src }
    }

    /// `deliver`, `submit` or `status-report`.
    public var type: String
    /// `+digits` when international, else the digits; `nil` when absent.
    public var smsc: String?
    /// Originator (deliver), destination (submit) or recipient (status report).
    public var address: String
    /// `gsm7`, `ucs2` or `8bit`; `nil` for a status report without user data.
    public var encoding: String?
    /// The text of this part, header removed (GSM 7-bit and UCS-2).
    public var text: String?
    /// The user data without header as uppercase hex (8-bit and compressed data).
    public var dataHex: String?
    /// TP-SCTS as ISO 8601 keeping the sender's local time and offset.
    public var timestamp: String?
    /// Concatenation element, when present.
    public var concat: Concat?
    /// Application port element, when present.
    public var ports: Ports?
    /// TP-MR (submit and status report).
    public var messageReference: Int?
    /// TP-ST (status report).
    public var status: Int?
    /// Message class 0–3 when the DCS carries one.
    public var messageClass: Int?

    // Extra fields beyond the contract.
    /// Address type of number, e.g. `international`, `alphanumeric`.
    public var addressType: String?
    /// TP-PID.
    public var pid: Int?
    /// TP-DCS raw value.
    public var dcs: Int?
    /// Whether the user data is compressed (then only `data_hex` is given).
    public var compressed: Bool?
    /// The whole UDH (UDHL included) as hex.
    public var udhHex: String?
    /// TP-DT of a status report (ISO 8601).
    public var dischargeTime: String?
    /// TP-VP of a submit, described.
    public var validity: String?
    /// TP-SRR (submit) / TP-SRI (deliver).
    public var statusReport: Bool?
    /// National language shift tables in use, e.g. `turkish`.
    public var lockingShift: String?
    /// National single-shift table in use.
    public var singleShift: String?
    /// Length of the TPDU in octets (what `AT+CMGS` wants).
    public var tpduLength: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, smsc, address, encoding, text
        case dataHex = "data_hex"
        case timestamp, concat, ports
        case messageReference = "message_reference"
        case status
        case messageClass = "class"
        case addressType = "address_type"
        case pid, dcs, compressed
        case udhHex = "udh_hex"
        case dischargeTime = "discharge_time"
        case validity
        case statusReport = "status_report"
        case lockingShift = "locking_shift"
        case singleShift = "single_shift"
        case tpduLength = "tpdu_length"
    }

    /// Summarises a decoded PDU.
    public init(_ pdu: PDU) {
        smsc = pdu.smsc?.description
        address = pdu.tpdu.address.description
        addressType = "\(pdu.tpdu.address.typeOfNumber)"
        let dcs: DataCodingScheme?
        let ud: UserData?
        switch pdu.tpdu {
        case let .deliver(d):
            type = "deliver"
            timestamp = d.serviceCentreTimestamp.iso8601
            pid = Int(d.protocolIdentifier)
            statusReport = d.statusReportIndication
            dcs = d.dataCodingScheme
            ud = d.userData
        case let .submit(s):
            type = "submit"
            messageReference = Int(s.messageReference)
            pid = Int(s.protocolIdentifier)
            validity = s.validityPeriod?.description
            statusReport = s.statusReportRequest
            dcs = s.dataCodingScheme
            ud = s.userData
        case let .statusReport(r):
            type = "status-report"
            timestamp = r.serviceCentreTimestamp.iso8601
            dischargeTime = r.dischargeTime.iso8601
            messageReference = Int(r.messageReference)
            status = Int(r.status)
            pid = r.protocolIdentifier.map(Int.init)
            dcs = r.userData == nil ? r.dataCodingScheme : (r.dataCodingScheme ?? .gsm7)
            ud = r.userData
        }
        if let dcs {
            self.dcs = Int(dcs.rawValue)
            messageClass = dcs.messageClass.map { Int($0.rawValue) }
            if ud != nil {
                encoding = dcs.alphabet.rawValue
                compressed = dcs.isCompressed
            }
        }
        if let ud {
            switch ud.content {
            case let .text(t): text = t
            case let .binary(b): dataHex = Hex.encode(b)
            }
            if let h = ud.header {
                udhHex = (try? h.encoded()).map { Hex.encode($0) }
                if let c = h.concatenation { concat = Concat(ref: Int(c.reference), total: Int(c.total), seq: Int(c.sequence)) }
                if let p = h.ports { ports = Ports(dst: Int(p.destination), src: Int(p.source)) }
                if dcs?.alphabet == .gsm7 {
                    let a = GSM7Alphabet(header: h)
                    lockingShift = a.lockingShift?.description
                    singleShift = a.singleShift?.description
                }
            }
        }
    }

    /// Decodes hex and summarises it.
    public init(hex: String, hasSMSC: Bool = true) throws(PDUError) {
        try self.init(bytes: try Hex.decode(hex), hasSMSC: hasSMSC)
    }

    /// Decodes bytes and summarises them; `tpdu_length` is the input length minus the SMSC field.
    public init(bytes: [UInt8], hasSMSC: Bool = true) throws(PDUError) {
        self.init(try PDU(bytes: bytes, hasSMSC: hasSMSC))
        tpduLength = bytes.count - (hasSMSC ? Int(bytes.first ?? 0) + 1 : 0)
    }

    /// Decodes a summary; missing keys and `null` read as absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        smsc = try c.decodeIfPresent(String.self, forKey: .smsc)
        address = try c.decode(String.self, forKey: .address)
        encoding = try c.decodeIfPresent(String.self, forKey: .encoding)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        dataHex = try c.decodeIfPresent(String.self, forKey: .dataHex)
        timestamp = try c.decodeIfPresent(String.self, forKey: .timestamp)
        concat = try c.decodeIfPresent(Concat.self, forKey: .concat)
        ports = try c.decodeIfPresent(Ports.self, forKey: .ports)
        messageReference = try c.decodeIfPresent(Int.self, forKey: .messageReference)
        status = try c.decodeIfPresent(Int.self, forKey: .status)
        messageClass = try c.decodeIfPresent(Int.self, forKey: .messageClass)
        addressType = try c.decodeIfPresent(String.self, forKey: .addressType)
        pid = try c.decodeIfPresent(Int.self, forKey: .pid)
        dcs = try c.decodeIfPresent(Int.self, forKey: .dcs)
        compressed = try c.decodeIfPresent(Bool.self, forKey: .compressed)
        udhHex = try c.decodeIfPresent(String.self, forKey: .udhHex)
        dischargeTime = try c.decodeIfPresent(String.self, forKey: .dischargeTime)
        validity = try c.decodeIfPresent(String.self, forKey: .validity)
        statusReport = try c.decodeIfPresent(Bool.self, forKey: .statusReport)
        lockingShift = try c.decodeIfPresent(String.self, forKey: .lockingShift)
        singleShift = try c.decodeIfPresent(String.self, forKey: .singleShift)
        tpduLength = try c.decodeIfPresent(Int.self, forKey: .tpduLength)
    }

    /// Encodes every key, writing `null` for absent values.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(smsc, forKey: .smsc)
        try c.encode(address, forKey: .address)
        try c.encode(encoding, forKey: .encoding)
        try c.encode(text, forKey: .text)
        try c.encode(dataHex, forKey: .dataHex)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encode(concat, forKey: .concat)
        try c.encode(ports, forKey: .ports)
        try c.encode(messageReference, forKey: .messageReference)
        try c.encode(status, forKey: .status)
        try c.encode(messageClass, forKey: .messageClass)
        try c.encode(addressType, forKey: .addressType)
        try c.encode(pid, forKey: .pid)
        try c.encode(dcs, forKey: .dcs)
        try c.encode(compressed, forKey: .compressed)
        try c.encode(udhHex, forKey: .udhHex)
        try c.encode(dischargeTime, forKey: .dischargeTime)
        try c.encode(validity, forKey: .validity)
        try c.encode(statusReport, forKey: .statusReport)
        try c.encode(lockingShift, forKey: .lockingShift)
        try c.encode(singleShift, forKey: .singleShift)
        try c.encode(tpduLength, forKey: .tpduLength)
    }
}
