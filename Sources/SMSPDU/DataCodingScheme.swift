/// The character set of user data, from TP-DCS (TS 23.038 §4).
public enum Alphabet: String, Sendable, Hashable, Codable, CaseIterable {
    /// GSM 7-bit default alphabet (and national tables), packed septets.
    case gsm7
    /// 8-bit data, opaque bytes.
    case eightBit = "8bit"
    /// UCS-2, read and written as UTF-16 big-endian so surrogate pairs survive.
    case ucs2
}

/// Message class of TP-DCS (TS 23.038 §4): 0 flash, 1 ME-specific, 2 SIM-specific, 3 TE-specific.
public enum MessageClass: UInt8, Sendable, Hashable, Codable, CaseIterable {
    case class0 = 0, class1 = 1, class2 = 2, class3 = 3
}

/// Message waiting indication carried in the TP-DCS message waiting groups (TS 23.038 §4).
public struct MessageWaiting: Sendable, Hashable, Codable {
    /// The kind of message waiting.
    public enum Kind: UInt8, Sendable, Hashable, Codable { case voicemail = 0, fax = 1, email = 2, other = 3 }
    /// `true` for the "store message" groups (0xD_, 0xE_), `false` for "discard message" (0xC_).
    public var store: Bool
    /// Indication active (set) or inactive (clear).
    public var active: Bool
    /// What is waiting.
    public var kind: Kind
}

/// TP-Data-Coding-Scheme (TS 23.038 §4), kept as its raw octet so it round-trips exactly.
///
/// ```swift
/// let dcs = DataCodingScheme(alphabet: .ucs2, messageClass: .class0)  // 0x18
/// DataCodingScheme(rawValue: 0xF4).alphabet                            // .eightBit
/// ```
public struct DataCodingScheme: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The TP-DCS octet.
    public var rawValue: UInt8
    /// Wraps a TP-DCS octet as received.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The general data coding group (0x00–0x3F): alphabet, optional class, optional compression.
    public init(alphabet: Alphabet, messageClass: MessageClass? = nil, compressed: Bool = false) {
        var v: UInt8
        switch alphabet {
        case .gsm7: v = 0x00
        case .eightBit: v = 0x04
        case .ucs2: v = 0x08
        }
        if let c = messageClass { v |= 0x10 | c.rawValue }
        if compressed { v |= 0x20 }
        rawValue = v
    }

    /// GSM 7-bit default alphabet, no class (0x00).
    public static let gsm7 = DataCodingScheme(rawValue: 0x00)
    /// 8-bit data, no class (0x04).
    public static let eightBit = DataCodingScheme(rawValue: 0x04)
    /// UCS-2, no class (0x08).
    public static let ucs2 = DataCodingScheme(rawValue: 0x08)

    private var group: UInt8 { rawValue >> 4 }

    /// The alphabet; reserved codings are treated as GSM 7-bit as TS 23.038 requires.
    public var alphabet: Alphabet {
        switch group {
        case 0x0...0x7:
            switch (rawValue >> 2) & 0x03 {
            case 1: return .eightBit
            case 2: return .ucs2
            default: return .gsm7
            }
        case 0xE: return .ucs2
        case 0xF: return rawValue & 0x04 != 0 ? .eightBit : .gsm7
        default: return .gsm7
        }
    }

    /// Whether the text is compressed (TS 23.042); compressed user data is never decoded as text.
    public var isCompressed: Bool { group <= 0x7 && rawValue & 0x20 != 0 }

    /// The message class, when the DCS carries one.
    public var messageClass: MessageClass? {
        switch group {
        case 0x0...0x7: return rawValue & 0x10 != 0 ? MessageClass(rawValue: rawValue & 0x03) : nil
        case 0xF: return MessageClass(rawValue: rawValue & 0x03)
        default: return nil
        }
    }

    /// Whether the message is marked for automatic deletion (groups 0x40–0x7F).
    public var isAutomaticDeletion: Bool { group >= 0x4 && group <= 0x7 }

    /// The message waiting indication of groups 0xC0–0xEF.
    public var messageWaiting: MessageWaiting? {
        guard group >= 0xC, group <= 0xE else { return nil }
        return MessageWaiting(store: group != 0xC, active: rawValue & 0x08 != 0,
                              kind: MessageWaiting.Kind(rawValue: rawValue & 0x03) ?? .other)
    }

    /// Whether the coding group is reserved (0x80–0xBF); such data is decoded as GSM 7-bit.
    public var isReservedGroup: Bool { group >= 0x8 && group <= 0xB }

    /// Readable form, e.g. `gsm7, class 1 (0xF1)`.
    public var description: String {
        var parts = [alphabet.rawValue]
        if let c = messageClass { parts.append("class \(c.rawValue)") }
        if isCompressed { parts.append("compressed") }
        if let mw = messageWaiting { parts.append("message waiting \(mw.kind) \(mw.active ? "on" : "off")") }
        return parts.joined(separator: ", ") + " (0x" + Hex.encode([rawValue]) + ")"
    }
}
