/// SMS-DELIVER (TS 23.040 §9.2.2.1): a message from the service centre to the phone.
///
/// ```swift
/// let pdu = try PDU(hex: "07912143658709F1040B918100551512F20000111010214365000AE8329BFD4697D9EC37")
/// if case let .deliver(d) = pdu.tpdu { print(d.originator, d.userData.text ?? "") } // +18005551212 hellohello
/// ```
public struct DeliverPDU: Sendable, Hashable {
    /// TP-MMS inverted: `true` when the service centre has more messages waiting (bit 2 clear).
    public var moreMessagesToSend: Bool
    /// TP-LP: loop prevention.
    public var loopPrevention: Bool
    /// TP-SRI: a status report will be returned to the sender.
    public var statusReportIndication: Bool
    /// TP-RP: reply path set.
    public var replyPath: Bool
    /// TP-OA: the sender.
    public var originator: Address
    /// TP-PID: protocol identifier (0 for a plain short message).
    public var protocolIdentifier: UInt8
    /// TP-DCS.
    public var dataCodingScheme: DataCodingScheme
    /// TP-SCTS: when the service centre received the message.
    public var serviceCentreTimestamp: ServiceCentreTimestamp
    /// TP-UD (TP-UDHI follows from `userData.header`).
    public var userData: UserData

    /// Creates an SMS-DELIVER; TP-UDHI follows from `userData.header`.
    public init(originator: Address, protocolIdentifier: UInt8 = 0, dataCodingScheme: DataCodingScheme = .gsm7,
                serviceCentreTimestamp: ServiceCentreTimestamp, userData: UserData,
                moreMessagesToSend: Bool = false, loopPrevention: Bool = false,
                statusReportIndication: Bool = false, replyPath: Bool = false) {
        self.originator = originator
        self.protocolIdentifier = protocolIdentifier
        self.dataCodingScheme = dataCodingScheme
        self.serviceCentreTimestamp = serviceCentreTimestamp
        self.userData = userData
        self.moreMessagesToSend = moreMessagesToSend
        self.loopPrevention = loopPrevention
        self.statusReportIndication = statusReportIndication
        self.replyPath = replyPath
    }

    /// The SMS-DELIVER a recipient gets for `submit` (what a service centre, or the emulator,
    /// makes of it): same PID, DCS and user data; the status report indication mirrors TP-SRR.
    public init(submit: SubmitPDU, originator: Address, serviceCentreTimestamp: ServiceCentreTimestamp) {
        self.init(originator: originator, protocolIdentifier: submit.protocolIdentifier,
                  dataCodingScheme: submit.dataCodingScheme, serviceCentreTimestamp: serviceCentreTimestamp,
                  userData: submit.userData, statusReportIndication: submit.statusReportRequest,
                  replyPath: submit.replyPath)
    }

    static func decode(_ reader: inout ByteReader) throws(PDUError) -> DeliverPDU {
        let fo = try reader.byte(.firstOctet)
        let oa = try Address.decodeTP(&reader, field: .originatingAddress)
        let pid = try reader.byte(.protocolIdentifier)
        let dcs = DataCodingScheme(rawValue: try reader.byte(.dataCodingScheme))
        let scts = try ServiceCentreTimestamp.decode(&reader, field: .serviceCentreTimestamp)
        let ud = try UserData.decode(&reader, dcs: dcs, hasHeader: fo & 0x40 != 0)
        return DeliverPDU(originator: oa, protocolIdentifier: pid, dataCodingScheme: dcs, serviceCentreTimestamp: scts,
                          userData: ud, moreMessagesToSend: fo & 0x04 == 0, loopPrevention: fo & 0x08 != 0,
                          statusReportIndication: fo & 0x20 != 0, replyPath: fo & 0x80 != 0)
    }

    func encode(into out: inout [UInt8]) throws(PDUError) {
        var fo: UInt8 = 0x00
        if !moreMessagesToSend { fo |= 0x04 }
        if loopPrevention { fo |= 0x08 }
        if statusReportIndication { fo |= 0x20 }
        if userData.header != nil { fo |= 0x40 }
        if replyPath { fo |= 0x80 }
        out.append(fo)
        out += try originator.encodeTP(field: .originatingAddress)
        out.append(protocolIdentifier)
        out.append(dataCodingScheme.rawValue)
        out += try serviceCentreTimestamp.encode(field: .serviceCentreTimestamp)
        let (udl, octets) = try userData.encode(dcs: dataCodingScheme)
        out.append(udl)
        out += octets
    }
}
