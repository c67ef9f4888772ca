/// A modem that appeared or went away, as reported by ``ModemWatcher``.
///
/// JSON (one line per event with `smskit devices --watch --json`):
/// `{"event":"added","modem":{"devnode":"/dev/ttyUSB2",...}}`
public struct HotPlugEvent: Sendable, Hashable, Codable {
    /// Added or removed.
    public enum Kind: String, Sendable, Codable { case added, removed }

    /// Added or removed (`"event"` in JSON).
    public var kind: Kind
    /// The modem; for `removed`, as it was last seen.
    public var modem: DiscoveredModem

    /// Creates an event.
    public init(_ kind: Kind, _ modem: DiscoveredModem) {
        self.kind = kind
        self.modem = modem
    }

    enum CodingKeys: String, CodingKey { case kind = "event", modem }
}
