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
    /// The body.
    public var content: Content {
        didSet { rawUCS2 = nil }
    }
    /// The UTF-16BE octets of a decoded UCS-2 body that holds an unpaired surrogate (a sender split
    /// a pair across parts); kept so `joinedText(_:)` can restore the character. Not part of equality.
    private(set) var rawUCS2: [UInt8]? = nil
    /// Whether the body is UCS-2 with an unpaired surrogate (half of a character split across parts):
    /// join such parts with `joinedText(_:)`, not by concatenating their `text`.
    public var holdsUnpairedSurrogate: Bool { rawUCS2 != nil }

    /// Creates user data from a header and a body.
    public init(header: UserDataHeader? = nil, content: Content) {
        self.header = header
        self.content = content
    }

    /// Equal when header and content are equal.
    public static func == (lhs: UserData, rhs: UserData) -> Bool {
        lhs.header == rhs.header && lhs.content == rhs.content
    }

    /// Hashes header and content.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(header)
        hasher.combine(content)
    }

    /// The text of a concatenated message from its parts' user data, in sequence order; `nil` when
    /// a part holds bytes. A surrogate pair that the sender split across two UCS-2 parts is restored.
    ///
    /// ```swift
    /// let text = UserData.joinedText(parts.sorted { $0.header?.concatenation?.sequence ?? 0 < $1.header?.concatenation?.sequence ?? 0 })
    /// ```
    public static func joinedText(_ parts: [UserData]) -> String? {
        guard parts.contains(where: { $0.rawUCS2 != nil }) else {
            var result = ""
            for part in parts {
                guard let t = part.text else { return nil }
                result += t
            }
            return result
        }
        var units: [UInt16] = []
        for part in parts {
            if let raw = part.rawUCS2 {
                var i = raw.startIndex
                while i + 1 < raw.endIndex { units.append(UInt16(raw[i]) << 8 | UInt16(raw[i + 1])); i += 2 }
            } else if let t = part.text {
                units.append(contentsOf: t.utf16)
            } else {
                return nil
            }
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// The bytes of a concatenated 8-bit message from its parts' user data, in sequence order;
    /// `nil` when a part holds text.
    public static func joinedBytes(_ parts: [UserData]) -> [UInt8]? {
        var result: [UInt8] = []
        for part in parts {
            guard let b = part.bytes else { return nil }
            result += b
        }
        return result
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
                if let raw = rawUCS2 { out += raw } else { out += UCS2.encode(t) }
            case let (.text(t), _) where t.isEmpty:
                break  // empty user data (TP-UDL 0) is valid in every coding, e.g. `UserData.empty`
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
            guard let text = GSM7Alphabet(header: header).decode(packed: octets, count: udl - headerSeptets, startBit: headerSeptets * 7) else {
                throw .truncated(field: .userData, offset: start)
            }
            return UserData(header: header, content: .text(text))
        }
        let body = octets.dropFirst(headerOctets)
        if dcs.alphabet == .ucs2 && !dcs.isCompressed {
            guard body.count % 2 == 0 else { throw .invalidLength(field: .userData, offset: start, length: udl) }
            var ud = UserData(header: header, content: .text(UCS2.decode(body)))
            if UCS2.hasUnpairedSurrogate(body) { ud.rawUCS2 = Array(body) }
            return ud
        }
        return UserData(header: header, content: .binary(Array(body)))
    }
}

/// UCS-2 user data read and written as UTF-16 big-endian.
public enum UCS2 {
    /// Decodes UTF-16BE octets (an odd trailing octet is ignored); unpaired surrogates become U+FFFD.
    /// Join the octets of all parts before decoding when a sender split a surrogate pair.
    public static func decode<C: Collection>(_ octets: C) -> String where C.Element == UInt8 {
        UTF8Builder.string(capacity: (octets.count / 2) * 3) { out in
            var high: UInt8 = 0
            var odd = false
            var pendingLead: UInt32? = nil
            for b in octets {
                guard odd else { high = b; odd = true; continue }
                odd = false
                let unit = UInt32(high) << 8 | UInt32(b)
                if let lead = pendingLead {
                    pendingLead = nil
                    if (0xDC00..<0xE000).contains(unit) {
                        out.append(0x1_0000 + ((lead - 0xD800) << 10) + (unit - 0xDC00))
                        continue
                    }
                    out.append(0xFFFD)
                }
                if (0xD800..<0xDC00).contains(unit) { pendingLead = unit } else { out.append(unit) }
            }
            if pendingLead != nil { out.append(0xFFFD) }
        }
    }

    /// Whether UTF-16BE octets hold a surrogate without its partner.
    static func hasUnpairedSurrogate<C: Collection>(_ octets: C) -> Bool where C.Element == UInt8 {
        var expectLow = false
        var index = 0
        for b in octets {
            defer { index += 1 }
            guard index % 2 == 0 else { continue }
            let isHigh = (0xD8...0xDB).contains(b), isLow = (0xDC...0xDF).contains(b)
            if expectLow {
                guard isLow else { return true }
                expectLow = false
            } else if isLow {
                return true
            } else if isHigh {
                expectLow = true
            }
        }
        return expectLow
    }

    /// Encodes text as UTF-16BE octets.
    public static func encode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf16.count * 2)
        for unit in text.utf16 { out.append(UInt8(unit >> 8)); out.append(UInt8(unit & 0xFF)) }
        return out
    }
}
