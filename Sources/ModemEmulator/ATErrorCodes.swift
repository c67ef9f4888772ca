/// Mobile equipment errors (`+CME ERROR`, 3GPP TS 27.007 §9.2) that the emulator reports.
public enum CMEError: Int, Sendable, CaseIterable {
    /// phone failure
    case phoneFailure = 0
    /// operation not allowed
    case notAllowed = 3
    /// operation not supported
    case notSupported = 4
    /// SIM not inserted
    case simNotInserted = 10
    /// SIM PIN required
    case simPINRequired = 11
    /// SIM PUK required
    case simPUKRequired = 12
    /// SIM failure
    case simFailure = 13
    /// SIM busy
    case simBusy = 14
    /// incorrect password
    case incorrectPassword = 16
    /// memory full
    case memoryFull = 20
    /// invalid index
    case invalidIndex = 21
    /// not found
    case notFound = 22
    /// text string too long
    case textTooLong = 24
    /// invalid characters in text string
    case invalidCharacters = 25
    /// no network service
    case noNetworkService = 30
    /// network timeout
    case networkTimeout = 31
    /// incorrect parameters
    case incorrectParameters = 50
    /// unknown
    case unknown = 100

    /// The verbose text printed with `AT+CMEE=2`.
    public var text: String {
        switch self {
        case .phoneFailure: "phone failure"
        case .notAllowed: "operation not allowed"
        case .notSupported: "operation not supported"
        case .simNotInserted: "SIM not inserted"
        case .simPINRequired: "SIM PIN required"
        case .simPUKRequired: "SIM PUK required"
        case .simFailure: "SIM failure"
        case .simBusy: "SIM busy"
        case .incorrectPassword: "incorrect password"
        case .memoryFull: "memory full"
        case .invalidIndex: "invalid index"
        case .notFound: "not found"
        case .textTooLong: "text string too long"
        case .invalidCharacters: "invalid characters in text string"
        case .noNetworkService: "no network service"
        case .networkTimeout: "network timeout"
        case .incorrectParameters: "incorrect parameters"
        case .unknown: "unknown"
        }
    }
}

/// Message service errors (`+CMS ERROR`, 3GPP TS 27.005 §3.2.5 and RP causes of TS 24.011) that the emulator reports.
public enum CMSError: Int, Sendable, CaseIterable {
    /// RP cause 1: unassigned (unallocated) number — the destination is not on the virtual network.
    case unassignedNumber = 1
    /// RP cause 38: network out of order.
    case networkOutOfOrder = 38
    /// RP cause 41: temporary failure.
    case temporaryFailure = 41
    /// RP cause 42: congestion.
    case congestion = 42
    /// RP cause 47: resources unavailable, unspecified.
    case resourcesUnavailable = 47
    /// ME failure
    case meFailure = 300
    /// operation not allowed
    case notAllowed = 302
    /// operation not supported
    case notSupported = 303
    /// invalid PDU mode parameter
    case invalidPDUParameter = 304
    /// invalid text mode parameter
    case invalidTextParameter = 305
    /// SIM not inserted
    case simNotInserted = 310
    /// SIM PIN required
    case simPINRequired = 311
    /// SIM PUK required
    case simPUKRequired = 316
    /// SIM failure
    case simFailure = 313
    /// memory failure
    case memoryFailure = 320
    /// invalid memory index
    case invalidMemoryIndex = 321
    /// memory full
    case memoryFull = 322
    /// SMSC address unknown
    case smscUnknown = 330
    /// no network service
    case noNetworkService = 331
    /// network timeout
    case networkTimeout = 332
    /// no +CNMA acknowledgement expected
    case noAckExpected = 340
    /// unknown error
    case unknown = 500

    /// The verbose text printed with `AT+CMEE=2`.
    public var text: String {
        switch self {
        case .unassignedNumber: "Unassigned (unallocated) number"
        case .networkOutOfOrder: "Network out of order"
        case .temporaryFailure: "Temporary failure"
        case .congestion: "Congestion"
        case .resourcesUnavailable: "Resources unavailable, unspecified"
        case .meFailure: "ME failure"
        case .notAllowed: "operation not allowed"
        case .notSupported: "operation not supported"
        case .invalidPDUParameter: "invalid PDU mode parameter"
        case .invalidTextParameter: "invalid text mode parameter"
        case .simNotInserted: "SIM not inserted"
        case .simPINRequired: "SIM PIN required"
        case .simPUKRequired: "SIM PUK required"
        case .simFailure: "SIM failure"
        case .memoryFailure: "memory failure"
        case .invalidMemoryIndex: "invalid memory index"
        case .memoryFull: "memory full"
        case .smscUnknown: "SMSC address unknown"
        case .noNetworkService: "no network service"
        case .networkTimeout: "network timeout"
        case .noAckExpected: "no +CNMA acknowledgement expected"
        case .unknown: "unknown error"
        }
    }
}

/// Why a command failed: plain `ERROR`, a `+CME ERROR` or a `+CMS ERROR`.
enum ATFailure: Error, Sendable, Equatable {
    /// Plain `ERROR` (syntax errors, unknown commands with `AT+CMEE=0`).
    case error
    /// A mobile equipment error.
    case cme(CMEError)
    /// A message service error.
    case cms(CMSError)
}
