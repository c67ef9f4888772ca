import Testing
@testable import ModemDiscovery

@Suite("Port classification table")
struct PortClassifierTests {
    @Test("Quectel EC25 layout: diag, gps, at, at (secondary)", arguments: [("00", PortRole.diag), ("01", .gps), ("02", .at), ("03", .at)])
    func quectel(interface: String, role: PortRole) {
        #expect(PortClassifier.role(of: port("2c7c", "0125", interface, vendorSpecific)) == role)
    }

    @Test("SIMCom SIM7600 layout includes the audio port", arguments: [("00", PortRole.diag), ("01", .gps), ("02", .at), ("03", .at), ("04", .audio)])
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

    /// Roles of `interfaces` of one product, as ModemManager's rules give them.
    func roles(_ vendor: String, _ product: String, _ interfaces: [String], _ triple: USBInterfaceClass = vendorSpecific,
               driver: String = "option") -> [PortRole] {
        interfaces.map { PortClassifier.role(of: port(vendor, product, $0, triple, driver: driver)) }
    }

    /// The primary AT interface the table names for a product.
    func primary(_ vendor: String, _ product: String) -> String? {
        PortClassifier.layout(vendorID: vendor, productID: product)?.primary
    }

    @Test("Quectel (77-mm-quectel-port-types.rules): QCDM, NMEA, AT primary, AT secondary; EM060K-GL MBIM on 03...05")
    func quectelModels() {
        for product in ["0125", "0121", "0191", "0195", "0296", "0306", "0512", "0800", "0801"] {
            #expect(roles("2c7c", product, ["00", "01", "02", "03"]) == [.diag, .gps, .at, .at], "2c7c:\(product)")
            #expect(primary("2c7c", product) == "02", "2c7c:\(product)")
        }
        #expect(roles("2c7c", "0128", ["03", "04", "05"]) == [.diag, .gps, .at])
        #expect(primary("2c7c", "0128") == "05")
    }

    @Test("SIMCom (77-mm-simtech-port-types.rules): SIM7600 secondary AT, SIM7080 ignored ports, A7600E-H")
    func simcomModels() {
        #expect(roles("1e0e", "9206", ["00", "01", "02", "03", "04", "05"]) == [.diag, .gps, .at, .unknown, .unknown, .ppp])
        #expect(roles("1e0e", "9011", ["02", "04", "05"]) == [.unknown, .at, .ppp])
        #expect(primary("1e0e", "9011") == "04")
    }

    @Test("Sierra Wireless (77-mm-sierra.rules): MC73xx/RC7611, MC74xx, EM7455, EM7565 whatever the driver; HL7812 on cdc_acm")
    func sierraModels() {
        for product in ["68c0", "9071", "9079", "9091"] {
            // Layout, not the qcserial convention: a driver name umockdev or a rebind may not show.
            #expect(roles("1199", product, ["00", "02", "03"], driver: "usbserial_generic") == [.diag, .gps, .at], "1199:\(product)")
            #expect(primary("1199", product) == "03")
        }
        #expect(roles("1199", "c001", ["00", "02", "04"], cdcAT, driver: "cdc_acm") == [.at, .ppp, .gps])
        #expect(primary("1199", "c001") == "00")
    }

    @Test("Fibocom (77-mm-fibocom-port-types.rules): ignored debug, NV and log ports are not AT")
    func fibocomModels() {
        #expect(roles("2cb7", "0007", ["02", "04", "06"], cdcAT, driver: "cdc_acm") == [.at, .unknown, .at])  // L850-GL
        #expect(roles("2cb7", "01a0", ["02", "03", "04"]) == [.at, .at, .unknown])                        // NL668-AM
        #expect(roles("2cb7", "0104", ["00", "01", "02", "03"]) == [.diag, .at, .at, .unknown])           // FM150
        #expect(roles("2cb7", "01a2", ["02", "03", "04", "05"]) == [.at, .unknown, .unknown, .unknown])   // FM101-GL MBIM
        #expect(roles("2cb7", "01a4", ["02", "03", "04", "05", "06"]) == [.unknown, .at, .unknown, .unknown, .unknown])
        #expect(roles("2cb7", "0115", ["02", "03", "04", "05"]) == [.unknown, .at, .unknown, .unknown])   // FM135
        #expect(roles("2cb7", "0106", ["00", "01", "02"]) == [.unknown, .at, .at])                        // MA510-GL 31
        #expect(roles("2cb7", "010a", ["00", "01"]) == [.at, .at])                                        // MA510-GL 32
        #expect(roles("1508", "1001", ["00", "01", "02", "03"]) == [.diag, .at, .at, .at])                // NL668-EAU
        #expect(roles("1782", "4d10", ["00", "01", "02", "03", "04", "05", "06"])
                == [.at, .unknown, .unknown, .unknown, .unknown, .at, .at])                                // L610
        #expect(roles("1782", "4d11", ["02", "03", "04", "05", "06", "07", "08"])
                == [.at, .unknown, .unknown, .unknown, .unknown, .at, .at])                                // L610 ECM/RNDIS
        let primaries = [("2cb7", "0007", "02"), ("2cb7", "01a0", "02"), ("2cb7", "0104", "01"), ("2cb7", "01a4", "03"),
                         ("2cb7", "0115", "03"), ("2cb7", "0106", "01"), ("2cb7", "010a", "00"), ("1508", "1001", "01"),
                         ("1782", "4d10", "00"), ("1782", "4d11", "02")]
        for (vendor, product, interface) in primaries {
            #expect(primary(vendor, product) == interface, "\(vendor):\(product)")
        }
        for vendor in ["2cb7", "1508", "1782"] { #expect(PortClassifier.family(vendorID: vendor) != nil, "\(vendor)") }
    }

    @Test("Huawei ME909s (12d1:15c1) and ME909u/MU609 (12d1:1573): the interface protocol decides, as in ModemManager")
    func huaweiME909() {
        // ModemManager has no per-product ports for them: 77-mm-huawei-net-port-types.rules marks ff/01|02/01 as
        // the PPP port, ff/01|02/02 as the primary AT port and ff/01|06/14 as GPS; newer firmware uses the 1x codes.
        let me909s: [(UInt8, UInt8, PortRole)] = [(0x06, 0x10, .ppp), (0x06, 0x12, .at), (0x06, 0x13, .diag), (0x06, 0x14, .gps)]
        for (subclass, proto, role) in me909s {
            #expect(PortClassifier.role(of: port("12d1", "15c1", "00", USBInterfaceClass(0xff, subclass, proto))) == role)
        }
        let me909u: [(UInt8, UInt8, PortRole)] = [(0x01, 0x01, .ppp), (0x01, 0x02, .at), (0x01, 0x05, .gps), (0x02, 0x01, .ppp), (0x02, 0x02, .at)]
        for (subclass, proto, role) in me909u {
            #expect(PortClassifier.role(of: port("12d1", "1573", "00", USBInterfaceClass(0xff, subclass, proto))) == role)
        }
    }

    @Test("u-blox (77-mm-ublox-port-types.rules): TOBY-L4 ignored ports, LISA-U2 alternative layout, LARA-R6 on 05c6")
    func ubloxModels() {
        #expect(roles("1546", "1010", ["02", "04", "06", "08"], cdcAT, driver: "cdc_acm") == [.unknown, .diag, .at, .unknown])
        #expect(roles("1546", "1104", ["00", "02", "04", "06"], cdcAT, driver: "cdc_acm") == [.at, .gps, .diag, .unknown])
        #expect(roles("1546", "1102", ["00", "02", "04", "06", "08", "0a", "0c"], cdcAT, driver: "cdc_acm")
                == [.at, .at, .at, .gps, .diag, .diag, .unknown])
        #expect(roles("05c6", "908b", ["00", "01", "02", "03"]) == [.diag, .at, .at, .unknown])
        #expect(primary("05c6", "908b") == "01")
    }

    @Test("u-blox GNSS receivers (ID_MM_DEVICE_IGNORE): every port is GPS and the device is no modem")
    func ubloxGNSSReceivers() {
        for product in ["01a5", "01a6", "01a7", "01a8", "01a9"] {
            let facts = port("1546", product, "00", cdcAT, driver: "cdc_acm")
            #expect(PortClassifier.role(of: facts) == .gps)
            #expect(PortClassifier.kind(of: [facts], roles: [.gps]) == .unknown)
        }
        let devices = ModemAssembler.assemble([port("1546", "01a8", "00", cdcAT, driver: "cdc_acm", node: "/dev/ttyACM0")])
        #expect(ModemDiscovery.probeCandidates(devices).isEmpty, "a GNSS receiver is never probed")
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
