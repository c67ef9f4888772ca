/// The GSM 7-bit alphabet of TS 23.038 with an optional national locking-shift table (replaces the
/// default alphabet) and single-shift table (replaces the extension table reached with ESC 0x1B).
///
/// ```swift
/// let septets = try GSM7Alphabet.default.encode("Ça coûte 5€") // throws: "û" is not in the default alphabet
/// let turkish = GSM7Alphabet(lockingShift: .turkish, singleShift: .turkish)
/// turkish.septetCount(of: "ğ") // 1
/// ```
public struct GSM7Alphabet: Sendable, Hashable {
    /// National locking-shift table in use, or `nil` for the default alphabet.
    public let lockingShift: NationalLanguage?
    /// National single-shift table in use, or `nil` for the default extension table.
    public let singleShift: NationalLanguage?

    /// The GSM 7-bit default alphabet with the default extension table.
    public static let `default` = GSM7Alphabet(lockingShift: nil, singleShift: nil)

    /// The escape septet that selects the single-shift (extension) table for the next septet.
    public static let escape: UInt8 = 0x1B

    /// Creates an alphabet; a language without the requested table falls back to the default table.
    public init(lockingShift: NationalLanguage? = nil, singleShift: NationalLanguage? = nil) {
        self.lockingShift = lockingShift.flatMap { $0.hasLockingShiftTable ? $0 : nil }
        self.singleShift = singleShift.flatMap { $0.hasSingleShiftTable ? $0 : nil }
    }

    /// Creates the alphabet a UDH selects through its national language shift elements.
    /// Unknown language identifiers fall back to the default tables (TS 23.038 §6.2.1.2.4).
    public init(header: UserDataHeader?) {
        self.init(lockingShift: header?.nationalLockingShift.flatMap(NationalLanguage.init(rawValue:)),
                  singleShift: header?.nationalSingleShift.flatMap(NationalLanguage.init(rawValue:)))
    }

    var tables: GSM7CharacterMap { GSM7CharacterMap.map(lockingShift, singleShift) }

    /// Decodes unpacked septets into text. An ESC followed by a code the single-shift table does
    /// not define yields the locking-table character (TS 23.038 §6.2.1.1); ESC ESC yields a space;
    /// an ESC as the last septet is dropped.
    public func decode<C: Collection>(_ septets: C) -> String where C.Element == UInt8 {
        let map = tables
        var scalars = String.UnicodeScalarView()
        var escaped = false
        for raw in septets {
            let s = Int(raw & 0x7F)
            if escaped {
                escaped = false
                if s == 0x1B { scalars.append(" "); continue }
                let v = map.single[s] != 0 ? map.single[s] : map.locking[s]
                if let u = Unicode.Scalar(v), v != 0 { scalars.append(u) }
                continue
            }
            if s == 0x1B { escaped = true; continue }
            if let u = Unicode.Scalar(map.locking[s]), map.locking[s] != 0 { scalars.append(u) }
        }
        return String(scalars)
    }

    /// Number of septets a scalar takes (1, or 2 with the escape), or `nil` when not encodable.
    public func septetCount(of scalar: Unicode.Scalar) -> Int? {
        let map = tables
        if map.lockingReverse[scalar.value] != nil { return 1 }
        if map.singleReverse[scalar.value] != nil { return 2 }
        return nil
    }

    /// Whether every scalar of `text` is encodable with this alphabet.
    public func canEncode(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { septetCount(of: $0) != nil }
    }

    /// Encodes text into unpacked septets (escape sequences included).
    public func encode(_ text: String) throws(PDUError) -> [UInt8] {
        let map = tables
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var index = 0
        for scalar in text.unicodeScalars {
            if let code = map.lockingReverse[scalar.value] {
                out.append(code)
            } else if let code = map.singleReverse[scalar.value] {
                out.append(GSM7Alphabet.escape)
                out.append(code)
            } else {
                throw .unencodableCharacter(Character(scalar), index: index)
            }
            index += 1
        }
        return out
    }
}

/// Lookup tables for one combination of locking and single shift tables (built once, shared).
final class GSM7CharacterMap: Sendable {
    let locking: [UInt32]
    let single: [UInt32]
    let lockingReverse: [UInt32: UInt8]
    let singleReverse: [UInt32: UInt8]

    init(locking: [UInt32], single: [UInt32]) {
        self.locking = locking
        self.single = single
        var lr: [UInt32: UInt8] = [:]
        for (i, v) in locking.enumerated() where v != 0 && i != 0x1B { lr[v] = UInt8(i) }
        var sr: [UInt32: UInt8] = [:]
        for (i, v) in single.enumerated() where v != 0 && i != 0x1B && lr[v] == nil { sr[v] = UInt8(i) }
        lockingReverse = lr
        singleReverse = sr
    }

    private static let all: [Int: GSM7CharacterMap] = {
        var result: [Int: GSM7CharacterMap] = [:]
        let languages: [NationalLanguage?] = [nil] + NationalLanguage.allCases.map { Optional($0) }
        for l in languages {
            for s in languages {
                let locking = l.flatMap(GSM7Tables.locking) ?? GSM7Tables.defaultLocking
                let single = s.flatMap(GSM7Tables.single) ?? GSM7Tables.defaultSingle
                result[key(l, s)] = GSM7CharacterMap(locking: locking, single: single)
            }
        }
        return result
    }()

    private static let fallback = GSM7CharacterMap(locking: GSM7Tables.defaultLocking, single: GSM7Tables.defaultSingle)

    private static func key(_ l: NationalLanguage?, _ s: NationalLanguage?) -> Int {
        Int(l?.rawValue ?? 0) << 8 | Int(s?.rawValue ?? 0)
    }

    static func map(_ l: NationalLanguage?, _ s: NationalLanguage?) -> GSM7CharacterMap {
        all[key(l, s)] ?? fallback
    }
}
