/// How much fits in one segment's user data (140 octets) once a header takes its share.
///
/// ```swift
/// UserDataCapacity.bytesPerSegment(concatenation: .eightBit, ports: .sixteenBit)  // 128
/// UserDataCapacity.septets(headerOctets: 6)                                        // 153
/// ```
public enum UserDataCapacity {
    /// Size of a concatenation or port element, for capacity questions.
    public enum ElementSize: Sendable, Hashable {
        case eightBit, sixteenBit
    }

    /// TP-UD maximum: 140 octets.
    public static let maxOctets = 140

    /// Octets of a UDH (UDHL included) with the given elements; 0 when there are none.
    public static func headerOctets(concatenation: ElementSize? = nil, ports: ElementSize? = nil,
                                    nationalLanguageElements: Int = 0) -> Int {
        var n = 0
        if let c = concatenation { n += c == .eightBit ? 5 : 6 }
        if let p = ports { n += p == .eightBit ? 4 : 6 }
        n += 3 * max(nationalLanguageElements, 0)
        return n == 0 ? 0 : n + 1
    }

    /// Octets left for the body after a header of `headerOctets` (UDHL included).
    public static func octets(headerOctets: Int) -> Int { max(maxOctets - headerOctets, 0) }

    /// GSM 7-bit septets left after a header of `headerOctets` (fill bits accounted for).
    public static func septets(headerOctets: Int) -> Int { max(160 - (headerOctets * 8 + 6) / 7, 0) }

    /// UTF-16 code units left after a header of `headerOctets`.
    public static func ucs2Units(headerOctets: Int) -> Int { octets(headerOctets: headerOctets) / 2 }

    /// Payload bytes per segment of 8-bit data: what a layer above (e.g. SecureSMS) can put in
    /// each part of a concatenated message with the given elements.
    public static func bytesPerSegment(concatenation: ElementSize? = .eightBit, ports: ElementSize? = nil) -> Int {
        octets(headerOctets: headerOctets(concatenation: concatenation, ports: ports))
    }

    /// Number of segments `byteCount` bytes of 8-bit data need (one segment without a
    /// concatenation element when it fits).
    public static func segments(forBytes byteCount: Int, concatenation: ElementSize = .eightBit, ports: ElementSize? = nil) -> Int {
        if byteCount <= bytesPerSegment(concatenation: nil, ports: ports) { return 1 }
        let per = bytesPerSegment(concatenation: concatenation, ports: ports)
        return (byteCount + per - 1) / per
    }
}
