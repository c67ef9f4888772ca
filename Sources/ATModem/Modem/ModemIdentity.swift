/// Who the modem and SIM are: from `AT+CGMI`, `+CGMM`, `+CGMR`, `+CGSN`, `+CIMI`, `+CCID`.
public struct ModemIdentity: Sendable, Equatable, Codable {
    public var manufacturer: String?
    public var model: String?
    public var revision: String?
    /// Equipment identity (15 digits).
    public var imei: String?
    /// Subscriber identity (SIM).
    public var imsi: String?
    /// SIM serial number.
    public var iccid: String?
    /// The vendor quirk family in use.
    public var family: String

    /// Creates an identity.
    public init(manufacturer: String? = nil, model: String? = nil, revision: String? = nil, imei: String? = nil,
                imsi: String? = nil, iccid: String? = nil, family: String = "Generic") {
        self.manufacturer = manufacturer
        self.model = model
        self.revision = revision
        self.imei = imei
        self.imsi = imsi
        self.iccid = iccid
        self.family = family
    }
}
