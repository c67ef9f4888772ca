/// The facts discovery classifies ports with. Written for SMSKit from public sources:
/// ModemManager's port-type udev rules (`77-mm-<vendor>-port-types.rules`, `77-mm-huawei-net-port-types.rules`,
/// `77-mm-usb-serial-adapters-greylist.rules`), the Linux `option`/`qcserial` drivers' interface layouts,
/// and the USB CDC class codes. See `docs/discovery.md` for how to extend it.
public enum ClassificationTable {
    /// Cellular modem vendors SMSKit knows. A device from one of these is a modem even when no
    /// port is classified yet (AT probing can then find the command port).
    public static let families: [ModemFamily] = [
        ModemFamily("12d1", "Huawei"),
        ModemFamily("19d2", "ZTE"),
        ModemFamily("2c7c", "Quectel"),
        ModemFamily("05c6", "Qualcomm/Quectel (legacy)"),
        ModemFamily("1e0e", "SIMCom"),
        ModemFamily("1199", "Sierra Wireless"),
        ModemFamily("1bc7", "Telit"),
        ModemFamily("1546", "u-blox"),
        ModemFamily("1e2d", "Cinterion"),
        ModemFamily("0681", "Siemens/Cinterion (legacy)"),
        ModemFamily("2cb7", "Fibocom"),
        ModemFamily("1508", "Fibocom (NL668-EAU)"),
        ModemFamily("1782", "Spreadtrum/UNISOC (Fibocom L610)"),
    ]

    /// Known per-model layouts (interface number → role).
    public static let layouts: [ModelLayout] = quectel + simcom + zte + telit + ublox + cinterion + sierra + fibocom

    /// Quectel LTE/5G modules (ModemManager's `77-mm-quectel-port-types.rules`): if00 DIAG/QCDM,
    /// if01 NMEA, if02 the primary AT port, if03 the secondary AT port (Quectel's "modem" port, which
    /// also carries PPP), if04+ network (not a tty). EM060K-GL in MBIM mode moves them to if03...05.
    static let quectel: [ModelLayout] = [
        ModelLayout("2c7c", ["0125", "0121", "0191", "0195", "0296", "0306", "0512", "0800", "0801"],
                    "Quectel EC25/EG25, EC21, EG91, EG95, BG96, EG06/EM06, EG12/EM12, RM500/RM502, RM520N",
                    ["00": .diag, "01": .gps, "02": .at, "03": .at], primary: "02"),
        ModelLayout("2c7c", ["0128"], "Quectel EM060K-GL (MBIM)", ["03": .diag, "04": .gps, "05": .at], primary: "05"),
    ]

    /// SIMCom (ModemManager's `77-mm-simtech-port-types.rules`): SIM7100/SIM7600 (9001) have a
    /// secondary AT port on if03; SIM7070/7080/7090 (9205, 9206) a PPP port; older rebrands.
    static let simcom: [ModelLayout] = [
        ModelLayout("1e0e", ["9001"], "SIMCom SIM7000/SIM7100/SIM7600",
                    ["00": .diag, "01": .gps, "02": .at, "03": .at, "04": .audio], primary: "02"),
        ModelLayout("1e0e", ["9205"], "SIMCom SIM7070/SIM7080/SIM7090",
                    ["00": .diag, "01": .gps, "02": .at, "03": .ppp], primary: "02"),
        ModelLayout("1e0e", ["9206"], "SIMCom SIM7070/SIM7080/SIM7090 (secondary layout)",
                    ["00": .diag, "01": .gps, "02": .at, "03": .unknown, "04": .unknown, "05": .ppp], primary: "02"),
        ModelLayout("1e0e", ["9011"], "SIMCom A7600E-H, A7602E-H", ["02": .unknown, "04": .at, "05": .ppp], primary: "04"),
        ModelLayout("1e0e", ["cefe"], "A-LINK 3GU", ["00": .at, "01": .at, "02": .at], primary: "02"),
        ModelLayout("1e0e", ["9100", "9200"], "Prolink PH-300, SCT UM300", ["01": .at, "03": .at], primary: "03"),
    ]

    /// ZTE sticks: one "modem" port (PPP) and one "aux" AT port per product.
    static let zte: [ModelLayout] = [
        zteLayout(["0001"], modem: "00", aux: "02"),
        zteLayout(["0002", "0012", "0024", "0025"], modem: "02", aux: "04"),
        zteLayout(["0003", "0004", "0005", "0006", "0007", "0008", "0009", "000a"], modem: "00", aux: "01"),
        zteLayout(["0015", "0030", "0054"], modem: "01", aux: "03"),
        zteLayout(["0016", "0017", "0018", "0019", "0117"], modem: "02", aux: "01"),
        zteLayout(["0021", "0031", "0037", "0039", "0042", "0052", "0057", "0058", "0061", "0063", "0066",
                   "0078", "0082", "0104", "0106", "0108", "0122", "0123", "1007", "1008", "1010", "1254",
                   "2002", "2003"], modem: "03", aux: "01"),
        zteLayout(["0033", "0091", "0113", "0118", "0121", "0124", "0126", "0128"], modem: "04", aux: "01"),
        zteLayout(["0043"], modem: "03", aux: "02"),
        zteLayout(["0048", "0049"], modem: "04", aux: "02"),
        zteLayout(["0055"], modem: "02", aux: "04"),
        zteLayout(["0064"], modem: "02", aux: "00"),
        zteLayout(["0125"], modem: "05", aux: "01"),
        zteLayout(["1515"], modem: "00", aux: "02"),
    ]

    static func zteLayout(_ products: Set<String>, modem: String, aux: String) -> ModelLayout {
        ModelLayout("19d2", products, "ZTE", [modem: .ppp, aux: .at], primary: aux)
    }

    /// Telit: the "modem" port carries PPP, the "aux" port is free for commands.
    static let telit: [ModelLayout] = [
        ModelLayout("1bc7", ["1003", "1006"], "Telit UC864-E/K/WD, CC864-SINGLE", ["00": .ppp, "02": .at], primary: "02"),
        ModelLayout("1bc7", ["1004", "1005"], "Telit UC864-G, CC864-DUAL",
                    ["00": .ppp, "02": .gps, "03": .at], primary: "03"),
        ModelLayout("1bc7", ["1010"], "Telit DE910-DUAL", ["01": .gps, "02": .at, "03": .ppp], primary: "02"),
        ModelLayout("1bc7", ["1011"], "Telit CE910-DUAL", ["01": .ppp]),
        ModelLayout("1bc7", ["0021"], "Telit HE910, UE910, UL865", ["00": .ppp, "06": .at], primary: "06"),
        // The LTE modules carry data on QMI/MBIM network interfaces, so their primary AT port is the
        // command port (ModemManager's `77-mm-telit-port-types.rules`; its ignored ports → unknown).
        ModelLayout("1bc7", ["1031", "1033"], "Telit LE910C1-EUX", ["00": .diag, "01": .at, "02": .at], primary: "01"),
        ModelLayout("1bc7", ["1040", "1050"], "Telit LE922, LM9x0, FN980",
                    ["00": .diag, "03": .unknown, "04": .at, "05": .at, "06": .unknown], primary: "04"),
        ModelLayout("1bc7", ["1041", "1051"], "Telit LE922, LM9x0, FN980 (MBIM)",
                    ["00": .diag, "04": .unknown, "05": .at, "06": .at, "07": .unknown], primary: "05"),
        ModelLayout("1bc7", ["1060", "1070", "1201"], "Telit LN920, FN990, LE910C1",
                    ["00": .diag, "03": .gps, "04": .at, "05": .at, "06": .unknown], primary: "04"),
        ModelLayout("1bc7", ["1061", "1071", "1204"], "Telit LN920, FN990, LE910C1 (MBIM)",
                    ["00": .diag, "04": .gps, "05": .at, "06": .at, "07": .unknown], primary: "05"),
    ]

    /// u-blox (ModemManager's `77-mm-ublox-port-types.rules`). The cdc_acm models show every port
    /// as CDC AT: primary/secondary/tertiary AT ports, then GNSS tunnel, SAP and logs, which
    /// ModemManager ignores. TOBY-L4's only command port is if06 (its if02 and if08 are ignored).
    /// LARA-R6 enumerates with Qualcomm's vendor ID: if00 is a diagnostic log, if03 unused.
    static let ublox: [ModelLayout] = [
        ModelLayout("1546", ["1102"], "u-blox LISA-U2, SARA-U2",
                    ["00": .at, "02": .at, "04": .at, "06": .gps, "08": .diag, "0a": .diag, "0c": .unknown],
                    primary: "00"),
        ModelLayout("1546", ["1104"], "u-blox LISA-U2, SARA-U2 (alternative configuration)",
                    ["00": .at, "02": .gps, "04": .diag, "06": .unknown], primary: "00"),
        ModelLayout("1546", ["1107", "110a"], "u-blox TOBY-R2, LARA-R2",
                    ["00": .at, "02": .at, "04": .at, "06": .gps, "08": .unknown, "0a": .diag], primary: "00"),
        ModelLayout("1546", ["1010"], "u-blox TOBY-L4", ["02": .unknown, "04": .diag, "06": .at, "08": .unknown],
                    primary: "06"),
        ModelLayout("05c6", ["908b"], "u-blox LARA-R6001, LARA-R6001D",
                    ["00": .diag, "01": .at, "02": .at, "03": .unknown], primary: "01"),
    ]

    /// Cinterion (ModemManager's `77-mm-cinterion-port-types.rules`): PHS8 has its NMEA port on if01.
    /// The cdc_acm models show every port as CDC AT (02/02/01), so the class alone would make their
    /// GNSS and diagnostic ports command ports: PLS8's if00 is the PPP port and if02 the primary; the
    /// PLS62, PLS63 and PLS83 have AT on if00 (primary) and if02, GNSS NMEA on if04 and DIAG/QCDM last
    /// (PLS62's if06 is an AT port ModemManager ignores).
    static let cinterion: [ModelLayout] = [
        ModelLayout("1e2d", ["0053"], "Cinterion PHS8", ["01": .gps]),
        ModelLayout("1e2d", ["0061"], "Cinterion PLS8",
                    ["00": .ppp, "02": .at, "04": .gps, "06": .unknown, "08": .unknown], primary: "02"),
        ModelLayout("1e2d", ["005b", "005d"], "Cinterion PLS62 (non-MBIM, MBIM)",
                    ["00": .at, "02": .at, "04": .gps, "06": .unknown, "08": .diag], primary: "00"),
        ModelLayout("1e2d", ["0069", "006f"], "Cinterion PLS63, PLS83",
                    ["00": .at, "02": .at, "04": .gps, "06": .diag], primary: "00"),
    ]

    /// Sierra Wireless (ModemManager's `77-mm-sierra.rules`). The qcserial modules (MC73xx/RC7611
    /// on 68c0, MC74xx on 9071, EM7455 on 9079, EM7565 on 9091) have DIAG/QCDM on if00, raw NMEA on
    /// if02 and the primary AT port on if03; other qcserial products follow the same convention (see
    /// ``PortClassifier``). The HL7812 is cdc_acm (every port CDC AT): AT primary on if00, the PPP
    /// port on if02, NMEA on if04. Older DirectIP products (`sierra` driver) have no fixed layout.
    static let sierra: [ModelLayout] = [
        ModelLayout("1199", ["68c0", "9071", "9079", "9091"], "Sierra Wireless MC73xx/RC7611, MC74xx, EM7455, EM7565",
                    ["00": .diag, "02": .gps, "03": .at], primary: "03"),
        ModelLayout("1199", ["c001"], "Sierra Wireless HL7812", ["00": .at, "02": .ppp, "04": .gps], primary: "00"),
    ]

    /// Fibocom (ModemManager's `77-mm-fibocom-port-types.rules`): ports ModemManager ignores (debug,
    /// NV, logging, ADB) are `unknown`, QCDM ports `diag`, primary and secondary AT ports `at`.
    /// The L850-GL is cdc_acm (its debug port if04 claims CDC AT too); the others are ttyUSB.
    static let fibocom: [ModelLayout] = [
        ModelLayout("2cb7", ["0007"], "Fibocom L850-GL", ["02": .at, "04": .unknown, "06": .at], primary: "02"),
        ModelLayout("2cb7", ["01a0"], "Fibocom NL668-AM", ["02": .at, "03": .at, "04": .unknown], primary: "02"),
        ModelLayout("2cb7", ["0104"], "Fibocom FM150", ["00": .diag, "01": .at, "02": .at, "03": .unknown], primary: "01"),
        ModelLayout("2cb7", ["01a2"], "Fibocom FM101-GL (MBIM)",
                    ["02": .at, "03": .unknown, "04": .unknown, "05": .unknown], primary: "02"),
        ModelLayout("2cb7", ["01a4"], "Fibocom FM101-GL (ADB)",
                    ["02": .unknown, "03": .at, "04": .unknown, "05": .unknown, "06": .unknown], primary: "03"),
        ModelLayout("2cb7", ["0115"], "Fibocom FM135 (MBIM)",
                    ["02": .unknown, "03": .at, "04": .unknown, "05": .unknown], primary: "03"),
        ModelLayout("2cb7", ["0106"], "Fibocom MA510-GL (GTUSBMODE=31)", ["00": .unknown, "01": .at, "02": .at],
                    primary: "01"),
        ModelLayout("2cb7", ["010a"], "Fibocom MA510-GL (GTUSBMODE=32)", ["00": .at, "01": .at], primary: "00"),
        ModelLayout("1508", ["1001"], "Fibocom NL668-EAU", ["00": .diag, "01": .at, "02": .at, "03": .at], primary: "01"),
        ModelLayout("1782", ["4d10"], "Fibocom L610 (GTUSBMODE=31)",
                    ["00": .at, "01": .unknown, "02": .unknown, "03": .unknown, "04": .unknown, "05": .at, "06": .at],
                    primary: "00"),
        ModelLayout("1782", ["4d11"], "Fibocom L610 (GTUSBMODE=32/33, ECM/RNDIS)",
                    ["02": .at, "03": .unknown, "04": .unknown, "05": .unknown, "06": .unknown, "07": .at, "08": .at],
                    primary: "02"),
    ]

    /// `vendor:product` pairs of GNSS receivers from modem vendors: u-blox's USB GPS/GNSS receivers,
    /// which ModemManager ignores as whole devices (`ID_MM_DEVICE_IGNORE`). Every port streams
    /// NMEA/UBX: they are never modems and never probed.
    public static let gnssReceivers: Set<String> = [
        "1546:01a5", "1546:01a6", "1546:01a7", "1546:01a8", "1546:01a9",
    ]

    /// Generic USB-serial bridges (vendor, or vendor:product). ModemManager greylists these for
    /// manual scan only; SMSKit never calls them modems.
    public static let serialAdapterVendors: Set<String> = [
        "0403", // FTDI
        "067b", // Prolific PL2303
        "04d8", // Microchip (MCP2200 and friends)
        "0711", // Magic Control Technology
    ]

    /// `vendor:product` pairs of USB-serial bridges from vendors that also make other things.
    public static let serialAdapterProducts: Set<String> = [
        "10c4:ea60", "10c4:ea70", "10c4:ea71", "10c4:ea80", // Silicon Labs CP210x
        "1a86:7523", "1a86:5523", "1a86:55d4", "1a86:7522", // QinHeng CH340/CH341/CH9102
        "0557:2008", // ATEN UC-232A (Prolific)
        "050d:0103", // Belkin F5U183
        "03eb:204b", // Atmel LUFA USB-serial (Arduino)
        "0525:a4a7", // Linux USB serial gadget (CDC ACM)
    ]

    /// Kernel drivers that only ever bind USB-serial bridges.
    public static let serialAdapterDrivers: Set<String> = [
        "ftdi_sio", "cp210x", "ch341", "pl2303", "mct_u232", "ark3116", "belkin_sa", "io_ti", "keyspan",
    ]
}
