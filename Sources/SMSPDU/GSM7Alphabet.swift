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
        return UTF8Builder.string(capacity: septets.count * 3) { out in
            var state = DecodeState()
            for raw in septets { state.feed(raw, map.locking, map.single, &out) }
        }
    }

    /// Decodes `count` septets packed in `octets` from bit `startBit`, without unpacking them
    /// first; `nil` when the octets hold fewer bits.
    func decode(packed octets: ArraySlice<UInt8>, count: Int, startBit: Int) -> String? {
        guard count >= 0, startBit >= 0, startBit + count * 7 <= octets.count * 8 else { return nil }
        let map = tables
        let locking = map.locking, single = map.single
        return octets.withUnsafeBufferPointer { p in
            UTF8Builder.string(capacity: count * 3) { out in
                var state = DecodeState()
                var bit = startBit
                for _ in 0..<count {
                    let i = bit >> 3
                    var v = UInt16(p[i])
                    if i + 1 < p.count { v |= UInt16(p[i + 1]) << 8 }
                    state.feed(UInt8(truncatingIfNeeded: v >> UInt16(bit & 7)), locking, single, &out)
                    bit += 7
                }
            }
        }
    }

    /// Escape handling shared by both decoders.
    private struct DecodeState {
        var escaped = false

        @inline(__always)
        mutating func feed(_ raw: UInt8, _ locking: [UInt32], _ single: [UInt32], _ out: inout UTF8Builder) {
            let s = Int(raw & 0x7F)
            let value: UInt32
            if escaped {
                escaped = false
                value = s == 0x1B ? 0x20 : (single[s] != 0 ? single[s] : locking[s])
            } else if s == 0x1B {
                escaped = true
                return
            } else {
                value = locking[s]
            }
            if value != 0 { out.append(value) }
        }
    }

    /// Number of septets a scalar takes (1, or 2 with the escape), or `nil` when not encodable.
    public func septetCount(of scalar: Unicode.Scalar) -> Int? {
        let map = tables
        if map.lockingTable.code(for: scalar.value) != nil { return 1 }
        if map.singleTable.code(for: scalar.value) != nil { return 2 }
        return nil
    }

    /// Whether every scalar of `text` is encodable with this alphabet.
    public func canEncode(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { septetCount(of: $0) != nil }
    }

    /// Encodes text into unpacked septets (escape sequences included).
    public func encode(_ text: String) throws(PDUError) -> [UInt8] {
        let map = tables
        let locking = map.lockingTable, single = map.singleTable
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var index = 0
        for scalar in text.unicodeScalars {
            if let code = locking.code(for: scalar.value) {
                out.append(code)
            } else if let code = single.code(for: scalar.value) {
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

/// One character table with its reverse lookup (built once per table, shared).
final class GSM7Table: Sendable {
    let values: [UInt32]
    let reverse: [UInt32: UInt8]
    /// Reverse lookup for U+0000–U+00FF without hashing (0xFF: not in the table).
    let latin: [UInt8]

    init(_ values: [UInt32]) {
        self.values = values
        var r: [UInt32: UInt8] = [:]
        var l = [UInt8](repeating: 0xFF, count: 256)
        for (i, v) in values.enumerated() where v != 0 && i != 0x1B && r[v] == nil {
            r[v] = UInt8(i)
            if v < 256 { l[Int(v)] = UInt8(i) }
        }
        reverse = r
        latin = l
    }

    /// The septet for a scalar value, if the table has it.
    @inline(__always)
    func code(for value: UInt32) -> UInt8? {
        if value < 256 {
            let c = latin[Int(value)]
            return c == 0xFF ? nil : c
        }
        return reverse[value]
    }

    static let defaultLocking = GSM7Table(GSM7Tables.defaultLocking)
    static let defaultSingle = GSM7Table(GSM7Tables.defaultSingle)
    /// Indexed by language identifier (0 unused).
    static let locking: [GSM7Table?] = (0...13).map { id in
        NationalLanguage(rawValue: UInt8(id)).flatMap(GSM7Tables.locking).map(GSM7Table.init)
    }
    static let single: [GSM7Table?] = (0...13).map { id in
        NationalLanguage(rawValue: UInt8(id)).flatMap(GSM7Tables.single).map(GSM7Table.init)
    }
}

/// The pair of tables an alphabet uses.
struct GSM7CharacterMap {
    let lockingTable: GSM7Table
    let singleTable: GSM7Table
    var locking: [UInt32] { lockingTable.values }
    var single: [UInt32] { singleTable.values }
    var lockingReverse: [UInt32: UInt8] { lockingTable.reverse }
    var singleReverse: [UInt32: UInt8] { singleTable.reverse }

    static func map(_ l: NationalLanguage?, _ s: NationalLanguage?) -> GSM7CharacterMap {
        let lt = l.flatMap { Int($0.rawValue) < GSM7Table.locking.count ? GSM7Table.locking[Int($0.rawValue)] : nil }
        let st = s.flatMap { Int($0.rawValue) < GSM7Table.single.count ? GSM7Table.single[Int($0.rawValue)] : nil }
        return GSM7CharacterMap(lockingTable: lt ?? GSM7Table.defaultLocking, singleTable: st ?? GSM7Table.defaultSingle)
    }
}
