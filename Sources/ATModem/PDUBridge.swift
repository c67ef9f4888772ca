import Foundation
import SMSPDU

/// The only place that talks to SMSPDU: decodes received PDUs into ``ReceivedPart``s and status
/// reports, and plans outgoing messages into ``OutgoingPart``s.
enum PDUBridge {
    /// Decodes a PDU line as `AT+CMGR`/`+CMGL`/`+CMT`/`+CDS` print it (SMSC field first).
    static func decode(hex: String) throws(ModemError) -> DecodedPDU {
        let pdu: PDU
        do { pdu = try PDU(hex: hex) } catch { throw .decoding(error.description) }
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
            return .deliver(ReceivedPart(sender: d.originator.description, smsc: pdu.smsc?.description,
                                         timestamp: d.serviceCentreTimestamp.date, concat: concat, ports: ports,
                                         payload: payload, identity: tpduHex(hex), userData: d.userData))
        case .statusReport(let r):
            return .statusReport(ReceivedStatusReport(reference: Int(r.messageReference), recipient: r.recipient.description,
                                                      status: Int(r.status), dischargeTime: r.dischargeTime.date))
        case .submit:
            return .other("SMS-SUBMIT")
        }
    }

    /// Plans text into SMS-SUBMITs (GSM 7-bit when possible, else UCS-2).
    static func encode(text: String, to recipient: String, reference: ConcatenationReference,
                       options: SendOptions) throws(ModemError) -> [OutgoingPart] {
        let plan: SegmentPlan
        do {
            plan = try SegmentPlanner.plan(text: text, options: SegmentationOptions(reference: reference))
        } catch { throw .encoding(error.description) }
        return try submits(plan, to: recipient, options: options)
    }

    /// Plans bytes into 8-bit SMS-SUBMITs, with 16-bit port addressing when `ports` is given.
    static func encode(data: [UInt8], to recipient: String, ports: (destination: Int, source: Int)?,
                       reference: ConcatenationReference, options: SendOptions) throws(ModemError) -> [OutgoingPart] {
        var addressing: PortAddressing?
        if let ports {
            guard (0...0xFFFF).contains(ports.destination), (0...0xFFFF).contains(ports.source) else {
                throw .encoding("ports must be 0…65535, got \(ports.destination):\(ports.source)")
            }
            addressing = PortAddressing(destination: UInt16(ports.destination), source: UInt16(ports.source), is16Bit: true)
        }
        let plan: SegmentPlan
        do {
            plan = try SegmentPlanner.plan(bytes: data, options: SegmentationOptions(
                reference: reference, ports: addressing))
        } catch { throw .encoding(error.description) }
        return try submits(plan, to: recipient, options: options)
    }

    private static func submits(_ plan: SegmentPlan, to recipient: String, options: SendOptions) throws(ModemError) -> [OutgoingPart] {
        let address: Address
        do { address = try Address(recipient) } catch { throw .invalidRecipient(recipient) }
        guard !recipient.isEmpty, address.typeOfNumber != .alphanumeric else { throw .invalidRecipient(recipient) }
        let validity = options.validity.map { ValidityPeriod.relative(seconds: Int($0.components.seconds)) }
        var parts: [OutgoingPart] = []
        for submit in plan.submitPDUs(to: address, validityPeriod: validity, statusReportRequest: options.requestDeliveryReport) {
            do {
                let pdu = PDU(smsc: nil, tpdu: .submit(submit))
                let (length, bytes) = try pdu.encode(includeSMSC: true)
                parts.append(OutgoingPart(hex: Hex.encode(bytes), tpduLength: length))
            } catch { throw .encoding(error.description) }
        }
        return parts
    }

    /// The TPDU part of a PDU line (SMSC field skipped), upper-cased: equal for network duplicates.
    static func tpduHex(_ hex: String) -> String {
        let upper = hex.uppercased()
        guard upper.count >= 2, let smscLength = Int(upper.prefix(2), radix: 16) else { return upper }
        return String(upper.dropFirst(min(upper.count, 2 + 2 * smscLength)))
    }
}
