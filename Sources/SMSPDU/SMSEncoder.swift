import Foundation

/// One encoded SMS-SUBMIT, ready for `AT+CMGS=<tpduLength>` followed by `hex`.
public struct EncodedPDU: Sendable, Hashable {
    /// Length of the TPDU in octets (the SMSC field not counted), as `AT+CMGS` wants it.
    public let tpduLength: Int
    /// The whole PDU, SMSC field first (`00` when no SMSC was given).
    public let bytes: [UInt8]
    /// `bytes` as uppercase hex.
    public var hex: String { Hex.encode(bytes) }
}

/// A planned and encoded message: the plan (encoding, cost) and one PDU per segment.
public struct EncodedMessage: Sendable, Hashable {
    /// Encoding, segment count and room left.
    public let plan: SegmentPlan
    /// The SMS-SUBMITs, one per segment.
    public let submits: [SubmitPDU]
    /// The encoded PDUs, one per segment, in order.
    public let pdus: [EncodedPDU]
}

/// One call from text or bytes to the PDUs a modem sends: plans segments with `SegmentPlanner`,
/// builds SMS-SUBMITs from `template` and encodes them.
///
/// ```swift
/// let message = try SMSEncoder.encode(text: "Hello €", to: try Address("+491701234567"))
/// for pdu in message.pdus { print(pdu.tpduLength, pdu.hex) }   // AT+CMGS=<tpduLength>, then hex + Ctrl-Z
/// ```
public enum SMSEncoder {
    /// Encodes text; `template` supplies TP-MR, TP-VP, TP-SRR, TP-PID and flags.
    public static func encode(text: String, to destination: Address, smsc: Address? = nil,
                              options: SegmentationOptions = SegmentationOptions(),
                              template: SubmitPDU? = nil) throws(PDUError) -> EncodedMessage {
        try encode(plan: try SegmentPlanner.plan(text: text, options: options), to: destination, smsc: smsc, template: template)
    }

    /// Encodes 8-bit data (with `options.ports`, if any, in every segment).
    public static func encode(bytes: [UInt8], to destination: Address, smsc: Address? = nil,
                              options: SegmentationOptions = SegmentationOptions(),
                              template: SubmitPDU? = nil) throws(PDUError) -> EncodedMessage {
        try encode(plan: try SegmentPlanner.plan(bytes: bytes, options: options), to: destination, smsc: smsc, template: template)
    }

    /// Encodes the segments of an existing plan.
    public static func encode(plan: SegmentPlan, to destination: Address, smsc: Address? = nil,
                              template: SubmitPDU? = nil) throws(PDUError) -> EncodedMessage {
        var base = template ?? SubmitPDU(destination: destination, userData: .empty)
        base.destination = destination
        let submits = plan.submitPDUs(template: base)
        var pdus: [EncodedPDU] = []
        pdus.reserveCapacity(submits.count)
        for submit in submits {
            let (length, bytes) = try PDU(smsc: smsc, tpdu: .submit(submit)).encode(includeSMSC: true)
            pdus.append(EncodedPDU(tpduLength: length, bytes: bytes))
        }
        return EncodedMessage(plan: plan, submits: submits, pdus: pdus)
    }
}

extension PortAddressing {
    /// Parses `DST:SRC` (each 0–65535); 16-bit when either port is above 255.
    public init(spec: String) throws(PDUError) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let d = UInt16(parts[0]), let s = UInt16(parts[1]) else {
            throw .invalidArgument("invalid ports \(String(reflecting: spec)): expected DST:SRC, each 0-65535")
        }
        self.init(destination: d, source: s, is16Bit: d > 255 || s > 255)
    }
}

extension NationalLanguage {
    /// Parses a comma-separated list of language names, e.g. `"turkish,hindi"`.
    public static func list(_ names: String) throws(PDUError) -> [NationalLanguage] {
        var result: [NationalLanguage] = []
        for name in names.split(separator: ",") {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let l = NationalLanguage(name: trimmed) else {
                throw .invalidArgument("unknown language \(String(reflecting: trimmed)); known: \(allCases.map(\.description).joined(separator: ", "))")
            }
            result.append(l)
        }
        return result
    }
}
