/// A `+CMS ERROR` code: message service failures from 3GPP TS 27.005 §3.2.5
/// (0…127: TS 24.011 RP causes, 128…255: TS 23.040 TP-FCS, 300…: ME/SIM errors).
///
/// ```swift
/// catch ATError.cms(let error, _) where error.isTransient { /* retry later */ }
/// ```
public struct CMSError: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code.
    public let rawValue: Int

    /// Wraps a numeric code.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Looks up a verbose error text (some modems print `+CMS ERROR: SIM busy`).
    public init?(text: String) {
        let key = CMEError.normalize(text)
        guard let code = CMSError.byText[key] else { return nil }
        self.rawValue = code
    }

    /// The 27.005 meaning, or a range description for codes without a name.
    public var name: String {
        if let n = CMSError.names[rawValue] { return n }
        switch rawValue {
        case 0...127: return "network (RP) cause \(rawValue)"
        case 128...255: return "TP failure cause \(rawValue)"
        case 512...: return "manufacturer specific error \(rawValue)"
        default: return "reserved error \(rawValue)"
        }
    }

    public var description: String { "+CMS ERROR \(rawValue) (\(name))" }

    /// Errors after which the same message may succeed later (network busy, SIM busy, no service).
    /// A message that failed with one of these was not sent, so retrying cannot duplicate it.
    public var isTransient: Bool { [38, 41, 42, 47, 192, 212, 314, 331, 332].contains(rawValue) }

    public static let unassignedNumber = CMSError(rawValue: 1)
    public static let temporaryFailure = CMSError(rawValue: 41)
    public static let congestion = CMSError(rawValue: 42)
    public static let scBusy = CMSError(rawValue: 192)
    public static let simSMSStorageFull = CMSError(rawValue: 208)
    public static let memoryCapacityExceeded = CMSError(rawValue: 211)
    public static let meFailure = CMSError(rawValue: 300)
    public static let operationNotAllowed = CMSError(rawValue: 302)
    public static let operationNotSupported = CMSError(rawValue: 303)
    public static let invalidPDUModeParameter = CMSError(rawValue: 304)
    public static let simNotInserted = CMSError(rawValue: 310)
    public static let simPINRequired = CMSError(rawValue: 311)
    public static let simBusy = CMSError(rawValue: 314)
    public static let simPUKRequired = CMSError(rawValue: 316)
    public static let invalidMemoryIndex = CMSError(rawValue: 321)
    public static let memoryFull = CMSError(rawValue: 322)
    public static let smscAddressUnknown = CMSError(rawValue: 330)
    public static let noNetworkService = CMSError(rawValue: 331)
    public static let networkTimeout = CMSError(rawValue: 332)
    public static let noCNMAExpected = CMSError(rawValue: 340)
    public static let unknownError = CMSError(rawValue: 500)

    static let names: [Int: String] = [
        1: "unassigned (unallocated) number", 8: "operator determined barring", 10: "call barred",
        17: "network failure", 21: "short message transfer rejected", 22: "memory capacity exceeded",
        27: "destination out of service", 28: "unidentified subscriber", 29: "facility rejected",
        30: "unknown subscriber", 38: "network out of order", 41: "temporary failure", 42: "congestion",
        47: "resources unavailable, unspecified", 50: "requested facility not subscribed",
        69: "requested facility not implemented", 81: "invalid short message transfer reference value",
        95: "invalid message, unspecified", 96: "invalid mandatory information",
        97: "message type non-existent or not implemented",
        98: "message not compatible with short message protocol state",
        99: "information element non-existent or not implemented", 111: "protocol error, unspecified",
        127: "interworking, unspecified",
        128: "telematic interworking not supported", 129: "short message type 0 not supported",
        130: "cannot replace short message", 143: "unspecified TP-PID error",
        144: "data coding scheme (alphabet) not supported", 145: "message class not supported",
        159: "unspecified TP-DCS error", 160: "command cannot be actioned", 161: "command unsupported",
        175: "unspecified TP-Command error", 176: "TPDU not supported", 192: "SC busy",
        193: "no SC subscription", 194: "SC system failure", 195: "invalid SME address",
        196: "destination SME barred", 197: "SM rejected-duplicate SM", 198: "TP-VPF not supported",
        199: "TP-VP not supported", 208: "(U)SIM SMS storage full", 209: "no SMS storage capability in (U)SIM",
        210: "error in MS", 211: "memory capacity exceeded", 212: "(U)SIM application toolkit busy",
        213: "(U)SIM data download error", 255: "unspecified error cause",
        300: "ME failure", 301: "SMS service of ME reserved", 302: "operation not allowed",
        303: "operation not supported", 304: "invalid PDU mode parameter", 305: "invalid text mode parameter",
        310: "(U)SIM not inserted", 311: "(U)SIM PIN required", 312: "PH-(U)SIM PIN required",
        313: "(U)SIM failure", 314: "(U)SIM busy", 315: "(U)SIM wrong", 316: "(U)SIM PUK required",
        317: "(U)SIM PIN2 required", 318: "(U)SIM PUK2 required", 320: "memory failure",
        321: "invalid memory index", 322: "memory full", 330: "SMSC address unknown",
        331: "no network service", 332: "network timeout", 340: "no +CNMA acknowledgement expected",
        500: "unknown error",
    ]

    static let byText: [String: Int] = {
        var map: [String: Int] = [:]
        for (code, name) in names { map[CMEError.normalize(name)] = code }
        for (code, name) in names where name.contains("(U)SIM") {
            map[CMEError.normalize(name.replacingOccurrences(of: "(U)SIM", with: "SIM"))] = code
        }
        return map
    }()
}
