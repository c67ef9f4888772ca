/// What a USB device with serial ports is, as far as discovery can tell.
public enum DeviceKind: String, Sendable, Codable {
    /// A cellular modem (known family, an AT-capable CDC interface, or it answered `AT`).
    case modem
    /// A generic USB-serial bridge (FTDI, CP210x, CH340, PL2303, ...). Never treated as a modem.
    case serialAdapter = "serial-adapter"
    /// Serial ports whose purpose is unknown; `--probe` may promote it to a modem.
    case unknown
}
