/// One information element of a user data header (TS 23.040 §9.2.3.24): identifier and data.
/// Elements this library does not interpret are kept as they are and re-encoded unchanged.
///
/// ```swift
/// let ie = InformationElement.concatenation8(reference: 0x4C, total: 2, sequence: 1) // 00 03 4C 02 01
/// ```
public struct InformationElement: Sendable, Hashable, Codable {
    /// Information element identifier (IEI).
    public var identifier: UInt8
    /// Information element data (at most 255 octets).
    public var data: [UInt8]

    /// Creates an element from its identifier and data.
    public init(identifier: UInt8, data: [UInt8]) {
        self.identifier = identifier
        self.data = data
    }

    /// IEI 0x00: concatenated short messages, 8-bit reference.
    public static let concatenation8BitIdentifier: UInt8 = 0x00
    /// IEI 0x08: concatenated short messages, 16-bit reference.
    public static let concatenation16BitIdentifier: UInt8 = 0x08
    /// IEI 0x04: application port addressing, 8-bit ports.
    public static let ports8BitIdentifier: UInt8 = 0x04
    /// IEI 0x05: application port addressing, 16-bit ports.
    public static let ports16BitIdentifier: UInt8 = 0x05
    /// IEI 0x24: national language single shift.
    public static let nationalSingleShiftIdentifier: UInt8 = 0x24
    /// IEI 0x25: national language locking shift.
    public static let nationalLockingShiftIdentifier: UInt8 = 0x25

    /// Concatenation element with an 8-bit reference (IEI 0x00).
    public static func concatenation8(reference: UInt8, total: UInt8, sequence: UInt8) -> InformationElement {
        InformationElement(identifier: concatenation8BitIdentifier, data: [reference, total, sequence])
    }

    /// Concatenation element with a 16-bit reference (IEI 0x08).
    public static func concatenation16(reference: UInt16, total: UInt8, sequence: UInt8) -> InformationElement {
        InformationElement(identifier: concatenation16BitIdentifier,
                           data: [UInt8(reference >> 8), UInt8(reference & 0xFF), total, sequence])
    }

    /// Application port addressing; 8-bit ports (IEI 0x04) when both fit and `force16Bit` is false.
    public static func ports(destination: UInt16, source: UInt16, force16Bit: Bool = false) -> InformationElement {
        if !force16Bit, destination <= 0xFF, source <= 0xFF {
            return InformationElement(identifier: ports8BitIdentifier, data: [UInt8(destination), UInt8(source)])
        }
        return InformationElement(identifier: ports16BitIdentifier,
                                  data: [UInt8(destination >> 8), UInt8(destination & 0xFF), UInt8(source >> 8), UInt8(source & 0xFF)])
    }

    /// National language single shift (IEI 0x24).
    public static func nationalSingleShift(_ language: NationalLanguage) -> InformationElement {
        InformationElement(identifier: nationalSingleShiftIdentifier, data: [language.rawValue])
    }

    /// National language locking shift (IEI 0x25).
    public static func nationalLockingShift(_ language: NationalLanguage) -> InformationElement {
        InformationElement(identifier: nationalLockingShiftIdentifier, data: [language.rawValue])
    }

    /// Encoded size: identifier, length and data.
    public var encodedLength: Int { 2 + data.count }
}

/// Concatenation information from a UDH (IEI 0x00 or 0x08).
public struct Concatenation: Sendable, Hashable, Codable {
    /// Reference number shared by all parts of one message.
    public var reference: UInt16
    /// Number of parts.
    public var total: UInt8
    /// This part's sequence number, starting at 1.
    public var sequence: UInt8
    /// Whether the reference is 16-bit (IEI 0x08).
    public var is16Bit: Bool

    /// Creates concatenation info.
    public init(reference: UInt16, total: UInt8, sequence: UInt8, is16Bit: Bool) {
        self.reference = reference
        self.total = total
        self.sequence = sequence
        self.is16Bit = is16Bit
    }
}

/// Application port addressing from a UDH (IEI 0x04 or 0x05).
public struct PortAddressing: Sendable, Hashable, Codable {
    /// Destination port.
    public var destination: UInt16
    /// Source (originator) port.
    public var source: UInt16
    /// Whether the ports are 16-bit (IEI 0x05).
    public var is16Bit: Bool

    /// Creates port addressing; `is16Bit` selects IEI 0x05 even for small port numbers.
    public init(destination: UInt16, source: UInt16, is16Bit: Bool) {
        self.destination = destination
        self.source = source
        self.is16Bit = is16Bit
    }
}
