/// Type of number (TON) of an address, TS 23.040 §9.1.2.5.
public enum TypeOfNumber: UInt8, Sendable, Hashable, Codable, CaseIterable {
    case unknown = 0
    case international = 1
    case national = 2
    case networkSpecific = 3
    case subscriber = 4
    case alphanumeric = 5
    case abbreviated = 6
    case reserved = 7
}

/// Numbering plan identification (NPI) of an address, TS 23.040 §9.1.2.5.
public struct NumberingPlan: RawRepresentable, Sendable, Hashable, Codable {
    /// The NPI value (0–15).
    public let rawValue: UInt8
    /// Wraps an NPI value; only the low four bits are kept.
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }
    /// 0: unknown.
    public static let unknown = NumberingPlan(rawValue: 0)
    /// 1: ISDN/telephone (E.164/E.163), the usual plan for phone numbers.
    public static let isdn = NumberingPlan(rawValue: 1)
    /// 3: data (X.121).
    public static let data = NumberingPlan(rawValue: 3)
    /// 4: telex.
    public static let telex = NumberingPlan(rawValue: 4)
    /// 8: national.
    public static let national = NumberingPlan(rawValue: 8)
    /// 9: private.
    public static let `private` = NumberingPlan(rawValue: 9)
    /// 10: ERMES.
    public static let ermes = NumberingPlan(rawValue: 10)
}

/// An SMS address (TP-OA, TP-DA, TP-RA or the SMSC address): type of number, numbering plan and
/// value. Digits are kept as text (`0-9`, and BCD A–E as `* # a b c`); alphanumeric values are text.
///
/// ```swift
/// let a = try Address("+491701234567")   // international, ISDN
/// a.description                          // "+491701234567"
/// let s = try Address("InfoSMS")         // alphanumeric (packed 7-bit)
/// ```
public struct Address: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Type of number (international, national, alphanumeric, …).
    public var typeOfNumber: TypeOfNumber
    /// Numbering plan identification (usually `.isdn`; `.unknown` for alphanumeric).
    public var numberingPlan: NumberingPlan
    /// Digits (no leading `+`) or, for alphanumeric addresses, the text.
    public var value: String

    /// Creates an address from its parts.
    public init(typeOfNumber: TypeOfNumber, numberingPlan: NumberingPlan = .isdn, value: String) {
        self.typeOfNumber = typeOfNumber
        self.numberingPlan = numberingPlan
        self.value = value
    }

    /// Parses a human-written address: `+digits` is international, digits (and `* # a b c`) are
    /// unknown-type ISDN numbers, anything else is alphanumeric (at most 11 GSM characters).
    public init(_ string: String) throws(PDUError) {
        let trimmed = string.filter { $0 != " " && $0 != "-" }
        if trimmed.hasPrefix("+") {
            let digits = String(trimmed.dropFirst())
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else {
                throw .invalidArgument("invalid international number \(String(reflecting: string)): expected + and digits")
            }
            self.init(typeOfNumber: .international, numberingPlan: .isdn, value: digits)
        } else if !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCIIDigit || "*#abc".contains($0) }) {
            self.init(typeOfNumber: .unknown, numberingPlan: .isdn, value: trimmed)
        } else {
            guard !string.isEmpty, GSM7Alphabet.default.canEncode(string) else {
                throw .invalidArgument("invalid address \(String(reflecting: string)): not a number and not GSM 7-bit text")
            }
            self.init(typeOfNumber: .alphanumeric, numberingPlan: .unknown, value: string)
        }
    }

    /// `+digits` for international numbers, otherwise the value.
    public var description: String {
        typeOfNumber == .international ? "+" + value : value
    }

    /// The type-of-address octet (bit 7 set).
    public var typeOfAddress: UInt8 {
        0x80 | typeOfNumber.rawValue << 4 | numberingPlan.rawValue
    }

    static let bcdDigits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#", "a", "b", "c"]

    static func digitValue(_ c: Character) -> UInt8? {
        guard let i = bcdDigits.firstIndex(of: c) else { return nil }
        return UInt8(i)
    }

    /// Decodes semi-octet digits; `count` digits, filler 0xF ignored only in the last position.
    /// ASCII of the BCD digits 0-9, `*`, `#`, `a`, `b`, `c`.
    private static let bcdASCII: [UInt8] = Array("0123456789*#abc".utf8)

    static func decodeDigits(_ octets: ArraySlice<UInt8>, count: Int, field: PDUField) throws(PDUError) -> String {
        // Validate first so the string can be built without a throwing closure.
        var i = 0
        for index in octets.indices {
            let byte = octets[index]
            // A filler (0xF) is allowed only as the last digit.
            if i < count - 1, byte & 0x0F == 0x0F || (i + 1 < count - 1 && byte >> 4 == 0x0F) {
                throw .invalidValue(field: field, offset: index, value: Int(byte))
            }
            i += 2
        }
        let ascii = bcdASCII
        return UTF8Builder.string(capacity: count) { out in
            var i = 0
            for byte in octets {
                if i < count, byte & 0x0F != 0x0F { out.append(UInt32(ascii[Int(byte & 0x0F)])) }
                if i + 1 < count, byte >> 4 != 0x0F { out.append(UInt32(ascii[Int(byte >> 4)])) }
                i += 2
            }
        }
    }

    static func encodeDigits(_ value: String, field: PDUField) throws(PDUError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((value.utf8.count + 1) / 2)
        var pending: UInt8? = nil
        for c in value.utf8 {
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x2A: d = 10                      // *
            case 0x23: d = 11                      // #
            case 0x61...0x63: d = c - 0x61 + 12    // a b c
            case 0x41...0x43: d = c - 0x41 + 12    // A B C
            default:
                let index = value.firstIndex { digitValue($0) == nil && !"ABC".contains($0) } ?? value.startIndex
                throw .unencodableCharacter(value[index], index: value.distance(from: value.startIndex, to: index))
            }
            if let low = pending { out.append(d << 4 | low); pending = nil } else { pending = d }
        }
        if let low = pending { out.append(0xF0 | low) }
        return out
    }

    /// Decodes a TP address (length in semi-octets, type, value) from `reader`.
    static func decodeTP(_ reader: inout ByteReader, field: PDUField) throws(PDUError) -> Address {
        let start = reader.offset
        let length = Int(try reader.byte(field))
        let toa = try reader.byte(field)
        let octetCount = (length + 1) / 2
        guard octetCount <= reader.remaining else { throw .truncated(field: field, offset: start) }
        let octets = try reader.read(octetCount, field)
        let ton = TypeOfNumber(rawValue: (toa >> 4) & 0x07) ?? .unknown
        let npi = NumberingPlan(rawValue: toa & 0x0F)
        if ton == .alphanumeric {
            let text = GSM7Alphabet.default.decode(packed: octets, count: length * 4 / 7, startBit: 0) ?? ""
            return Address(typeOfNumber: ton, numberingPlan: npi, value: text)
        }
        return Address(typeOfNumber: ton, numberingPlan: npi, value: try decodeDigits(octets, count: length, field: field))
    }

    /// Encodes as a TP address (length in semi-octets).
    func encodeTP(field: PDUField) throws(PDUError) -> [UInt8] {
        if typeOfNumber == .alphanumeric {
            let septets = try GSM7Alphabet.default.encode(value)
            let packed = SeptetPacking.pack(septets)
            guard packed.count <= 10 else { throw .valueTooLarge(field: field, value: septets.count, maximum: 11) }
            let semiOctets = (septets.count * 7 + 3) / 4
            return [UInt8(semiOctets), typeOfAddress] + packed
        }
        let digits = try Address.encodeDigits(value, field: field)
        let count = value.utf8.count
        guard count <= 20 else { throw .valueTooLarge(field: field, value: count, maximum: 20) }
        return [UInt8(count), typeOfAddress] + digits
    }

    /// Decodes the SMSC address field (length in octets, 0 = absent).
    static func decodeSMSC(_ reader: inout ByteReader) throws(PDUError) -> Address? {
        let start = reader.offset
        let length = Int(try reader.byte(.smscLength))
        if length == 0 { return nil }
        guard length <= reader.remaining else { throw .invalidLength(field: .smscLength, offset: start, length: length) }
        let toa = try reader.byte(.smscAddress)
        let octets = try reader.read(length - 1, .smscAddress)
        let ton = TypeOfNumber(rawValue: (toa >> 4) & 0x07) ?? .unknown
        let npi = NumberingPlan(rawValue: toa & 0x0F)
        if ton == .alphanumeric {
            let text = GSM7Alphabet.default.decode(packed: octets, count: octets.count * 8 / 7, startBit: 0) ?? ""
            return Address(typeOfNumber: ton, numberingPlan: npi, value: text)
        }
        var count = octets.count * 2
        if let last = octets.last, last >> 4 == 0x0F { count -= 1 }
        return Address(typeOfNumber: ton, numberingPlan: npi, value: try decodeDigits(octets, count: count, field: .smscAddress))
    }

    /// Encodes as the SMSC address field (length in octets).
    func encodeSMSC() throws(PDUError) -> [UInt8] {
        let body: [UInt8]
        if typeOfNumber == .alphanumeric {
            body = SeptetPacking.pack(try GSM7Alphabet.default.encode(value))
        } else {
            body = try Address.encodeDigits(value, field: .smscAddress)
        }
        guard body.count <= 10 else { throw .valueTooLarge(field: .smscAddress, value: body.count, maximum: 10) }
        return [UInt8(body.count + 1), typeOfAddress] + body
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
