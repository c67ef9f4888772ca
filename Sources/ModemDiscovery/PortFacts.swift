/// Everything discovery learns about one tty from udev/sysfs, copied out of libudev so it can
/// cross threads. Pure value: the classifier and assembler work on these, so tests can build them
/// by hand.
public struct PortFacts: Sendable, Hashable {
    /// Kernel device node, e.g. `/dev/ttyUSB2`.
    public var devnode: String
    /// The tty's devpath (sysfs path without `/sys`), used to track removal.
    public var devpath: String
    /// Devpath of the USB device (not interface) the port belongs to; groups ports of one modem.
    public var usbDevicePath: String
    /// `bInterfaceNumber` as udev's two hex digits ("02"); nil when unknown.
    public var interfaceNumber: String?
    /// `bInterfaceClass/SubClass/Protocol` of the port's interface.
    public var interfaceClass: USBInterfaceClass?
    /// Kernel driver bound to the USB interface (`option`, `qcserial`, `cdc_acm`, `ftdi_sio`, ...).
    public var driver: String?
    /// 4 lowercase hex digits.
    public var vendorID: String
    /// 4 lowercase hex digits.
    public var productID: String
    /// USB `manufacturer` string.
    public var manufacturer: String?
    /// USB `product` string.
    public var model: String?
    /// USB serial number, nil when the device has none.
    public var serial: String?
    /// True when the port or its USB device carries `SMSKIT_IGNORE=1`.
    public var ignored: Bool

    /// Creates facts for one port; see the property docs for the formats.
    public init(devnode: String, devpath: String, usbDevicePath: String, interfaceNumber: String?,
                interfaceClass: USBInterfaceClass?, driver: String?, vendorID: String, productID: String,
                manufacturer: String? = nil, model: String? = nil, serial: String? = nil, ignored: Bool = false) {
        self.devnode = devnode
        self.devpath = devpath
        self.usbDevicePath = usbDevicePath
        self.interfaceNumber = interfaceNumber
        self.interfaceClass = interfaceClass
        self.driver = driver
        self.vendorID = vendorID
        self.productID = productID
        self.manufacturer = manufacturer
        self.model = model
        self.serial = serial
        self.ignored = ignored
    }
}
