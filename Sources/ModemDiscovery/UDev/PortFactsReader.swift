import Foundation

/// Turns libudev tty devices into ``PortFacts`` by walking up to their USB interface and device.
enum PortFactsReader {
    /// Facts for a tty device, or nil when it is not on USB (e.g. `ttyS0`, `pts`) or has no node.
    static func facts(for tty: UDevDevice) -> PortFacts? {
        guard let devnode = tty.devnode, let devpath = tty.devpath,
              let usbDevice = tty.parent(subsystem: "usb", devtype: "usb_device"),
              let usbDevicePath = usbDevice.devpath,
              let vendorID = HexID.usbID(usbDevice.attribute("idVendor")),
              let productID = HexID.usbID(usbDevice.attribute("idProduct")) else { return nil }
        let interface = tty.parent(subsystem: "usb", devtype: "usb_interface")
        let ignored = isIgnoreTag(tty.property("SMSKIT_IGNORE")) || isIgnoreTag(usbDevice.property("SMSKIT_IGNORE"))
            || isIgnoreTag(interface?.property("SMSKIT_IGNORE"))
        return PortFacts(
            devnode: devnode, devpath: devpath, usbDevicePath: usbDevicePath,
            interfaceNumber: HexID.interfaceNumber(interface?.attribute("bInterfaceNumber")),
            interfaceClass: USBInterfaceClass(hexClass: interface?.attribute("bInterfaceClass"),
                                              subclass: interface?.attribute("bInterfaceSubClass"),
                                              protocol: interface?.attribute("bInterfaceProtocol")),
            driver: interface?.driver ?? interface?.property("DRIVER"),
            vendorID: vendorID, productID: productID,
            manufacturer: usbDevice.attribute("manufacturer"), model: usbDevice.attribute("product"),
            serial: usbDevice.attribute("serial"), ignored: ignored)
    }

    /// `SMSKIT_IGNORE` counts when it is "1", "true" or "yes".
    static func isIgnoreTag(_ value: String?) -> Bool {
        guard let value else { return false }
        return ["1", "true", "yes"].contains(value.lowercased())
    }

    /// Facts for every USB tty currently present.
    static func scanAll(context: UDevContext) throws(DiscoveryError) -> [PortFacts] {
        try context.syspaths(subsystem: "tty").compactMap { path in
            context.device(syspath: path).flatMap(facts(for:))
        }
    }
}
