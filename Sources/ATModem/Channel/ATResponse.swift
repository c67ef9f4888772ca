/// The information lines a successful command returned (final `OK` not included).
///
/// ```swift
/// let r = try await channel.send("AT+CSQ", expecting: ["+CSQ:"])
/// r.value(for: "+CSQ:") // "17,99"
/// ```
public struct ATResponse: Sendable, Equatable {
    /// Lines in arrival order, trimmed, URCs removed.
    public var lines: [String]

    /// Wraps lines.
    public init(lines: [String]) { self.lines = lines }

    /// The text after `prefix` on the first line that has it.
    public func value(for prefix: String) -> String? {
        lines.lazy.compactMap { ATLineParser.value(of: $0, prefix: prefix) }.first
    }

    /// The comma-separated fields after `prefix` (quotes removed).
    public func fields(for prefix: String) -> [String]? { value(for: prefix).map(ATLineParser.fields) }

    /// The first line that is not a `+XXX:` header: the plain answer of `AT+CGMI`, `AT+CGSN`, ...
    public var text: String? { lines.first { !$0.hasPrefix("+") }  ?? lines.first }
}
