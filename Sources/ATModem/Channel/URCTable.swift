/// Which lines are unsolicited: standard 27.005/27.007 URCs plus what vendor quirks add.
///
/// ```swift
/// var table = URCTable.standard
/// table.add(["^RSSI:", "^BOOT:"])
/// table.isURC("^RSSI:17") // true
/// ```
public struct URCTable: Sendable, Equatable {
    /// Line prefixes that mark a URC (`+CMTI:`, `RING`, `^RSSI:`).
    public private(set) var prefixes: [String]
    /// URCs followed by a PDU line (`+CMT:`, `+CDS:`, `+CBM:`).
    public private(set) var pduPrefixes: [String]
    /// URCs that mean the modem (re)booted, so the driver must re-run its init sequence.
    public private(set) var resetIndicators: [String]

    /// Creates a table from explicit lists.
    public init(prefixes: [String], pduPrefixes: [String], resetIndicators: [String]) {
        self.prefixes = prefixes
        self.pduPrefixes = pduPrefixes
        self.resetIndicators = resetIndicators
    }

    /// The URCs every 27.005/27.007 modem may send.
    public static let standard = URCTable(
        prefixes: ["+CMTI:", "+CDSI:", "+CBMI:", "RING", "+CRING:", "+CLIP:", "+CCWA:", "+CREG:", "+CGREG:",
                   "+CEREG:", "+C5GREG:", "+CUSD:", "+CIEV:", "+CGEV:", "+CSSI:", "+CSSU:", "+CTZV:", "+CTZE:",
                   "+CTZEU:", "+CPIN:", "+CFUN:"],
        pduPrefixes: ["+CMT:", "+CDS:", "+CBM:"],
        resetIndicators: ["RDY", "START", "#SYSSTART", "+SYSSTART"]
    )

    /// Adds URC prefixes (vendor noise).
    public mutating func add(_ more: [String]) {
        for p in more where !prefixes.contains(p) { prefixes.append(p) }
    }

    /// Adds prefixes that signal a modem reboot.
    public mutating func addResetIndicators(_ more: [String]) {
        for p in more where !resetIndicators.contains(p) { resetIndicators.append(p) }
    }

    /// Whether `line` is an unsolicited result code.
    public func isURC(_ line: String) -> Bool {
        prefixes.contains { line.hasPrefix($0) } || isPDUHeader(line)
    }

    /// Whether `line` is a URC followed by a PDU line.
    public func isPDUHeader(_ line: String) -> Bool { pduPrefixes.contains { line.hasPrefix($0) } }

    /// Whether `line` signals a modem reboot.
    public func isReset(_ line: String) -> Bool { resetIndicators.contains { line == $0 || line.hasPrefix($0 + " ") } }
}
