/// A national language of TS 23.038 §6.2.1.2.4 / Annex A, identified in the UDH by
/// information elements 0x24 (single shift) and 0x25 (locking shift).
///
/// All thirteen languages of Release 9 are implemented. Spanish has only a single-shift table;
/// the others have both.
public enum NationalLanguage: UInt8, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case turkish = 1
    case spanish = 2
    case portuguese = 3
    case bengali = 4
    case gujarati = 5
    case hindi = 6
    case kannada = 7
    case malayalam = 8
    case oriya = 9
    case punjabi = 10
    case tamil = 11
    case telugu = 12
    case urdu = 13

    /// Whether TS 23.038 defines a locking-shift table for this language.
    public var hasLockingShiftTable: Bool { GSM7Tables.locking(self) != nil }
    /// Whether TS 23.038 defines a single-shift table for this language.
    public var hasSingleShiftTable: Bool { GSM7Tables.single(self) != nil }

    /// Lower-case English name, e.g. `turkish`.
    public var description: String {
        NationalLanguage.names[Int(rawValue)]
    }

    private static let names = ["", "turkish", "spanish", "portuguese", "bengali", "gujarati", "hindi", "kannada",
                                "malayalam", "oriya", "punjabi", "tamil", "telugu", "urdu"]

    /// Looks a language up by its English name (case-insensitive), e.g. `"turkish"`.
    public init?(name: String) {
        guard let l = NationalLanguage.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = l
    }
}
