/// A national language of TS 23.038 §6.2.1.2.4 / Annex A, identified in the UDH by
/// information elements 0x24 (single shift) and 0x25 (locking shift).
///
/// Spanish has only a single-shift table; the others implemented here have both.
public enum NationalLanguage: UInt8, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case turkish = 1
    case spanish = 2
    case portuguese = 3

    /// Whether TS 23.038 defines a locking-shift table for this language.
    public var hasLockingShiftTable: Bool { GSM7Tables.locking(self) != nil }
    /// Whether TS 23.038 defines a single-shift table for this language.
    public var hasSingleShiftTable: Bool { GSM7Tables.single(self) != nil }

    public var description: String {
        switch self {
        case .turkish: return "turkish"
        case .spanish: return "spanish"
        case .portuguese: return "portuguese"
        }
    }

    /// Looks a language up by its English name (case-insensitive), e.g. `"turkish"`.
    public init?(name: String) {
        guard let l = NationalLanguage.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = l
    }
}
