import SerialPort

extension Modem {
    /// How a ``Modem`` opens, initialises and behaves.
    ///
    /// ```swift
    /// let modem = try await Modem(port: "/dev/ttyUSB2", configuration: .init(pin: "1234"))
    /// ```
    public struct Configuration: Sendable {
        /// SIM PIN, entered once if the SIM asks; never logged, never retried after a rejection.
        public var pin: String?
        /// Serial settings (baud rate, flow control, lock policy).
        public var serial: SerialConfiguration
        /// AT timeouts.
        public var channel: ATChannel.Configuration
        /// Force a vendor quirk set instead of detecting it from `AT+CGMI`.
        public var quirks: VendorQuirks?
        /// Message storage for `AT+CPMS` (default: the quirk's preference).
        public var storage: String?
        /// Reopen the port after an unplug and resume (default true).
        public var reconnect: Bool
        /// Delay between reopen attempts.
        public var reconnectInterval: Duration
        /// How long `send` waits for a disconnected modem to come back before failing.
        public var reconnectWait: Duration
        /// How long parts of a concatenated message wait for the rest before the message is
        /// surfaced as incomplete.
        public var reassemblyTimeout: Duration
        /// Retries of a part that failed with a transient error (`+CMS ERROR: 41/42/331/...`).
        public var sendRetries: Int
        /// Delay before each retry (multiplied by the attempt number).
        public var retryDelay: Duration
        /// Read messages stored while offline (`AT+CMGL=4`) at start and after every reconnect.
        public var readStoredOnStart: Bool
        /// Reassembled messages (default) or raw parts and status reports for a durable consumer.
        public var inbound: InboundMode
        /// Where concatenation references of sent multipart messages come from (default: a counter in
        /// this modem; share a file between processes that send through the same SIM).
        public var concatenationReferences: ConcatenationReferences

        /// Creates a configuration; defaults suit a USB stick on a desk.
        public init(pin: String? = nil, serial: SerialConfiguration = .init(), channel: ATChannel.Configuration = .init(),
                    quirks: VendorQuirks? = nil, storage: String? = nil, reconnect: Bool = true,
                    reconnectInterval: Duration = .milliseconds(500), reconnectWait: Duration = .seconds(60),
                    reassemblyTimeout: Duration = .seconds(600), sendRetries: Int = 3,
                    retryDelay: Duration = .seconds(2), readStoredOnStart: Bool = true,
                    inbound: InboundMode = .messages, concatenationReferences: ConcatenationReferences = .perModem) {
            self.pin = pin
            self.serial = serial
            self.channel = channel
            self.quirks = quirks
            self.storage = storage
            self.reconnect = reconnect
            self.reconnectInterval = reconnectInterval
            self.reconnectWait = reconnectWait
            self.reassemblyTimeout = reassemblyTimeout
            self.sendRetries = sendRetries
            self.retryDelay = retryDelay
            self.readStoredOnStart = readStoredOnStart
            self.inbound = inbound
            self.concatenationReferences = concatenationReferences
        }
    }
}
