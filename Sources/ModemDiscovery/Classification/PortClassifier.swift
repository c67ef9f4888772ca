/// Pure classification of ports and devices from ``ClassificationTable``. No I/O: unit-testable
/// with hand-made ``PortFacts``.
///
/// ```swift
/// PortClassifier.role(of: facts)            // .at for a Quectel EC25's interface 02
/// PortClassifier.isSerialAdapter(vendorID: "0403", productID: "6001", driver: "ftdi_sio") // true
/// ```
public enum PortClassifier {
    /// True for generic USB-serial bridges (FTDI, CP210x, CH340, PL2303, ...), by vendor, product or driver.
    public static func isSerialAdapter(vendorID: String, productID: String, driver: String?) -> Bool {
        if ClassificationTable.serialAdapterVendors.contains(vendorID) { return true }
        if ClassificationTable.serialAdapterProducts.contains("\(vendorID):\(productID)") { return true }
        if let driver, ClassificationTable.serialAdapterDrivers.contains(driver) { return true }
        return false
    }

    /// True for the GNSS receivers of modem vendors (``ClassificationTable/gnssReceivers``).
    public static func isGNSSReceiver(vendorID: String, productID: String) -> Bool {
        ClassificationTable.gnssReceivers.contains("\(vendorID):\(productID)")
    }

    /// The known modem family for a vendor ID, if any.
    public static func family(vendorID: String) -> ModemFamily? {
        ClassificationTable.families.first { $0.vendorID == vendorID }
    }

    /// The per-model layout for a vendor/product pair, if the table has one.
    public static func layout(vendorID: String, productID: String) -> ModelLayout? {
        ClassificationTable.layouts.first { $0.vendorID == vendorID && $0.productIDs.contains(productID) }
    }

    /// The role of one port: serial adapters are `unknown` and GNSS receivers `gps`; then the model
    /// layout, vendor conventions, and the USB class triple.
    public static func role(of port: PortFacts) -> PortRole {
        if isSerialAdapter(vendorID: port.vendorID, productID: port.productID, driver: port.driver) { return .unknown }
        if isGNSSReceiver(vendorID: port.vendorID, productID: port.productID) { return .gps }
        if let layout = layout(vendorID: port.vendorID, productID: port.productID),
           let number = port.interfaceNumber, let role = layout.roles[number] {
            return role
        }
        if let role = vendorConventionRole(of: port) { return role }
        if let triple = port.interfaceClass, let role = classRole(triple) { return role }
        return .unknown
    }

    /// Roles that follow from a vendor's conventions rather than a model table.
    static func vendorConventionRole(of port: PortFacts) -> PortRole? {
        switch port.vendorID {
        case "12d1": return huaweiRole(of: port)
        case "1199" where port.driver == "qcserial":
            // qcserial's Sierra layout: if00 DM, if02 NMEA, if03 AT/modem.
            return ["00": PortRole.diag, "02": .gps, "03": .at][port.interfaceNumber ?? ""]
        default: return nil
        }
    }

    /// Huawei marks each vendor-specific interface with a protocol code: 01/10 modem (PPP),
    /// 02/12 PCUI (AT), 03/13 DIAG, 05/14 GPS. Older sticks use ff/ff/ff everywhere: then the
    /// modem is interface 00 and the PCUI interface 02.
    static func huaweiRole(of port: PortFacts) -> PortRole? {
        guard let triple = port.interfaceClass, triple.interfaceClass == 0xff else { return nil }
        if triple.subclass == 0xff && triple.protocol == 0xff {
            return ["00": PortRole.ppp, "02": .at][port.interfaceNumber ?? ""]
        }
        switch triple.protocol {
        case 0x01, 0x10: return .ppp
        case 0x02, 0x12: return .at
        case 0x03, 0x13: return .diag
        case 0x05, 0x14: return .gps
        default: return nil
        }
    }

    /// USB CDC: Communications class 02, ACM subclass 02, protocols 01...06 are AT command sets
    /// (V.250, PCCA-101, GSM 07.07, 3GPP 27.007, TIA CDMA).
    public static func classRole(_ triple: USBInterfaceClass) -> PortRole? {
        if triple.interfaceClass == 0x02, triple.subclass == 0x02, (0x01...0x06).contains(triple.protocol) {
            return .at
        }
        return nil
    }

    /// What a USB device is, from its ports' facts and roles.
    public static func kind(of ports: [PortFacts], roles: [PortRole]) -> DeviceKind {
        guard let first = ports.first else { return .unknown }
        if ports.contains(where: { isSerialAdapter(vendorID: $0.vendorID, productID: $0.productID, driver: $0.driver) }) {
            return .serialAdapter
        }
        if isGNSSReceiver(vendorID: first.vendorID, productID: first.productID) { return .unknown }
        if family(vendorID: first.vendorID) != nil { return .modem }
        if roles.contains(where: { $0 == .at || $0 == .ppp }) { return .modem }
        return .unknown
    }
}
