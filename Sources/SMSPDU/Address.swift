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
    public let rawValue: UInt8
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
    public var typeOfNumber: TypeOfNumber
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
    static func decodeDigits(_ octets: ArraySlice<UInt8>, count: Int, field: PDUField) throws(PDUError) -> String {
        var s = ""
        s.reserveCapacity(count)
        var i = 0
        var offset = octets.startIndex
        for byte in octets {
            for nibble in [byte & 0x0F, byte >> 4] where i < count {
                if nibble == 0x0F {
                    // Some senders put the filler early; treat an F as the end of the number only
                    // when nothing but filler follows.
                    if i == count - 1 { i += 1; continue }
                    throw .invalidValue(field: field, offset: offset, value: Int(byte))
                }
                s.append(bcdDigits[Int(nibble)])
                i += 1
            }
            offset += 1
        }
        return s
    }

    static func encodeDigits(_ value: String, field: PDUField) throws(PDUError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((value.count + 1) / 2)
        var pending: UInt8? = nil
        for (i, c) in value.enumerated() {
            guard let d = digitValue(c) else { throw .unencodableCharacter(c, index: i) }
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
            let septets = SeptetPacking.unpack(octets, count: length * 4 / 7) ?? []
            return Address(typeOfNumber: ton, numberingPlan: npi, value: GSM7Alphabet.default.decode(septets))
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
        guard value.count <= 20 else { throw .valueTooLarge(field: field, value: value.count, maximum: 20) }
        return [UInt8(value.count), typeOfAddress] + (try Address.encodeDigits(value, field: field))
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
            let septets = SeptetPacking.unpack(octets, count: octets.count * 8 / 7) ?? []
            return Address(typeOfNumber: ton, numberingPlan: npi, value: GSM7Alphabet.default.decode(septets))
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
