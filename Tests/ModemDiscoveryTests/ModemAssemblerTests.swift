import Foundation
import Testing
@testable import ModemDiscovery

@Suite("Grouping ports into modems")
struct ModemAssemblerTests {
    let ec25 = ["00", "01", "02", "03"].map { port("2c7c", "0125", $0, vendorSpecific, usb: "/usb1/1-3", serial: "EC25") }

    @Test("One modem per USB device, primary AT port from the layout")
    func groupsAndPicksPrimary() throws {
        let sim = ["00", "01", "02", "03", "04"].map {
            port("1e0e", "9001", $0, vendorSpecific, node: "/dev/ttyUSB\(10 + (Int($0) ?? 0))", usb: "/usb1/1-4")
        }
        let modems = ModemAssembler.assemble(ec25 + sim)
        #expect(modems.count == 2)
        #expect(modems.map(\.devnode) == ["/dev/ttyUSB2", "/dev/ttyUSB12"])
        #expect(modems[0].ports.map(\.role) == [.diag, .gps, .at, .at])
        #expect(modems[1].ports.map(\.interface) == ["00", "01", "02", "03", "04"])
    }

    @Test("Ignored ports are dropped and the primary moves to the next AT port")
    func ignoredPort() throws {
        let ports = ["00", "02", "04"].map { port("1546", "110a", $0, cdcAT, driver: "cdc_acm", ignored: $0 == "00") }
        let modem = try #require(ModemAssembler.assemble(ports).first)
        #expect(modem.devnode == "/dev/ttyUSB2")
        #expect(modem.ports.count == 2)
    }

    @Test("Without any AT port the PPP port is used; with neither there is no primary")
    func fallbackPrimary() throws {
        let pppOnly = try #require(ModemAssembler.assemble([port("1bc7", "1011", "01", vendorSpecific)]).first)
        #expect(pppOnly.devnode == "/dev/ttyUSB1")
        let nothing = try #require(ModemAssembler.assemble([port("1e2d", "0053", "01", vendorSpecific)]).first)
        #expect(nothing.kind == .modem)
        #expect(nothing.devnode == nil)
    }

    @Test("A probed unknown port becomes the AT port; adapters are never promoted")
    func probedPromotion() throws {
        let unknown = port("2341", "0043", "00", USBInterfaceClass(2, 2, 0), driver: "cdc_acm", node: "/dev/ttyACM0")
        #expect(ModemAssembler.assemble([unknown]).first?.kind == .unknown)
        let promoted = try #require(ModemAssembler.assemble([unknown], probed: ["/dev/ttyACM0"]).first)
        #expect(promoted.kind == .modem)
        #expect(promoted.devnode == "/dev/ttyACM0")
        let ftdi = port("0403", "6001", "00", vendorSpecific, driver: "ftdi_sio")
        let adapter = try #require(ModemAssembler.assemble([ftdi], probed: [ftdi.devnode]).first)
        #expect(adapter.kind == .serialAdapter)
        #expect(adapter.devnode == nil)
    }

    @Test("Stable IDs: USB serial (udev's character set) else the USB port path")
    func stableIDs() {
        #expect(ModemAssembler.stableID(serial: "ABC123", usbDevicePath: "/usb1/1-3") == "ABC123")
        #expect(ModemAssembler.stableID(serial: "a b/c", usbDevicePath: "/usb1/1-3") == "a_b_c")
        #expect(ModemAssembler.stableID(serial: nil, usbDevicePath: "/devices/pci/usb1/1-3.2") == "usb-1-3.2")
        #expect(ModemAssembler.stableID(serial: "", usbDevicePath: "/usb1/2-1") == "usb-2-1")
    }

    @Test("Natural order of device nodes")
    func naturalOrder() {
        let nodes = ["/dev/ttyUSB11", "/dev/ttyUSB2", "/dev/ttyACM0", "/dev/ttyUSB10", "/dev/ttyUSB1"]
        #expect(nodes.sorted(by: ModemAssembler.naturalLess)
                == ["/dev/ttyACM0", "/dev/ttyUSB1", "/dev/ttyUSB2", "/dev/ttyUSB10", "/dev/ttyUSB11"])
    }

    @Test("JSON has every key, null for missing values, snake_case IDs")
    func jsonShape() throws {
        let modem = try #require(ModemAssembler.assemble([port("12d1", "1436", nil, nil)]).first)
        let data = try JSONEncoder().encode([modem])
        let array = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let object = try #require(array.first)
        for key in ["devnode", "ports", "vendor_id", "product_id", "manufacturer", "model", "serial"] {
            #expect(object.keys.contains(key), "missing \(key)")
        }
        #expect(object["serial"] is NSNull)
        #expect(object["devnode"] is NSNull)
        let ports = try #require(object["ports"] as? [[String: Any]])
        #expect(ports.first?["interface"] is NSNull)
        #expect(object["vendor_id"] as? String == "12d1")
    }
}
