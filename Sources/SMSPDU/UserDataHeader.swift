/// A user data header (TS 23.040 §9.2.3.24): an ordered list of information elements.
///
/// ```swift
/// var udh = UserDataHeader(elements: [.concatenation16(reference: 0x1234, total: 3, sequence: 1)])
/// udh.concatenation?.total   // 3
/// udh.encoded()              // 06 08 04 12 34 03 01
/// ```
public struct UserDataHeader: Sendable, Hashable, Codable {
    /// The elements in order of appearance.
    public var elements: [InformationElement]

    /// Creates a header from elements.
    public init(elements: [InformationElement] = []) {
        self.elements = elements
    }

    /// Concatenation info of the first well-formed concatenation element (IEI 0x00 or 0x08).
    public var concatenation: Concatenation? {
        for e in elements {
            if e.identifier == InformationElement.concatenation8BitIdentifier, e.data.count == 3 {
                return Concatenation(reference: UInt16(e.data[0]), total: e.data[1], sequence: e.data[2], is16Bit: false)
            }
            if e.identifier == InformationElement.concatenation16BitIdentifier, e.data.count == 4 {
                return Concatenation(reference: UInt16(e.data[0]) << 8 | UInt16(e.data[1]),
                                     total: e.data[2], sequence: e.data[3], is16Bit: true)
            }
        }
        return nil
    }

    /// Port addressing of the first well-formed port element (IEI 0x04 or 0x05).
    public var ports: PortAddressing? {
        for e in elements {
            if e.identifier == InformationElement.ports8BitIdentifier, e.data.count == 2 {
                return PortAddressing(destination: UInt16(e.data[0]), source: UInt16(e.data[1]), is16Bit: false)
            }
            if e.identifier == InformationElement.ports16BitIdentifier, e.data.count == 4 {
                return PortAddressing(destination: UInt16(e.data[0]) << 8 | UInt16(e.data[1]),
                                      source: UInt16(e.data[2]) << 8 | UInt16(e.data[3]), is16Bit: true)
            }
        }
        return nil
    }

    /// National language identifier of the single shift element (IEI 0x24), if any.
    public var nationalSingleShift: UInt8? {
        elements.first { $0.identifier == InformationElement.nationalSingleShiftIdentifier && $0.data.count == 1 }?.data[0]
    }

    /// National language identifier of the locking shift element (IEI 0x25), if any.
    public var nationalLockingShift: UInt8? {
        elements.first { $0.identifier == InformationElement.nationalLockingShiftIdentifier && $0.data.count == 1 }?.data[0]
    }

    /// Encoded size including the UDHL octet.
    public var encodedLength: Int { 1 + elements.reduce(0) { $0 + $1.encodedLength } }

    /// Encodes the header, UDHL octet first.
    public func encoded() throws(PDUError) -> [UInt8] {
        let length = encodedLength - 1
        guard length <= 139 else { throw .userDataTooLong(octets: length + 1, maximum: 140) }
        var out: [UInt8] = [UInt8(length)]
        for e in elements {
            out.append(e.identifier)
            out.append(UInt8(e.data.count))
            out.append(contentsOf: e.data)
        }
        return out
    }

    /// Decodes a header from `bytes` (which start with the UDHL octet); `base` is the absolute
    /// offset of that octet for error messages. Returns the header and its size including UDHL.
    static func decode(_ bytes: ArraySlice<UInt8>, base: Int) throws(PDUError) -> (UserDataHeader, Int) {
        guard let udhl = bytes.first else { throw .truncated(field: .userDataHeader, offset: base) }
        let length = Int(udhl)
        guard length + 1 <= bytes.count else { throw .invalidLength(field: .userDataHeader, offset: base, length: length) }
        var elements: [InformationElement] = []
        var i = bytes.startIndex + 1
        let end = bytes.startIndex + 1 + length
        while i < end {
            let offset = base + (i - bytes.startIndex)
            guard i + 1 < end else { throw .truncated(field: .informationElement, offset: offset) }
            let id = bytes[i]
            let n = Int(bytes[i + 1])
            guard i + 2 + n <= end else { throw .invalidLength(field: .informationElement, offset: offset, length: n) }
            elements.append(InformationElement(identifier: id, data: Array(bytes[(i + 2)..<(i + 2 + n)])))
            i += 2 + n
        }
        return (UserDataHeader(elements: elements), length + 1)
    }
}
