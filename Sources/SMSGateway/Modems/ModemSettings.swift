import ATModem

/// Per-modem settings from the command line or the config file.
public struct ModemSettings: Sendable, Equatable {
    /// The tty to open.
    public var port: String
    /// SIM PIN (never logged).
    public var pin: String?
    /// The SIM's number when `AT+CNUM` does not know it.
    public var number: String?
    /// Parts per minute this modem may send (nil: no limit).
    public var ratePerMinute: Int?
    /// Parts per UTC day (nil: no cap). At the cap, other modems take the queue.
    public var dailyCap: Int?

    public init(port: String, pin: String? = nil, number: String? = nil, ratePerMinute: Int? = nil, dailyCap: Int? = nil) {
        self.port = port
        self.pin = pin
        self.number = number
        self.ratePerMinute = ratePerMinute
        self.dailyCap = dailyCap
    }
}
