/// SMS-STATUS-REPORT (TS 23.040 §9.2.2.3): the service centre's report on a submitted message.
///
/// ```swift
/// let pdu = try PDU(hex: "0006040D91945152991136F00160124130340A0160124130940A00")
/// if case let .statusReport(r) = pdu.tpdu { print(r.messageReference, r.status) } // 4 0
/// ```
public struct StatusReportPDU: Sendable, Hashable {
    /// TP-MMS inverted: `true` when more messages are waiting (bit 2 clear).
    public var moreMessagesToSend: Bool
    /// TP-LP: loop prevention.
    public var loopPrevention: Bool
    /// TP-SRQ: `true` when this reports on an SMS-COMMAND, `false` for an SMS-SUBMIT.
    public var statusReportQualifier: Bool
    /// TP-MR of the message this report is about.
    public var messageReference: UInt8
    /// TP-RA: the recipient of that message.
    public var recipient: Address
    /// TP-SCTS: when the service centre received that message.
    public var serviceCentreTimestamp: ServiceCentreTimestamp
    /// TP-DT: when it was delivered (or the status last changed).
    public var dischargeTime: ServiceCentreTimestamp
    /// TP-ST: the status (0x00–0x1F completed, 0x20–0x3F temporary, 0x40–0x6F permanent error, …).
    public var status: UInt8
    /// TP-PI as received (extension octets dropped); `nil` when absent. Its PID/DCS/UDL bits are
    /// recomputed on encode; reserved bits are kept (and, as TS 23.040 says, a TP-PI with reserved
    /// bits set is not acted upon: the optional fields are then not read).
    public var parameterIndicator: UInt8?
    /// Optional TP-PID.
    public var protocolIdentifier: UInt8?
    /// Optional TP-DCS.
    public var dataCodingScheme: DataCodingScheme?
    /// Optional TP-UD.
    public var userData: UserData?

    /// Creates an SMS-STATUS-REPORT; TP-PI is derived from the optional fields given.
    public init(messageReference: UInt8, recipient: Address, serviceCentreTimestamp: ServiceCentreTimestamp,
                dischargeTime: ServiceCentreTimestamp, status: UInt8, protocolIdentifier: UInt8? = nil,
                dataCodingScheme: DataCodingScheme? = nil, userData: UserData? = nil,
                moreMessagesToSend: Bool = false, loopPrevention: Bool = false, statusReportQualifier: Bool = false) {
        self.messageReference = messageReference
        self.recipient = recipient
        self.serviceCentreTimestamp = serviceCentreTimestamp
        self.dischargeTime = dischargeTime
        self.status = status
        self.protocolIdentifier = protocolIdentifier
        self.dataCodingScheme = dataCodingScheme
        self.userData = userData
        self.moreMessagesToSend = moreMessagesToSend
        self.loopPrevention = loopPrevention
        self.statusReportQualifier = statusReportQualifier
        let pi = (protocolIdentifier != nil ? 1 : 0) | (dataCodingScheme != nil ? 2 : 0) | (userData != nil ? 4 : 0)
        self.parameterIndicator = pi == 0 ? nil : UInt8(pi)
    }

    /// The report a service centre (or the emulator) sends about `submit`: same TP-MR, the
    /// destination as TP-RA. `status` 0 means delivered.
    public init(reportingOn submit: SubmitPDU, serviceCentreTimestamp: ServiceCentreTimestamp,
                dischargeTime: ServiceCentreTimestamp, status: UInt8 = 0) {
        self.init(messageReference: submit.messageReference, recipient: submit.destination,
                  serviceCentreTimestamp: serviceCentreTimestamp, dischargeTime: dischargeTime, status: status)
    }

    /// The broad meaning of TP-ST (TS 23.040 §9.2.3.15).
    public enum StatusCategory: String, Sendable, Hashable, Codable {
        /// 0x00–0x1F: the message was delivered (or replaced, or the SC cannot tell more).
        case completed
        /// 0x20–0x3F: temporary error, the service centre is still trying.
        case temporaryError = "temporary-error"
        /// 0x40–0x5F: permanent error, the service centre stopped trying.
        case permanentError = "permanent-error"
        /// 0x60–0x7F: temporary error, the service centre stopped trying.
        case temporaryErrorNoRetry = "temporary-error-no-retry"
        /// 0x80–0xFF: reserved or SC-specific values.
        case reserved
    }

    /// The category of `status`.
    public var statusCategory: StatusCategory {
        switch status {
        case 0x00...0x1F: return .completed
        case 0x20...0x3F: return .temporaryError
        case 0x40...0x5F: return .permanentError
        case 0x60...0x7F: return .temporaryErrorNoRetry
        default: return .reserved
        }
    }

    static func decode(_ reader: inout ByteReader) throws(PDUError) -> StatusReportPDU {
        let fo = try reader.byte(.firstOctet)
        let mr = try reader.byte(.messageReference)
        let ra = try Address.decodeTP(&reader, field: .recipientAddress)
        let scts = try ServiceCentreTimestamp.decode(&reader, field: .serviceCentreTimestamp)
        let dt = try ServiceCentreTimestamp.decode(&reader, field: .dischargeTime)
        let st = try reader.byte(.status)
        var report = StatusReportPDU(messageReference: mr, recipient: ra, serviceCentreTimestamp: scts, dischargeTime: dt,
                                     status: st, moreMessagesToSend: fo & 0x04 == 0, loopPrevention: fo & 0x08 != 0,
                                     statusReportQualifier: fo & 0x20 != 0)
        guard !reader.isAtEnd else { return report }
        let pi = try reader.byte(.parameterIndicator)
        // Extension octets carry nothing we interpret; some SMSCs pad reports with 0xFF, so the
        // chain may run to the end of the input.
        var ext = pi
        while ext & 0x80 != 0, !reader.isAtEnd { ext = try reader.byte(.parameterIndicator) }
        report.parameterIndicator = pi & 0x7F
        // TS 23.040 §9.2.3.27: a TP-PI with reserved bits (3-6) set is not acted upon.
        guard pi & 0x78 == 0 else {
            report.parameterIndicator = pi & 0x78
            return report
        }
        if pi & 0x01 != 0 { report.protocolIdentifier = try reader.byte(.protocolIdentifier) }
        if pi & 0x02 != 0 { report.dataCodingScheme = DataCodingScheme(rawValue: try reader.byte(.dataCodingScheme)) }
        if pi & 0x04 != 0 {
            report.userData = try UserData.decode(&reader, dcs: report.dataCodingScheme ?? .gsm7, hasHeader: fo & 0x40 != 0)
        }
        return report
    }

    func encode(into out: inout [UInt8]) throws(PDUError) {
        var fo: UInt8 = 0x02
        if !moreMessagesToSend { fo |= 0x04 }
        if loopPrevention { fo |= 0x08 }
        if statusReportQualifier { fo |= 0x20 }
        if userData?.header != nil { fo |= 0x40 }
        out.append(fo)
        out.append(messageReference)
        out += try recipient.encodeTP(field: .recipientAddress)
        out += try serviceCentreTimestamp.encode(field: .serviceCentreTimestamp)
        out += try dischargeTime.encode(field: .dischargeTime)
        out.append(status)
        let pi = (protocolIdentifier != nil ? 1 : 0) | (dataCodingScheme != nil ? 2 : 0) | (userData != nil ? 4 : 0)
        guard pi != 0 || parameterIndicator != nil else { return }
        // Reserved bits 3-6 of a received TP-PI are written back unchanged.
        out.append(UInt8(pi) | (parameterIndicator ?? 0) & 0x78)
        if let pid = protocolIdentifier { out.append(pid) }
        if let dcs = dataCodingScheme { out.append(dcs.rawValue) }
        if let ud = userData {
            let (udl, octets) = try ud.encode(dcs: dataCodingScheme ?? .gsm7)
            out.append(udl)
            out += octets
        }
    }
}
