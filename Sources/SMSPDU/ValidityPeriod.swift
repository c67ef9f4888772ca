/// TP-Validity-Period of an SMS-SUBMIT (TS 23.040 §9.2.3.12) in its three formats.
///
/// ```swift
/// ValidityPeriod.relative(seconds: 86_400)   // .relative(167), one day
/// ValidityPeriod.relative(167).duration      // 86400
/// ```
public enum ValidityPeriod: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Relative format (TP-VPF 10): one octet coding 5 minutes … 63 weeks.
    case relative(UInt8)
    /// Absolute format (TP-VPF 11): a time stamp.
    case absolute(ServiceCentreTimestamp)
    /// Enhanced format (TP-VPF 01): seven octets (TS 23.040 §9.2.3.12.3).
    case enhanced(EnhancedValidityPeriod)

    /// The TP-VPF value (bits 3–4 of the first octet) of this format.
    var formatBits: UInt8 {
        switch self {
        case .relative: return 0x10
        case .absolute: return 0x18
        case .enhanced: return 0x08
        }
    }

    /// Seconds coded by a relative TP-VP octet.
    public static func seconds(relative v: UInt8) -> Int {
        let n = Int(v)
        switch n {
        case 0...143: return (n + 1) * 300
        case 144...167: return 12 * 3600 + (n - 143) * 1800
        case 168...196: return (n - 166) * 86_400
        default: return (n - 192) * 7 * 86_400
        }
    }

    /// The smallest relative validity at least `seconds` long (capped at 63 weeks, floored at 5 minutes).
    public static func relative(seconds: Int) -> ValidityPeriod {
        let s = min(max(seconds, 0), 63 * 7 * 86_400)
        if s <= 144 * 300 { return .relative(UInt8(max((s + 299) / 300 - 1, 0))) }
        if s <= 24 * 3600 { return .relative(UInt8(143 + (s - 12 * 3600 + 1799) / 1800)) }
        if s <= 30 * 86_400 { return .relative(UInt8(166 + (s + 86_399) / 86_400)) }
        let weeks = min((s + 7 * 86_400 - 1) / (7 * 86_400), 63)
        return .relative(UInt8(max(192 + weeks, 197)))
    }

    /// The validity as a duration in seconds (relative and enhanced relative forms only).
    public var duration: Int? {
        switch self {
        case let .relative(v): return ValidityPeriod.seconds(relative: v)
        case .absolute: return nil
        case let .enhanced(e): return e.duration
        }
    }

    /// Readable form.
    public var description: String {
        switch self {
        case let .relative(v): return "relative \(ValidityPeriod.seconds(relative: v))s"
        case let .absolute(t): return "until \(t.iso8601)"
        case let .enhanced(e): return "enhanced \(e)"
        }
    }

    static func decode(_ reader: inout ByteReader, formatBits: UInt8) throws(PDUError) -> ValidityPeriod? {
        switch formatBits & 0x18 {
        case 0x10: return .relative(try reader.byte(.validityPeriod))
        case 0x18: return .absolute(try ServiceCentreTimestamp.decode(&reader, field: .validityPeriod))
        case 0x08: return .enhanced(EnhancedValidityPeriod(octets: Array(try reader.read(7, .validityPeriod))))
        default: return nil
        }
    }

    func encode() throws(PDUError) -> [UInt8] {
        switch self {
        case let .relative(v): return [v]
        case let .absolute(t): return try t.encode(field: .validityPeriod)
        case let .enhanced(e): return e.octets
        }
    }
}

/// The seven octets of an enhanced TP-VP (TS 23.040 §9.2.3.12.3), kept raw so they round-trip;
/// the functionality indicator is interpreted on demand.
public struct EnhancedValidityPeriod: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Exactly seven octets (padded with zeros or cut when created with another count).
    public let octets: [UInt8]

    /// Wraps seven octets (shorter input is zero-padded, longer input cut).
    public init(octets: [UInt8]) {
        self.octets = Array((octets + [UInt8](repeating: 0, count: 7)).prefix(7))
    }

    /// Enhanced format with a relative validity in seconds (format 010, 0–255 s).
    public static func seconds(_ s: UInt8, singleShot: Bool = false) -> EnhancedValidityPeriod {
        EnhancedValidityPeriod(octets: [(singleShot ? 0x40 : 0) | 0x02, s])
    }

    /// Enhanced format with a relative validity as hours, minutes and seconds (format 011).
    public static func hms(hours: Int, minutes: Int, seconds: Int, singleShot: Bool = false) -> EnhancedValidityPeriod {
        func bcd(_ v: Int) -> UInt8 { let c = min(max(v, 0), 99); return UInt8(c % 10) << 4 | UInt8(c / 10) }
        return EnhancedValidityPeriod(octets: [(singleShot ? 0x40 : 0) | 0x03, bcd(hours), bcd(minutes), bcd(seconds)])
    }

    /// Enhanced format carrying a relative TP-VP octet (format 001).
    public static func relative(_ v: UInt8, singleShot: Bool = false) -> EnhancedValidityPeriod {
        EnhancedValidityPeriod(octets: [(singleShot ? 0x40 : 0) | 0x01, v])
    }

    /// Single-shot SM (bit 6 of the functionality indicator).
    public var singleShot: Bool { octets[0] & 0x40 != 0 }
    /// Validity period format (bits 0–2): 0 none, 1 relative, 2 seconds, 3 hh:mm:ss, others reserved.
    public var format: UInt8 { octets[0] & 0x07 }

    /// The validity in seconds for formats 1–3, `nil` otherwise (or when the BCD is invalid).
    public var duration: Int? {
        switch format {
        case 1: return ValidityPeriod.seconds(relative: octets[1])
        case 2: return Int(octets[1])
        case 3:
            var total = 0
            for (b, unit) in zip(octets[1...3], [3600, 60, 1]) {
                let lo = Int(b & 0x0F), hi = Int(b >> 4)
                guard lo <= 9, hi <= 9 else { return nil }
                total += (lo * 10 + hi) * unit
            }
            return total
        default: return nil
        }
    }

    /// Readable form.
    public var description: String {
        let d = duration.map { "\($0)s" } ?? "format \(format)"
        return d + (singleShot ? " single-shot" : "")
    }
}
