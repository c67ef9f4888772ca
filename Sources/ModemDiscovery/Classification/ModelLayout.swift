/// The fixed port layout of one modem model (or a few products sharing it): interface number → role,
/// plus which interface is the primary AT port.
public struct ModelLayout: Sendable, Hashable {
    /// Vendor ID, 4 lowercase hex digits.
    public var vendorID: String
    /// Product IDs (4 lowercase hex digits) sharing this layout.
    public var productIDs: Set<String>
    /// Human-readable model names, for docs and logs.
    public var name: String
    /// Interface number (udev's two hex digits) → role. Interfaces not listed are `unknown`.
    public var roles: [String: PortRole]
    /// The interface to prefer as primary AT port; nil means "lowest-numbered `at` port".
    public var primary: String?

    /// Creates a layout, e.g. `ModelLayout("2c7c", ["0125"], "Quectel EC25", ["02": .at], primary: "02")`.
    public init(_ vendorID: String, _ productIDs: Set<String>, _ name: String,
                _ roles: [String: PortRole], primary: String? = nil) {
        self.vendorID = vendorID
        self.productIDs = productIDs
        self.name = name
        self.roles = roles
        self.primary = primary
    }
}
