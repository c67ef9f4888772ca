import Testing
@testable import ModemDiscovery

@Suite("Port classification table")
struct PortClassifierTests {
    @Test("Quectel EC25 layout: diag, gps, at, ppp", arguments: [("00", PortRole.diag), ("01", .gps), ("02", .at), ("03", .ppp)])
    func quectel(interface: String, role: PortRole) {
        #expect(PortClassifier.role(of: port("2c7c", "0125", interface, vendorSpecific)) == role)
    }

    @Test("SIMCom SIM7600 layout includes the audio port", arguments: [("00", PortRole.diag), ("01", .gps), ("02", .at), ("03", .ppp), ("04", .audio)])
    func simcom(interface: String, role: PortRole) {
        #expect(PortClassifier.role(of: port("1e0e", "9001", interface, vendorSpecific)) == role)
    }

    @Test("Huawei interface protocol codes decide the role")
    func huaweiProtocols() {
        let cases: [(UInt8, UInt8, PortRole)] = [(0x02, 0x01, .ppp), (0x02, 0x02, .at), (0x01, 0x02, .at),
                                                 (0x03, 0x12, .at), (0x03, 0x10, .ppp), (0x01, 0x05, .gps),
                                                 (0x01, 0x14, .gps), (0x02, 0x13, .diag), (0x02, 0x16, .unknown)]
        for (subclass, proto, role) in cases {
            let facts = port("12d1", "1506", "00", USBInterfaceClass(0xff, subclass, proto))
            #expect(PortClassifier.role(of: facts) == role, "ff/\(subclass)/\(proto)")
        }
    }

    @Test("Old Huawei sticks with ff/ff/ff: modem on 00, PCUI on 02")
    func huaweiLegacy() {
        #expect(PortClassifier.role(of: port("12d1", "1436", "00", vendorSpecific)) == .ppp)
        #expect(PortClassifier.role(of: port("12d1", "1436", "01", vendorSpecific)) == .unknown)
        #expect(PortClassifier.role(of: port("12d1", "1436", "02", vendorSpecific)) == .at)
    }

    @Test("ZTE: aux port is AT, modem port is PPP")
    func zte() {
        #expect(PortClassifier.role(of: port("19d2", "0117", "01", vendorSpecific)) == .at)
        #expect(PortClassifier.role(of: port("19d2", "0117", "02", vendorSpecific)) == .ppp)
        #expect(PortClassifier.role(of: port("19d2", "0031", "03", vendorSpecific)) == .ppp)
        #expect(PortClassifier.role(of: port("19d2", "0031", "01", vendorSpecific)) == .at)
    }

    @Test("Telit, u-blox and Cinterion table entries")
    func otherFamilies() {
        #expect(PortClassifier.role(of: port("1bc7", "0021", "06", cdcAT, driver: "cdc_acm")) == .at)
        #expect(PortClassifier.role(of: port("1bc7", "0021", "00", cdcAT, driver: "cdc_acm")) == .ppp)
        #expect(PortClassifier.role(of: port("1546", "110a", "06", cdcAT, driver: "cdc_acm")) == .gps)
        #expect(PortClassifier.role(of: port("1546", "1010", "06", cdcAT, driver: "cdc_acm")) == .at)
        #expect(PortClassifier.role(of: port("1e2d", "0053", "01", vendorSpecific)) == .gps)
    }

    @Test("Telit LTE modules (LE910C1, LE922, LN920, FN980, FN990): DIAG, GNSS and ignored ports are not AT")
    func telitLTE() {
        let roles = { (product: String) in
            ["00", "03", "04", "05", "06", "07"].map { PortClassifier.role(of: port("1bc7", product, $0, vendorSpecific)) }
        }
        #expect(roles("1060") == [.diag, .gps, .at, .at, .unknown, .unknown])  // LN920 (07: not in its layout)
        #expect(roles("1071") == [.diag, .unknown, .gps, .at, .at, .unknown])  // FN990 MBIM (03: not in its layout)
        #expect(roles("1040") == [.diag, .unknown, .at, .at, .unknown, .unknown])
        #expect(PortClassifier.role(of: port("1bc7", "1031", "01", vendorSpecific)) == .at)
        #expect(PortClassifier.role(of: port("1bc7", "1031", "00", vendorSpecific)) == .diag)
    }

    @Test("Cinterion cdc_acm models: every port is CDC AT, the layout tells GNSS and DIAG apart")
    func cinterionCDC() {
        let roles = { (product: String) in
            ["00", "02", "04", "06", "08"].map { PortClassifier.role(of: port("1e2d", product, $0, cdcAT, driver: "cdc_acm")) }
        }
        #expect(roles("0069") == [.at, .at, .gps, .diag, .at])        // PLS63 (if08 does not exist: class fallback)
        #expect(roles("006f") == [.at, .at, .gps, .diag, .at])        // PLS83
        #expect(roles("005b") == [.at, .at, .gps, .unknown, .diag])   // PLS62
        #expect(roles("0061") == [.ppp, .at, .gps, .unknown, .unknown]) // PLS8
    }

    @Test("Sierra qcserial layout: DM, NMEA, AT")
    func sierra() {
        #expect(PortClassifier.role(of: port("1199", "68c0", "00", vendorSpecific, driver: "qcserial")) == .diag)
        #expect(PortClassifier.role(of: port("1199", "68c0", "02", vendorSpecific, driver: "qcserial")) == .gps)
        #expect(PortClassifier.role(of: port("1199", "68c0", "03", vendorSpecific, driver: "qcserial")) == .at)
        #expect(PortClassifier.role(of: port("1199", "0fff", "03", vendorSpecific, driver: "sierra")) == .unknown)
    }

    @Test("CDC ACM class fallback: 02/02/01-06 is AT, 02/02/00 is not")
    func cdcFallback() {
        for proto in UInt8(1)...6 {
            #expect(PortClassifier.classRole(USBInterfaceClass(0x02, 0x02, proto)) == .at)
        }
        #expect(PortClassifier.classRole(USBInterfaceClass(0x02, 0x02, 0x00)) == nil)
        #expect(PortClassifier.classRole(USBInterfaceClass(0x02, 0x02, 0xff)) == nil)
        #expect(PortClassifier.role(of: port("abcd", "0001", "00", cdcAT, driver: "cdc_acm")) == .at)
    }

    @Test("Serial adapters are never modems, even with a CDC AT interface",
          arguments: [("0403", "6001", "ftdi_sio"), ("10c4", "ea60", "cp210x"), ("1a86", "7523", "ch341"),
                      ("067b", "2303", "pl2303"), ("9999", "0001", "ftdi_sio")])
    func adapters(vendor: String, product: String, driver: String) {
        let facts = port(vendor, product, "00", cdcAT, driver: driver)
        #expect(PortClassifier.isSerialAdapter(vendorID: vendor, productID: product, driver: driver))
        #expect(PortClassifier.role(of: facts) == .unknown)
        #expect(PortClassifier.kind(of: [facts], roles: [.at]) == .serialAdapter)
    }

    @Test("Device kind: known family is a modem; unknown vendor needs an AT-capable port")
    func kinds() {
        #expect(PortClassifier.kind(of: [port("1e2d", "9999", "00", vendorSpecific)], roles: [.unknown]) == .modem)
        #expect(PortClassifier.kind(of: [port("2341", "0043", "00", USBInterfaceClass(2, 2, 0), driver: "cdc_acm")],
                                    roles: [.unknown]) == .unknown)
        #expect(PortClassifier.kind(of: [port("abcd", "0001", "00", cdcAT, driver: "cdc_acm")], roles: [.at]) == .modem)
        #expect(PortClassifier.kind(of: [], roles: []) == .unknown)
    }

    @Test("Table sanity: every layout's primary is an AT port; IDs are 4 lowercase hex digits")
    func tableSanity() {
        for layout in ClassificationTable.layouts {
            if let primary = layout.primary { #expect(layout.roles[primary] == .at, "\(layout.name)") }
            for id in [layout.vendorID] + Array(layout.productIDs) {
                #expect(HexID.usbID(id) == id, "\(layout.name): \(id)")
            }
            #expect(PortClassifier.family(vendorID: layout.vendorID) != nil, "\(layout.name) vendor has a family")
        }
    }

    @Test("Hex parsing of sysfs values")
    func hex() {
        #expect(HexID.usbID("12D1\n") == "12d1")
        #expect(HexID.usbID("12d") == nil)
        #expect(HexID.usbID("zzzz") == nil)
        #expect(HexID.interfaceNumber("2") == "02")
        #expect(HexID.interfaceNumber("0a") == "0a")
        #expect(HexID.interfaceNumber("1ff") == nil)
        #expect(USBInterfaceClass(hexClass: "ff", subclass: "02", protocol: "12") == USBInterfaceClass(0xff, 2, 0x12))
        #expect(USBInterfaceClass(hexClass: "ff", subclass: nil, protocol: "12") == nil)
    }
}
