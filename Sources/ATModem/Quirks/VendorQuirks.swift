/// What differs between modem families: URC noise to ignore, reboot markers, extra init commands,
/// the `+CNMI` setting they handle well, and how they report remaining PIN attempts. One file per family under `Quirks/`
/// (the ModemManager plugin idea, as data).
///
/// ```swift
/// let quirks = VendorQuirks.matching(manufacturer: "huawei") // .huawei
/// ```
public struct VendorQuirks: Sendable, Equatable {
    /// Family name (`Huawei`, `Quectel`, ...).
    public var family: String
    /// Lower-case substrings of `AT+CGMI` that select this family.
    public var manufacturerPatterns: [String]
    /// Extra URC prefixes this family prints unprompted (`^RSSI:`).
    public var urcPrefixes: [String]
    /// Lines this family prints after a reboot (`RDY`), which trigger a re-init.
    public var resetIndicators: [String]
    /// Commands sent after the standard init; failures are logged, not fatal (firmware varies).
    public var initCommands: [String]
    /// The `AT+CNMI` used (new-message and status-report routing).
    public var newMessageIndication: String
    /// Preferred message storage for `AT+CPMS` (`SM` on most, `ME` where the SIM is tiny).
    public var preferredStorage: String
    /// The family's own queries for remaining PIN attempts, tried when `AT+CPINR` is not supported.
    public var pinRetriesQueries: [PINRetriesQuery]

    /// A vendor command that reports the remaining SIM PIN attempts.
    public struct PINRetriesQuery: Sendable, Equatable {
        /// The command (`AT^CPIN?`).
        public var command: String
        /// The response prefix (`^CPIN:`).
        public var prefix: String
        /// Zero-based index of the PIN attempts field after the prefix.
        public var field: Int

        /// Creates a query.
        public init(command: String, prefix: String, field: Int) {
            self.command = command
            self.prefix = prefix
            self.field = field
        }
    }

    /// Creates a quirk set; defaults are the 27.005 generic behaviour.
    public init(family: String, manufacturerPatterns: [String] = [], urcPrefixes: [String] = [],
                resetIndicators: [String] = [], initCommands: [String] = [],
                newMessageIndication: String = "AT+CNMI=2,1,0,1,0", preferredStorage: String = "SM",
                pinRetriesQueries: [PINRetriesQuery] = []) {
        self.family = family
        self.manufacturerPatterns = manufacturerPatterns
        self.urcPrefixes = urcPrefixes
        self.resetIndicators = resetIndicators
        self.initCommands = initCommands
        self.newMessageIndication = newMessageIndication
        self.preferredStorage = preferredStorage
        self.pinRetriesQueries = pinRetriesQueries
    }

    /// A 27.005/27.007 modem with no known quirks.
    public static let generic = VendorQuirks(family: "Generic")

    /// Every known family, most specific first.
    public static let all: [VendorQuirks] = [.huawei, .zte, .quectel, .simcom, .sierra, .telit, .ublox]

    /// The family whose pattern occurs in the `AT+CGMI` answer, else ``generic``.
    public static func matching(manufacturer: String) -> VendorQuirks {
        let m = manufacturer.lowercased()
        return all.first { q in q.manufacturerPatterns.contains { m.contains($0) } } ?? .generic
    }

    /// The URC table for this family: standard entries plus the family's.
    public var urcTable: URCTable {
        var t = URCTable.standard
        t.add(urcPrefixes)
        t.addResetIndicators(resetIndicators)
        return t
    }

    /// URC prefixes of every family: used before the manufacturer is known, so noise during
    /// the first commands is never mistaken for a response.
    public static var allURCPrefixes: [String] { all.flatMap(\.urcPrefixes) }
}
