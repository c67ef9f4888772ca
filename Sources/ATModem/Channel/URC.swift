/// An unsolicited result code: a line the modem sends on its own (`+CMTI: "SM",3`, `^RSSI:17`),
/// with the PDU line that follows `+CMT:` and `+CDS:`.
public struct URC: Sendable, Hashable, CustomStringConvertible {
    /// The whole line as received (trimmed).
    public let line: String
    /// The hex PDU line that followed (for `+CMT:`/`+CDS:`), if any.
    public let pdu: String?

    /// Creates a URC from its line and optional PDU.
    public init(line: String, pdu: String? = nil) {
        self.line = line
        self.pdu = pdu
    }

    /// The part before `:` (`+CMTI`, `^RSSI`, `RING`), upper-cased.
    public var name: String {
        guard let colon = line.firstIndex(of: ":") else { return line.uppercased() }
        return line[..<colon].uppercased()
    }

    /// The text after `:` with leading spaces removed (empty when there is no `:`).
    public var value: String {
        guard let colon = line.firstIndex(of: ":") else { return "" }
        return String(line[line.index(after: colon)...].drop(while: { $0 == " " }))
    }

    /// The comma-separated fields of ``value`` with quotes stripped.
    public var fields: [String] { ATLineParser.fields(value) }

    public var description: String { pdu.map { "\(line) <pdu \($0.count / 2) bytes>" } ?? line }
}
