/// The PDU field an error refers to, named as in 3GPP TS 23.040.
public enum PDUField: String, Sendable, Hashable, Codable, CaseIterable {
    case hex
    case smscLength = "SMSC length"
    case smscAddress = "SMSC address"
    case firstOctet = "first octet"
    case messageReference = "TP-MR"
    case originatingAddress = "TP-OA"
    case destinationAddress = "TP-DA"
    case recipientAddress = "TP-RA"
    case protocolIdentifier = "TP-PID"
    case dataCodingScheme = "TP-DCS"
    case validityPeriod = "TP-VP"
    case serviceCentreTimestamp = "TP-SCTS"
    case dischargeTime = "TP-DT"
    case status = "TP-ST"
    case parameterIndicator = "TP-PI"
    case userDataLength = "TP-UDL"
    case userDataHeader = "TP-UDH"
    case informationElement = "UDH information element"
    case userData = "TP-UD"
}

/// Every failure of the SMSPDU codec: decoding errors name the field and the byte offset
/// (counted from the first byte given to the decoder, SMSC field included).
///
/// ```swift
/// do { _ = try PDU(hex: "0003") } catch let error as PDUError { print(error) }
/// // reserved TP-MTI 3 at offset 1: not an SMS-DELIVER, SMS-SUBMIT or SMS-STATUS-REPORT
/// ```
public enum PDUError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input ended inside `field`, which starts (or continues) at `offset`.
    case truncated(field: PDUField, offset: Int)
    /// A character that is not a hex digit at character `offset` of the hex input.
    case invalidHex(offset: Int)
    /// The hex input has an odd number of digits (the last byte is incomplete).
    case oddHexLength(digits: Int)
    /// TP-MTI 3 (reserved) at `offset`.
    case reservedMessageType(offset: Int)
    /// A length octet that is impossible for its field (e.g. a UDH longer than the user data).
    case invalidLength(field: PDUField, offset: Int, length: Int)
    /// A value that the field cannot hold (e.g. a BCD digit above 9 in a timestamp).
    case invalidValue(field: PDUField, offset: Int, value: Int)
    /// Encoding: a character that the chosen alphabet/tables cannot represent; `index` counts
    /// Unicode scalars from the start of the text.
    case unencodableCharacter(Character, index: Int)
    /// Encoding: a value does not fit its field (e.g. an address of more than 20 digits).
    case valueTooLarge(field: PDUField, value: Int, maximum: Int)
    /// Encoding: the user data does not fit in one PDU (140 octets).
    case userDataTooLong(octets: Int, maximum: Int)
    /// Encoding: the message needs more segments than concatenation allows (255).
    case tooManySegments(Int)
    /// Encoding: the content does not match the data coding scheme (e.g. bytes with a GSM 7-bit DCS).
    case contentMismatch(String)
    /// Parsing a human-written value (address, validity spec) failed.
    case invalidArgument(String)

    /// One line: what went wrong, where, and what to do.
    public var description: String {
        switch self {
        case let .truncated(field, offset):
            return "PDU truncated in \(field.rawValue) at offset \(offset): the input ends before the field does; check that the whole PDU was copied"
        case let .invalidHex(offset):
            return "invalid hex digit at character \(offset): a PDU is written with 0-9 and A-F only"
        case let .oddHexLength(digits):
            return "odd number of hex digits (\(digits)): the last byte is incomplete; check that the whole PDU was copied"
        case let .reservedMessageType(offset):
            return "reserved TP-MTI 3 at offset \(offset): not an SMS-DELIVER, SMS-SUBMIT or SMS-STATUS-REPORT"
        case let .invalidLength(field, offset, length):
            return "invalid length \(length) for \(field.rawValue) at offset \(offset): it runs past the data that contains it"
        case let .invalidValue(field, offset, value):
            return "invalid value 0x\(String(value, radix: 16, uppercase: true)) in \(field.rawValue) at offset \(offset)"
        case let .unencodableCharacter(character, index):
            return "character \(String(reflecting: character)) at index \(index) cannot be encoded in the chosen alphabet; use UCS-2 or --alphabet auto"
        case let .valueTooLarge(field, value, maximum):
            return "\(field.rawValue) value \(value) is too large (maximum \(maximum))"
        case let .userDataTooLong(octets, maximum):
            return "user data of \(octets) octets does not fit in one PDU (maximum \(maximum)); use the segment planner"
        case let .tooManySegments(count):
            return "the message needs \(count) segments; concatenation allows at most 255"
        case let .contentMismatch(message):
            return "user data does not match its coding scheme: \(message)"
        case let .invalidArgument(message):
            return message
        }
    }
}
