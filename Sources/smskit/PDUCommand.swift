import ArgumentParser
import Foundation
import SMSPDU

/// `smskit pdu`: decode and encode SMS PDUs (TS 23.040 / 23.038).
struct PDUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pdu",
        abstract: "Decode and encode SMS PDUs (SMS-DELIVER, SMS-SUBMIT, SMS-STATUS-REPORT).",
        subcommands: [PDUDecodeCommand.self, PDUEncodeCommand.self]
    )
}

/// Prints a PDU error on stderr and exits non-zero with nothing on stdout.
private func fail(_ error: PDUError) -> ExitCode {
    Output.error("error: \(error.description)")
    return ExitCode.failure
}

/// `smskit pdu decode [--json] [--no-smsc] HEX`
struct PDUDecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a PDU as a modem prints it (SMSC field first), e.g. from AT+CMGR.",
        discussion: "Prints a readable summary, or with --json one object: type, smsc, address, encoding, text, data_hex, timestamp, concat, ports, message_reference, status, class and more. A malformed PDU exits 1 with one line on stderr."
    )

    @Flag(help: "Print one JSON object.") var json = false
    @Flag(name: .customLong("no-smsc"), help: "The hex is a bare TPDU without the leading SMSC field.") var noSMSC = false
    @Argument(help: "The PDU in hex (case and whitespace ignored).") var hex: [String]

    func run() async throws {
        let summary: PDUSummary
        let pdu: PDU
        do {
            let bytes = try Hex.decode(hex.joined())
            pdu = try PDU(bytes: bytes, hasSMSC: !noSMSC)
            summary = try PDUSummary(bytes: bytes, hasSMSC: !noSMSC)
        } catch {
            throw fail(error)
        }
        if json {
            try Output.json(summary)
        } else {
            print(PDUDecodeCommand.readable(summary, pdu))
        }
    }

    static func readable(_ s: PDUSummary, _ pdu: PDU) -> String {
        var lines: [(String, String)] = [("type", s.type)]
        lines.append(("smsc", s.smsc ?? "(none)"))
        let role = s.type == "deliver" ? "from" : (s.type == "submit" ? "to" : "recipient")
        lines.append((role, "\(s.address) (\(s.addressType ?? "unknown"))"))
        if let mr = s.messageReference { lines.append(("reference", "\(mr)")) }
        if let t = s.timestamp { lines.append(("timestamp", t)) }
        if let d = s.dischargeTime { lines.append(("discharged", d)) }
        if let st = s.status, case let .statusReport(r) = pdu.tpdu {
            lines.append(("status", "\(st) (0x\(String(st, radix: 16, uppercase: true)), \(r.statusCategory.rawValue))"))
        }
        if let v = s.validity { lines.append(("validity", v)) }
        if let dcs = pdu.tpdu.dataCodingScheme { lines.append(("coding", dcs.description)) }
        if let l = s.lockingShift { lines.append(("locking shift", l)) }
        if let l = s.singleShift { lines.append(("single shift", l)) }
        if let c = s.concat { lines.append(("part", "\(c.seq) of \(c.total), reference \(c.ref)")) }
        if let p = s.ports { lines.append(("ports", "destination \(p.dst), source \(p.src)")) }
        if let u = s.udhHex { lines.append(("udh", u)) }
        if let d = s.dataHex { lines.append(("data", d)) }
        if let t = s.text { lines.append(("text", t)) }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}

/// `smskit pdu encode --to NUMBER (--text T | --data-hex H) ...`
struct PDUEncodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode a message as SMS-SUBMIT PDUs, one line per segment: <TPDU length> <PDU hex>.",
        discussion: """
        The PDU hex includes the SMSC field (00 without --smsc); the length is what AT+CMGS wants.
        --validity: none | max | 30m | 12h | 7d | 4w (relative, rounded up) | enhanced:90s | enhanced:HH:MM:SS | YYYY-MM-DDTHH:MM:SS+HH:MM (absolute).
        """
    )

    @Option(help: "Recipient: +digits (international), digits, or alphanumeric.") var to: String
    @Option(help: "Text to send.") var text: String?
    @Option(name: .customLong("data-hex"), help: "8-bit data to send, as hex.") var dataHex: String?
    @Option(help: "Service centre number (+digits).") var smsc: String?
    @Flag(help: "Request a status report (TP-SRR).") var report = false
    @Option(help: "Validity period (grammar above).") var validity: String?
    @Option(help: "Application ports DST:SRC (16-bit when either is above 255).") var ports: String?
    @Option(help: "Alphabet for text; auto picks the one needing fewest segments.") var alphabet: SegmentationOptions.AlphabetChoice = .auto
    @Option(help: "National languages whose GSM shift tables may be used, comma separated: turkish, spanish, portuguese, bengali, gujarati, hindi, kannada, malayalam, oriya, punjabi, tamil, telugu, urdu.")
    var languages: String?
    @Option(help: "Concatenation reference number (0-255, or up to 65535 with --ref16).") var reference: Int = 0
    @Flag(help: "Use 16-bit concatenation references.") var ref16 = false
    @Option(name: .customLong("class"), help: "Message class 0-3.") var messageClass: UInt8?
    @Option(help: "TP-MR message reference (0 lets the modem choose).") var mr: UInt8 = 0
    @Flag(help: "Print JSON.") var json = false

    struct JSONResult: Encodable {
        struct Segment: Encodable {
            var tpdu_length: Int
            var pdu: String
        }
        var encoding: String
        var segments: Int
        var units_per_segment: Int
        var units_left: Int
        var locking_shift: String?
        var single_shift: String?
        var pdus: [Segment]

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(encoding, forKey: .encoding)
            try c.encode(segments, forKey: .segments)
            try c.encode(units_per_segment, forKey: .units_per_segment)
            try c.encode(units_left, forKey: .units_left)
            try c.encode(locking_shift, forKey: .locking_shift)
            try c.encode(single_shift, forKey: .single_shift)
            try c.encode(pdus, forKey: .pdus)
        }

        enum CodingKeys: String, CodingKey {
            case encoding, segments, units_per_segment, units_left, locking_shift, single_shift, pdus
        }
    }

    func validate() throws {
        guard (text == nil) != (dataHex == nil) else { throw ValidationError("give exactly one of --text and --data-hex") }
        guard reference >= 0, reference <= (ref16 ? 65535 : 255) else { throw ValidationError("--reference out of range") }
        if let c = messageClass, c > 3 { throw ValidationError("--class must be 0-3") }
    }

    func run() async throws {
        do {
            let lines = try encode()
            if json { try Output.json(lines.1) } else { print(lines.0.joined(separator: "\n")) }
        } catch let error as PDUError {
            throw fail(error)
        }
    }

    func encode() throws(PDUError) -> ([String], JSONResult) {
        let options = SegmentationOptions(
            alphabet: alphabet, nationalLanguages: try NationalLanguage.list(languages ?? ""),
            reference: ref16 ? .sixteenBit(UInt16(reference)) : .eightBit(UInt8(reference)),
            ports: try ports.map { (p) throws(PDUError) in try PortAddressing(spec: p) },
            messageClass: messageClass.flatMap(MessageClass.init(rawValue:)))
        let destination = try Address(to)
        let template = SubmitPDU(destination: destination, userData: .empty, messageReference: mr,
                                 validityPeriod: try validity.flatMap { (v) throws(PDUError) in try ValidityPeriod(spec: v) },
                                 statusReportRequest: report)
        let smscAddress = try smsc.map { (s) throws(PDUError) in try Address(s) }
        let message: EncodedMessage
        if let dataHex {
            message = try SMSEncoder.encode(bytes: try Hex.decode(dataHex), to: destination, smsc: smscAddress,
                                            options: options, template: template)
        } else {
            message = try SMSEncoder.encode(text: text ?? "", to: destination, smsc: smscAddress,
                                            options: options, template: template)
        }
        let plan = message.plan
        let result = JSONResult(encoding: plan.alphabet.rawValue, segments: plan.segmentCount,
                                units_per_segment: plan.unitsPerSegment, units_left: plan.unitsLeftInLastSegment,
                                locking_shift: plan.lockingShift?.description, single_shift: plan.singleShift?.description,
                                pdus: message.pdus.map { .init(tpdu_length: $0.tpduLength, pdu: $0.hex) })
        return (message.pdus.map { "\($0.tpduLength) \($0.hex)" }, result)
    }
}

extension SegmentationOptions.AlphabetChoice: ExpressibleByArgument {}
