import SMSPDU

/// What a received PDU line turned out to be: the driver's view of SMSPDU's ``PDU``.
enum DecodedPDU: Sendable {
    case deliver(ReceivedPart)
    case statusReport(ReceivedStatusReport)
    /// Something else (SMS-SUBMIT copies in storage, ...): kept, ignored.
    case other(String)

    /// Decodes a PDU line as `AT+CMGR`/`+CMGL`/`+CMT`/`+CDS` print it (SMSC field first).
    /// - Throws: ``ModemError/decoding(_:)`` with the codec's error (field and offset).
    init(hex: String) throws(ModemError) {
        let pdu: PDU
        do { pdu = try PDU(hex: hex) } catch { throw .decoding(error) }
        switch pdu.tpdu {
        case .deliver(let d):
            let header = d.userData.header
            let payload: ReceivedPart.Payload
            switch d.userData.content {
            case .text(let t): payload = .text(t)
            case .binary(let b): payload = .data(b)
            }
            let concat = header?.concatenation.map { (reference: Int($0.reference), total: Int($0.total), sequence: Int($0.sequence)) }
            let ports = header?.ports.map { (destination: Int($0.destination), source: Int($0.source)) }
            self = .deliver(ReceivedPart(sender: d.originator.description, smsc: pdu.smsc?.description,
                                         timestamp: d.serviceCentreTimestamp.date, concat: concat, ports: ports,
                                         payload: payload, identity: Self.tpduHex(hex), userData: d.userData))
        case .statusReport(let r):
            self = .statusReport(ReceivedStatusReport(reference: Int(r.messageReference), recipient: r.recipient.description,
                                                      status: Int(r.status), dischargeTime: r.dischargeTime.date))
        case .submit:
            self = .other("SMS-SUBMIT")
        }
    }

    /// The TPDU part of a PDU line (SMSC field skipped), upper-cased: equal for network duplicates.
    static func tpduHex(_ hex: String) -> String {
        let upper = hex.uppercased()
        guard upper.count >= 2, let smscLength = Int(upper.prefix(2), radix: 16) else { return upper }
        return String(upper.dropFirst(min(upper.count, 2 + 2 * smscLength)))
    }
}
