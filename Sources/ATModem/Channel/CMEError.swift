/// A `+CME ERROR` code: mobile equipment errors from 3GPP TS 27.007 §9.2.
///
/// Modems report it numerically (`AT+CMEE=1`) or as text (`AT+CMEE=2`); both map to the same value.
/// ```swift
/// if error == .simPINRequired { try await unlock() }
/// print(CMEError(rawValue: 16).name) // "incorrect password"
/// ```
public struct CMEError: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code (27.007 §9.2.1/§9.2.2; ≥ 256 is manufacturer-specific).
    public let rawValue: Int

    /// Wraps a numeric code.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Looks up a verbose error text (`+CME ERROR: SIM PIN required`); nil if it is not in 27.007.
    public init?(text: String) {
        let key = CMEError.normalize(text)
        guard let code = CMEError.byText[key] else { return nil }
        self.rawValue = code
    }

    /// The 27.007 name of the code, or "manufacturer specific error n" / "unknown error n".
    public var name: String {
        if let n = CMEError.names[rawValue] { return n }
        return rawValue >= 256 ? "manufacturer specific error \(rawValue)" : "unknown error \(rawValue)"
    }

    public var description: String { "+CME ERROR \(rawValue) (\(name))" }

    /// Errors that say "try again later" rather than "this will never work".
    public var isTransient: Bool { [14, 30, 31, 100, 122, 126, 134].contains(rawValue) }

    public static let phoneFailure = CMEError(rawValue: 0)
    public static let operationNotAllowed = CMEError(rawValue: 3)
    public static let operationNotSupported = CMEError(rawValue: 4)
    public static let phSIMPINRequired = CMEError(rawValue: 5)
    public static let simNotInserted = CMEError(rawValue: 10)
    public static let simPINRequired = CMEError(rawValue: 11)
    public static let simPUKRequired = CMEError(rawValue: 12)
    public static let simFailure = CMEError(rawValue: 13)
    public static let simBusy = CMEError(rawValue: 14)
    public static let simWrong = CMEError(rawValue: 15)
    public static let incorrectPassword = CMEError(rawValue: 16)
    public static let simPIN2Required = CMEError(rawValue: 17)
    public static let simPUK2Required = CMEError(rawValue: 18)
    public static let memoryFull = CMEError(rawValue: 20)
    public static let invalidIndex = CMEError(rawValue: 21)
    public static let notFound = CMEError(rawValue: 22)
    public static let noNetworkService = CMEError(rawValue: 30)
    public static let networkTimeout = CMEError(rawValue: 31)
    public static let unknown = CMEError(rawValue: 100)

    static func normalize(_ s: String) -> String {
        String(s.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// 27.007 §9.2.1 (general) and §9.2.2 (GPRS/EPS) codes.
    static let names: [Int: String] = [
        0: "phone failure", 1: "no connection to phone", 2: "phone-adaptor link reserved",
        3: "operation not allowed", 4: "operation not supported", 5: "PH-SIM PIN required",
        6: "PH-FSIM PIN required", 7: "PH-FSIM PUK required", 10: "SIM not inserted",
        11: "SIM PIN required", 12: "SIM PUK required", 13: "SIM failure", 14: "SIM busy",
        15: "SIM wrong", 16: "incorrect password", 17: "SIM PIN2 required", 18: "SIM PUK2 required",
        20: "memory full", 21: "invalid index", 22: "not found", 23: "memory failure",
        24: "text string too long", 25: "invalid characters in text string", 26: "dial string too long",
        27: "invalid characters in dial string", 30: "no network service", 31: "network timeout",
        32: "network not allowed - emergency calls only",
        40: "network personalization PIN required", 41: "network personalization PUK required",
        42: "network subset personalization PIN required", 43: "network subset personalization PUK required",
        44: "service provider personalization PIN required", 45: "service provider personalization PUK required",
        46: "corporate personalization PIN required", 47: "corporate personalization PUK required",
        48: "hidden key required", 49: "EAP method not supported", 50: "incorrect parameters",
        51: "command implemented but currently disabled", 52: "command aborted by user",
        53: "not attached to network due to MT functionality restrictions",
        54: "modem not allowed - MT restricted to emergency calls only",
        55: "operation not allowed because of MT functionality restrictions",
        56: "fixed dial number only allowed - called number is not a fixed dial number",
        57: "temporarily out of service due to other MT usage", 58: "language/alphabet not supported",
        59: "unexpected data value", 60: "system failure", 61: "data missing", 62: "call barred",
        63: "message waiting indication subscription failure", 100: "unknown",
        103: "illegal MS", 106: "illegal ME", 107: "GPRS services not allowed",
        108: "GPRS services and non-GPRS services not allowed", 111: "PLMN not allowed",
        112: "location area not allowed", 113: "roaming not allowed in this location area",
        114: "GPRS services not allowed in this PLMN", 115: "no suitable cells in location area",
        122: "congestion", 125: "not authorized for this CSG", 126: "insufficient resources",
        127: "missing or unknown APN", 128: "unknown PDP address or PDP type",
        129: "user authentication failed", 130: "activation rejected by GGSN, Serving GW or PDN GW",
        131: "activation rejected, unspecified", 132: "service option not supported",
        133: "requested service option not subscribed", 134: "service option temporarily out of order",
        140: "feature not supported", 141: "semantic error in the TFT operation",
        142: "syntactical error in the TFT operation", 143: "unknown PDP context",
        144: "semantic errors in packet filter(s)", 145: "syntactical errors in packet filter(s)",
        146: "PDP context without TFT already activated", 148: "unspecified GPRS error",
        149: "PDP authentication failure", 150: "invalid mobile class",
        151: "VBS/VGCS not supported by the network", 152: "no service subscription on SIM",
        171: "last PDN disconnection not allowed", 172: "semantically incorrect message",
        173: "mandatory information element error", 174: "information element non-existent or not implemented",
        175: "conditional IE error", 176: "protocol error, unspecified", 177: "operator determined barring",
        178: "maximum number of PDP contexts reached", 179: "requested APN not supported in current RAT and PLMN combination",
        180: "request rejected, bearer control mode violation", 181: "unsupported QCI value",
    ]

    static let byText: [String: Int] = {
        var map: [String: Int] = [:]
        for (code, name) in names { map[normalize(name)] = code }
        return map
    }()
}
