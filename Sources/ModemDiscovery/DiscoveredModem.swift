/// One physical USB device with serial ports: a modem (or, with `--all`, an adapter or unknown device).
///
/// Its JSON form is what `smskit devices --json` prints:
/// `{"devnode":"/dev/ttyUSB2","ports":[{"devnode":"/dev/ttyUSB0","interface":"00","role":"diag"},...],
///   "vendor_id":"2c7c","product_id":"0125","manufacturer":"Quectel","model":"EC25","serial":null,...}`
public struct DiscoveredModem: Sendable, Hashable, Codable {
    /// The primary AT port's kernel node; nil when no port is known to speak AT (try `--probe`).
    public var devnode: String?
    /// All ttys of the device, ordered by interface number.
    public var ports: [ModemPort]
    /// 4 lowercase hex digits.
    public var vendorID: String
    /// 4 lowercase hex digits.
    public var productID: String
    /// USB `manufacturer` string.
    public var manufacturer: String?
    /// USB `product` string.
    public var model: String?
    /// USB serial number; nil when the device has none.
    public var serial: String?
    /// Modem, serial adapter or unknown.
    public var kind: DeviceKind
    /// A stable identifier: the USB serial when present, else `usb-<port path>` (e.g. `usb-1-2`).
    /// The udev rules use the same scheme for `/dev/smskit/<id>-at`.
    public var id: String
    /// Devpath of the USB device; removal is tracked by it.
    public var usbDevicePath: String

    /// Creates a device entry; ``ModemAssembler`` builds these from ``PortFacts``.
    public init(devnode: String?, ports: [ModemPort], vendorID: String, productID: String, manufacturer: String?,
                model: String?, serial: String?, kind: DeviceKind, id: String, usbDevicePath: String) {
        self.devnode = devnode
        self.ports = ports
        self.vendorID = vendorID
        self.productID = productID
        self.manufacturer = manufacturer
        self.model = model
        self.serial = serial
        self.kind = kind
        self.id = id
        self.usbDevicePath = usbDevicePath
    }

    enum CodingKeys: String, CodingKey {
        case devnode, ports, manufacturer, model, serial, kind, id
        case vendorID = "vendor_id", productID = "product_id", usbDevicePath = "usb_path"
    }

    /// Encodes absent values as `null` (never drops keys).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(devnode, forKey: .devnode)
        try container.encode(ports, forKey: .ports)
        try container.encode(vendorID, forKey: .vendorID)
        try container.encode(productID, forKey: .productID)
        try container.encode(manufacturer, forKey: .manufacturer)
        try container.encode(model, forKey: .model)
        try container.encode(serial, forKey: .serial)
        try container.encode(kind, forKey: .kind)
        try container.encode(id, forKey: .id)
        try container.encode(usbDevicePath, forKey: .usbDevicePath)
    }
}
