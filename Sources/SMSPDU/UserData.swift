/// TP-User-Data: an optional header plus the body, as text (GSM 7-bit, UCS-2) or bytes (8-bit,
/// compressed). How the body is coded comes from the TP-DCS of the PDU that carries it.
///
/// ```swift
/// let ud = UserData(header: nil, text: "hello")
/// let (udl, octets) = try ud.encode(dcs: .gsm7)   // 5, E8 32 9B FD 06
/// ```
public struct UserData: Sendable, Hashable {
    /// The body of the user data.
    public enum Content: Sendable, Hashable {
        /// Text, for GSM 7-bit and UCS-2 coding.
        case text(String)
        /// Bytes: 8-bit data, compressed data, and (when encoding) already-coded units: unpacked
        /// septets for GSM 7-bit, UTF-16BE octets for UCS-2.
        case binary([UInt8])
    }

    /// The user data header, when TP-UDHI is set.
    public var header: UserDataHeader?
    public var content: Content

    public init(header: UserDataHeader? = nil, content: Content) {
        self.header = header
        self.content = content
    }

    /// User data holding text.
    public init(header: UserDataHeader? = nil, text: String) {
        self.init(header: header, content: .text(text))
    }

    /// User data holding bytes.
    public init(header: UserDataHeader? = nil, bytes: [UInt8]) {
        self.init(header: header, content: .binary(bytes))
    }

    /// Empty user data (TP-UDL 0).
    public static let empty = UserData(content: .text(""))

    /// The text, when the body is text.
    public var text: String? {
        if case let .text(t) = content { return t }
        return nil
    }

    /// The bytes, when the body is bytes.
    public var bytes: [UInt8]? {
        if case let .binary(b) = content { return b }
        return nil
    }

    /// Number of fill bits after a header of `headerOctets` octets (UDHL included) in GSM 7-bit.
    public static func fillBits(headerOctets: Int) -> Int {
        (7 - (headerOctets * 8) % 7) % 7
    }

    /// Encodes for `dcs`: TP-UDL (septets for uncompressed GSM 7-bit, else octets) and the octets.
    public func encode(dcs: DataCodingScheme) throws(PDUError) -> (udl: UInt8, octets: [UInt8]) {
        var out = try header?.encoded() ?? []
        let h = out.count
        let udl: Int
        if dcs.alphabet == .gsm7 && !dcs.isCompressed {
            let septets: [UInt8]
            switch content {
            case let .text(t): septets = try GSM7Alphabet(header: header).encode(t)
            case let .binary(b): septets = b.map { $0 & 0x7F }
            }
            let headerSeptets = (h * 8 + 6) / 7
            udl = headerSeptets + septets.count
            out += SeptetPacking.pack(septets, fillBits: UserData.fillBits(headerOctets: h))
            guard udl <= 160 else { throw .userDataTooLong(octets: out.count, maximum: 140) }
        } else {
            switch (content, dcs.alphabet) {
            case let (.binary(b), _): out += b
            case let (.text(t), .ucs2) where !dcs.isCompressed:
                for unit in t.utf16 { out.append(UInt8(unit >> 8)); out.append(UInt8(unit & 0xFF)) }
            case (.text, _):
                throw .contentMismatch("text given for \(dcs); 8-bit and compressed user data must be bytes")
            }
            udl = out.count
        }
        guard out.count <= 140 else { throw .userDataTooLong(octets: out.count, maximum: 140) }
        return (UInt8(udl), out)
    }

    /// Decodes TP-UDL and TP-UD from `reader` for `dcs`; `hasHeader` is TP-UDHI.
    static func decode(_ reader: inout ByteReader, dcs: DataCodingScheme, hasHeader: Bool) throws(PDUError) -> UserData {
        let udlOffset = reader.offset
        let udl = Int(try reader.byte(.userDataLength))
        let septetCoded = dcs.alphabet == .gsm7 && !dcs.isCompressed
        let octetCount = septetCoded ? (udl * 7 + 7) / 8 : udl
        let start = reader.offset
        guard octetCount <= reader.remaining else { throw .truncated(field: .userData, offset: start) }
        let octets = try reader.read(octetCount, .userData)
        var header: UserDataHeader? = nil
        var headerOctets = 0
        if hasHeader {
            guard udl > 0 else { throw .invalidLength(field: .userDataLength, offset: udlOffset, length: udl) }
            let (h, n) = try UserDataHeader.decode(octets, base: start)
            header = h
            headerOctets = n
        }
        if septetCoded {
            let headerSeptets = (headerOctets * 8 + 6) / 7
            guard headerSeptets <= udl else {
                throw .invalidLength(field: .userDataHeader, offset: start, length: headerOctets - 1)
            }
            guard let septets = SeptetPacking.unpack(octets, count: udl - headerSeptets, startBit: headerSeptets * 7) else {
                throw .truncated(field: .userData, offset: start)
            }
            return UserData(header: header, content: .text(GSM7Alphabet(header: header).decode(septets)))
        }
        let body = octets.dropFirst(headerOctets)
        if dcs.alphabet == .ucs2 && !dcs.isCompressed {
            guard body.count % 2 == 0 else { throw .invalidLength(field: .userData, offset: start, length: udl) }
            return UserData(header: header, content: .text(UCS2.decode(body)))
        }
        return UserData(header: header, content: .binary(Array(body)))
    }
}

/// UCS-2 user data read and written as UTF-16 big-endian.
public enum UCS2 {
    /// Decodes UTF-16BE octets (an odd trailing octet is ignored); unpaired surrogates become U+FFFD.
    /// Join the octets of all parts before decoding when a sender split a surrogate pair.
    public static func decode<C: Collection>(_ octets: C) -> String where C.Element == UInt8 {
        var units: [UInt16] = []
        units.reserveCapacity(octets.count / 2)
        var high: UInt8? = nil
        for b in octets {
            if let h = high { units.append(UInt16(h) << 8 | UInt16(b)); high = nil } else { high = b }
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Encodes text as UTF-16BE octets.
    public static func encode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf16.count * 2)
        for unit in text.utf16 { out.append(UInt8(unit >> 8)); out.append(UInt8(unit & 0xFF)) }
        return out
    }
}
