/// Network state: from `AT+CSQ`, `+CREG?`, `+COPS?`, `+CSCA?`, `+CPMS?`.
public struct ModemHealth: Sendable, Equatable, Codable {
    /// `+CSQ` RSSI 0…31 (99 = unknown).
    public var rssi: Int?
    /// Signal in dBm derived from RSSI (-113 + 2·rssi).
    public var signalDBm: Int?
    /// Registration state.
    public var registration: Registration
    /// Operator name or MCC/MNC.
    public var operatorName: String?
    /// Service centre number.
    public var smsc: String?
    /// Used/total slots of the receive storage.
    public var storageUsed: Int?
    public var storageTotal: Int?

    /// `+CREG` `<stat>` values (27.007 §7.2).
    public enum Registration: String, Sendable, Codable {
        case notRegistered = "not-registered", home, searching, denied, unknown, roaming
        case smsOnlyHome = "sms-only-home", smsOnlyRoaming = "sms-only-roaming"

        /// Maps a `<stat>` number.
        public init(stat: Int) {
            switch stat {
            case 0: self = .notRegistered
            case 1: self = .home
            case 2: self = .searching
            case 3: self = .denied
            case 5: self = .roaming
            case 6: self = .smsOnlyHome
            case 7: self = .smsOnlyRoaming
            default: self = .unknown
            }
        }

        /// Whether SMS can be sent.
        public var isRegistered: Bool { [.home, .roaming, .smsOnlyHome, .smsOnlyRoaming].contains(self) }
    }

    /// Creates a health report.
    public init(rssi: Int? = nil, registration: Registration = .unknown, operatorName: String? = nil, smsc: String? = nil,
                storageUsed: Int? = nil, storageTotal: Int? = nil) {
        self.rssi = rssi
        self.signalDBm = rssi.flatMap { $0 >= 0 && $0 <= 31 ? -113 + 2 * $0 : nil }
        self.registration = registration
        self.operatorName = operatorName
        self.smsc = smsc
        self.storageUsed = storageUsed
        self.storageTotal = storageTotal
    }
}
