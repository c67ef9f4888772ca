import Foundation
import SMSPDU

/// The SMSC's use of the SMSPDU codec: reading SMS-SUBMITs, writing SMS-DELIVERs and status reports.
///
/// The user data of a submitted message is relayed byte for byte (TP-UDL and TP-UD are copied), so the
/// recipient sees exactly what the sender encoded — including split UCS-2 surrogates or corrupt bytes.
enum NetworkCodec {
    /// What the SMSC needs from an SMS-SUBMIT.
    struct SubmitSummary: Sendable {
        var submit: SubmitPDU
        var destination: String
        var statusReportRequested: Bool
        var messageClass: Int?
    }

    /// Reads an SMS-SUBMIT TPDU; `+CMS ERROR: 304` when it is not one.
    static func summarizeSubmit(_ tpdu: [UInt8]) throws(ATFailure) -> SubmitSummary {
        guard case .submit(let submit)? = try? TPDU(bytes: tpdu) else { throw .cms(.invalidPDUParameter) }
        guard submit.destination.typeOfNumber != .alphanumeric, !submit.destination.value.isEmpty else {
            throw .cms(.invalidPDUParameter)
        }
        return SubmitSummary(submit: submit, destination: submit.destination.description,
                             statusReportRequested: submit.statusReportRequest,
                             messageClass: submit.dataCodingScheme.messageClass.map { Int($0.rawValue) })
    }

    /// Offset of TP-UDL in an SMS-SUBMIT: the header re-encoded without user data has the same layout.
    private static func userDataLengthOffset(ofSubmit submit: SubmitPDU) throws(ATFailure) -> Int {
        var bare = submit
        bare.userData = .empty
        guard let header = try? TPDU.submit(bare).encoded(), !header.isEmpty else { throw .cms(.invalidPDUParameter) }
        return header.count - 1
    }

    /// The SMS-DELIVER (SMSC field + TPDU) the recipient gets for an SMS-SUBMIT.
    static func deliverPDU(fromSubmit tpdu: [UInt8], origin: String, timestamp: Date, timeZone: TimeZone,
                           serviceCentre: String) throws(ATFailure) -> [UInt8] {
        let summary = try summarizeSubmit(tpdu)
        let submit = summary.submit
        let udlOffset = try userDataLengthOffset(ofSubmit: submit)
        guard udlOffset < tpdu.count, let originator = try? Address(origin) else { throw .cms(.invalidPDUParameter) }
        let deliver = DeliverPDU(originator: originator, protocolIdentifier: submit.protocolIdentifier,
                                 dataCodingScheme: submit.dataCodingScheme,
                                 serviceCentreTimestamp: stamp(timestamp, timeZone: timeZone),
                                 userData: .empty, statusReportIndication: submit.statusReportRequest,
                                 replyPath: submit.replyPath)
        let smsc = try? Address(serviceCentre)
        guard var bytes = try? PDU(smsc: smsc, tpdu: .deliver(deliver)).encode(includeSMSC: true).bytes,
              let scaLength = bytes.first else { throw .cms(.unknown) }
        bytes.removeLast()  // TP-UDL 0 of the bare deliver; the submit's TP-UDL and TP-UD follow
        bytes[1 + Int(scaLength)] |= tpdu[0] & 0x40  // TP-UDHI as the sender set it
        return bytes + tpdu[udlOffset...]
    }

    /// SMS-DELIVER PDUs for a text from a phone or from outside the network (concatenated with the 8-bit
    /// `reference` when long), planned by SMSPDU's segment planner.
    static func deliverPDUs(text: String, from sender: String, reference: UInt8, timestamp: Date, timeZone: TimeZone,
                            serviceCentre: String) throws(EmulatorError) -> [[UInt8]] {
        do {
            let plan = try SegmentPlanner.plan(text: text, options: SegmentationOptions(reference: .eightBit(reference)))
            let originator = try Address(sender)
            let smsc = try Address(serviceCentre)
            return try plan.segments.map { segment throws(PDUError) in
                let deliver = DeliverPDU(originator: originator, dataCodingScheme: plan.dataCodingScheme,
                                         serviceCentreTimestamp: stamp(timestamp, timeZone: timeZone), userData: segment)
                return try PDU(smsc: smsc, tpdu: .deliver(deliver)).encode(includeSMSC: true).bytes
            }
        } catch {
            throw .invalidPDU(error.description)
        }
    }

    /// Checks a raw incoming PDU (hex with SMSC field): an SMS-DELIVER or SMS-STATUS-REPORT.
    static func inspectIncoming(hex: String) throws(EmulatorError) -> (pdu: [UInt8], isStatusReport: Bool, messageClass: Int?) {
        let pdu: PDU
        let bytes: [UInt8]
        do {
            bytes = try Hex.decode(hex)
            pdu = try PDU(bytes: bytes, hasSMSC: true)
        } catch {
            throw .invalidPDU(error.description)
        }
        switch pdu.tpdu {
        case .deliver(let deliver):
            return (bytes, false, deliver.dataCodingScheme.messageClass.map { Int($0.rawValue) })
        case .statusReport:
            return (bytes, true, nil)
        case .submit:
            throw .invalidPDU("an SMS-SUBMIT cannot be delivered to a modem; inject an SMS-DELIVER or SMS-STATUS-REPORT")
        }
    }

    /// The originator of an SMS-DELIVER PDU (SMSC field + TPDU), nil when it does not decode.
    static func originator(ofDeliver pdu: [UInt8]) -> String? {
        guard case .deliver(let deliver)? = try? PDU(bytes: pdu, hasSMSC: true).tpdu else { return nil }
        return deliver.originator.description
    }

    /// Byte offsets of the user data (after TP-UDL) in an SMS-DELIVER PDU (for the corruption fault).
    static func userDataRange(ofDeliver pdu: [UInt8]) -> Range<Int>? {
        guard case .deliver(let deliver)? = try? PDU(bytes: pdu, hasSMSC: true).tpdu,
              let octets = try? deliver.userData.encode(dcs: deliver.dataCodingScheme).octets,
              octets.count <= pdu.count else { return nil }
        return (pdu.count - octets.count) ..< pdu.count
    }

    /// An SMS-STATUS-REPORT (SMSC field + TPDU) saying the message `reference` reached `recipient` (TP-ST 0).
    static func statusReportPDU(reference: UInt8, recipient: String, submitted: Date, discharged: Date,
                                timeZone: TimeZone, serviceCentre: String, status: UInt8 = 0) throws(ATFailure) -> [UInt8] {
        guard let address = try? Address(recipient) else { throw .cms(.invalidPDUParameter) }
        let report = StatusReportPDU(messageReference: reference, recipient: address,
                                     serviceCentreTimestamp: stamp(submitted, timeZone: timeZone),
                                     dischargeTime: stamp(discharged, timeZone: timeZone), status: status)
        guard let bytes = try? PDU(smsc: try? Address(serviceCentre), tpdu: .statusReport(report)).encode(includeSMSC: true).bytes else {
            throw .cms(.unknown)
        }
        return bytes
    }

    /// A service-centre timestamp for `date` in `timeZone` (whole quarter hours, as on the air interface).
    static func stamp(_ date: Date, timeZone: TimeZone) -> ServiceCentreTimestamp {
        ServiceCentreTimestamp(date: date, offsetQuarterHours: timeZone.secondsFromGMT(for: date) / 900)
    }
}
