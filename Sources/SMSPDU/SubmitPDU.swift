/// SMS-SUBMIT (TS 23.040 §9.2.2.2): a message from the phone to the service centre.
///
/// ```swift
/// let submit = SubmitPDU(destination: try Address("+46708251358"), userData: UserData(text: "hellohello"))
/// let (length, bytes) = try PDU(tpdu: .submit(submit)).encode()  // 23, 00 01 00 0B 91 ...
/// ```
public struct SubmitPDU: Sendable, Hashable {
    /// TP-RD: reject a duplicate (same MR and DA) still held by the service centre.
    public var rejectDuplicates: Bool
    /// TP-VP (its presence and format give TP-VPF).
    public var validityPeriod: ValidityPeriod?
    /// TP-SRR: ask for a status report.
    public var statusReportRequest: Bool
    /// TP-RP: reply path.
    public var replyPath: Bool
    /// TP-MR (0 lets most modems assign it).
    public var messageReference: UInt8
    /// TP-DA: the recipient.
    public var destination: Address
    /// TP-PID.
    public var protocolIdentifier: UInt8
    /// TP-DCS.
    public var dataCodingScheme: DataCodingScheme
    /// TP-UD (TP-UDHI follows from `userData.header`).
    public var userData: UserData

    /// Creates an SMS-SUBMIT; TP-VPF and TP-UDHI follow from `validityPeriod` and `userData.header`.
    public init(destination: Address, userData: UserData, dataCodingScheme: DataCodingScheme = .gsm7,
                messageReference: UInt8 = 0, validityPeriod: ValidityPeriod? = nil, statusReportRequest: Bool = false,
                protocolIdentifier: UInt8 = 0, rejectDuplicates: Bool = false, replyPath: Bool = false) {
        self.destination = destination
        self.userData = userData
        self.dataCodingScheme = dataCodingScheme
        self.messageReference = messageReference
        self.validityPeriod = validityPeriod
        self.statusReportRequest = statusReportRequest
        self.protocolIdentifier = protocolIdentifier
        self.rejectDuplicates = rejectDuplicates
        self.replyPath = replyPath
    }

    static func decode(_ reader: inout ByteReader) throws(PDUError) -> SubmitPDU {
        let fo = try reader.byte(.firstOctet)
        let mr = try reader.byte(.messageReference)
        let da = try Address.decodeTP(&reader, field: .destinationAddress)
        let pid = try reader.byte(.protocolIdentifier)
        let dcs = DataCodingScheme(rawValue: try reader.byte(.dataCodingScheme))
        let vp = try ValidityPeriod.decode(&reader, formatBits: fo)
        let ud = try UserData.decode(&reader, dcs: dcs, hasHeader: fo & 0x40 != 0)
        return SubmitPDU(destination: da, userData: ud, dataCodingScheme: dcs, messageReference: mr, validityPeriod: vp,
                         statusReportRequest: fo & 0x20 != 0, protocolIdentifier: pid,
                         rejectDuplicates: fo & 0x04 != 0, replyPath: fo & 0x80 != 0)
    }

    func encode(into out: inout [UInt8]) throws(PDUError) {
        var fo: UInt8 = 0x01
        if rejectDuplicates { fo |= 0x04 }
        if let vp = validityPeriod { fo |= vp.formatBits }
        if statusReportRequest { fo |= 0x20 }
        if userData.header != nil { fo |= 0x40 }
        if replyPath { fo |= 0x80 }
        out.append(fo)
        out.append(messageReference)
        out += try destination.encodeTP(field: .destinationAddress)
        out.append(protocolIdentifier)
        out.append(dataCodingScheme.rawValue)
        if let vp = validityPeriod { out += try vp.encode() }
        let (udl, octets) = try userData.encode(dcs: dataCodingScheme)
        out.append(udl)
        out += octets
    }
}
