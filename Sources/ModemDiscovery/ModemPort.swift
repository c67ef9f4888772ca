/// One tty of a discovered device, as printed by `smskit devices --json`.
public struct ModemPort: Sendable, Hashable, Codable {
    /// Kernel node, e.g. `/dev/ttyUSB2`.
    public var devnode: String
    /// USB interface number as udev's two hex digits ("02"); nil when the port has none.
    public var interface: String?
    /// What the port is for.
    public var role: PortRole

    /// Creates a port entry.
    public init(devnode: String, interface: String?, role: PortRole) {
        self.devnode = devnode
        self.interface = interface
        self.role = role
    }

    enum CodingKeys: String, CodingKey { case devnode, interface, role }

    /// Encodes `interface` as `null` when absent, so every object has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(devnode, forKey: .devnode)
        try container.encode(interface, forKey: .interface)
        try container.encode(role, forKey: .role)
    }
}
