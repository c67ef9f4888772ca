import SMSPDU
import SerialPort

/// Why a ``Modem`` operation failed, with what to do about it.
public enum ModemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The port could not be opened (missing, locked, not a tty).
    case port(SerialPortError)
    /// An AT command failed (error result, timeout, disconnect).
    case command(ATError)
    /// The modem does not answer `AT` at all.
    case notResponding(port: String)
    /// The SIM needs a PIN and none was configured.
    case pinRequired
    /// The configured PIN was rejected; it is not retried (that would burn attempts toward PUK).
    case pinRejected(attemptsLeft: Int?)
    /// The configured PIN is not 4–8 digits; it was not sent to the SIM.
    case invalidPIN
    /// The SIM has `attemptsLeft` (≤ 1) PIN attempts left; the driver does not risk the PUK lock.
    case pinAttemptsExhausted(attemptsLeft: Int)
    /// The SIM is PUK-locked: unlock it by hand with the PUK, the driver never does.
    case pukRequired
    /// The SIM asks for another code the driver does not handle (`PH-SIM PIN`, `SIM PIN2`, ...).
    case unsupportedLock(String)
    /// No SIM inserted or the SIM failed.
    case simUnavailable(String)
    /// The recipient is not a valid phone number.
    case invalidRecipient(String)
    /// The message could not be encoded (too long, bad ports); the codec's error names the field.
    case encoding(PDUError)
    /// A received PDU could not be decoded (kept on the SIM, logged); the error names field and offset.
    case decoding(PDUError)
    /// The shared concatenation-reference file (``ConcatenationReferences/sharedFile(_:width:)``)
    /// could not be opened, locked or written.
    case referenceFile(path: String, reason: String)
    /// The modem was disconnected and did not come back in time.
    case disconnected(port: String)
    /// ``Modem/close()`` was called.
    case closed
    /// The calling task was cancelled while it waited (for a reconnect, a delivery report, ...).
    case cancelled(String)
    /// Waiting for a delivery report timed out.
    case reportTimeout(reference: [Int])
    /// Some parts of a multipart message went out (their TP-MRs in `references`), then a later part
    /// failed (`reason`): the recipient may get an incomplete message. Resending sends the sent parts again.
    case partiallySent(references: [Int], totalParts: Int, reason: String)

    /// Whether an SMS (or part of one) may already have been sent although the call failed: a PDU was
    /// written with no result (``ATError/unconfirmed(command:reason:)``), or parts went out before a
    /// failure (``partiallySent(references:totalParts:reason:)``). Treat such a send as possibly done;
    /// resending may deliver it twice.
    public var mayHaveBeenSent: Bool {
        switch self {
        case .command(.unconfirmed), .partiallySent: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .port(let e): return e.description
        case .command(let e): return e.description
        case .notResponding(let p): return "no answer to AT on \(p); is it the modem's AT port (try the others) and is the modem powered?"
        case .pinRequired: return "the SIM needs a PIN; pass it with --pin / Configuration(pin:)"
        case .pinRejected(let left):
            return "the SIM rejected the PIN\(left.map { " (\($0) attempts left)" } ?? ""); it will not be retried automatically — check the PIN"
        case .invalidPIN: return "the PIN must be 4 to 8 digits; it was not sent to the SIM"
        case .pinAttemptsExhausted(let left):
            return "the SIM has \(left) PIN attempt\(left == 1 ? "" : "s") left; the PIN was not entered, so a wrong one cannot PUK-lock the SIM — unlock it by hand (AT+CPIN) once you are sure of the PIN"
        case .pukRequired: return "the SIM is PUK-locked; unlock it with the PUK from the operator (AT+CPIN=\"PUK\",\"NEWPIN\") by hand"
        case .unsupportedLock(let s): return "the SIM asks for \(s), which the driver does not enter; unlock it by hand"
        case .simUnavailable(let s): return "SIM unavailable: \(s); check the SIM is inserted and working"
        case .invalidRecipient(let n): return "invalid recipient \(n.debugDescription); use digits with optional leading +"
        case .encoding(let s): return "cannot encode the message: \(s)"
        case .decoding(let s): return "cannot decode a received PDU: \(s)"
        case .referenceFile(let path, let reason):
            return "cannot use the concatenation reference file \(path): \(reason); check its directory exists and is writable"
        case .disconnected(let p): return "the modem at \(p) is disconnected (and did not come back while the driver waited); check the cable or power"
        case .closed: return "the modem was closed; create a new Modem"
        case .cancelled(let what): return "\(what) was cancelled"
        case .reportTimeout(let refs): return "no final delivery report for message references \(refs) in time"
        case .partiallySent(let refs, let total, let reason):
            return "\(refs.count) of \(total) parts were sent (references \(refs)), then: \(reason); the recipient may get an incomplete message, and resending sends those parts again"
        }
    }
}
