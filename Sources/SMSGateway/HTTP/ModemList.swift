/// `GET /v1/modems` response.
public struct ModemList: Sendable, Codable, Equatable {
    /// Every modem the gateway drives, with live health.
    public var modems: [ModemResource]
    /// Creates a list.
    public init(modems: [ModemResource]) { self.modems = modems }
}
