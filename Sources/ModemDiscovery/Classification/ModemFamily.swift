/// A vendor family of cellular modems, identified by USB vendor ID.
public struct ModemFamily: Sendable, Hashable {
    /// Vendor ID, 4 lowercase hex digits.
    public var vendorID: String
    /// Vendor name as people know it ("Huawei", "Quectel").
    public var name: String

    /// Creates a family entry.
    public init(_ vendorID: String, _ name: String) {
        self.vendorID = vendorID
        self.name = name
    }
}
