@testable import ModemDiscovery

/// Builds hand-made ``PortFacts`` for pure tests.
func port(_ vendor: String, _ product: String, _ interface: String?, _ triple: USBInterfaceClass? = nil,
          driver: String? = "option", node: String? = nil, usb: String = "/devices/usb1/1-1",
          serial: String? = nil, ignored: Bool = false) -> PortFacts {
    let devnode = node ?? "/dev/ttyUSB\(Int(interface ?? "0", radix: 16) ?? 0)"
    return PortFacts(devnode: devnode, devpath: usb + "/if\(interface ?? "-")/tty/" + (devnode.split(separator: "/").last.map(String.init) ?? ""),
                     usbDevicePath: usb, interfaceNumber: interface, interfaceClass: triple, driver: driver,
                     vendorID: vendor, productID: product, manufacturer: "Maker", model: "Model", serial: serial,
                     ignored: ignored)
}

let vendorSpecific = USBInterfaceClass(0xff, 0xff, 0xff)
let cdcAT = USBInterfaceClass(0x02, 0x02, 0x01)
