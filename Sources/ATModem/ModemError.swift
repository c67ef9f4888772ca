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
    /// The SIM is PUK-locked: unlock it by hand with the PUK, the driver never does.
    case pukRequired
    /// The SIM asks for another code the driver does not handle (`PH-SIM PIN`, `SIM PIN2`, ...).
    case unsupportedLock(String)
    /// No SIM inserted or the SIM failed.
    case simUnavailable(String)
    /// The recipient is not a valid phone number.
    case invalidRecipient(String)
    /// The message could not be encoded (too long, bad ports, bad hex).
    case encoding(String)
    /// A received PDU could not be decoded (kept on the SIM, logged).
    case decoding(String)
    /// The modem was disconnected and did not come back in time.
    case disconnected(port: String)
    /// ``Modem/close()`` was called.
    case closed
    /// Waiting for a delivery report timed out.
    case reportTimeout(reference: [Int])

    public var description: String {
        switch self {
        case .port(let e): return e.description
        case .command(let e): return e.description
        case .notResponding(let p): return "no answer to AT on \(p); is it the modem's AT port (try the others) and is the modem powered?"
        case .pinRequired: return "the SIM needs a PIN; pass it with --pin / Configuration(pin:)"
        case .pinRejected(let left):
            return "the SIM rejected the PIN\(left.map { " (\($0) attempts left)" } ?? ""); it will not be retried automatically — check the PIN"
        case .pukRequired: return "the SIM is PUK-locked; unlock it with the PUK from the operator (AT+CPIN=\"PUK\",\"NEWPIN\") by hand"
        case .unsupportedLock(let s): return "the SIM asks for \(s), which the driver does not enter; unlock it by hand"
        case .simUnavailable(let s): return "SIM unavailable: \(s); check the SIM is inserted and working"
        case .invalidRecipient(let n): return "invalid recipient \(n.debugDescription); use digits with optional leading +"
        case .encoding(let s): return "cannot encode the message: \(s)"
        case .decoding(let s): return "cannot decode a received PDU: \(s)"
        case .disconnected(let p): return "modem at \(p) is disconnected and did not come back in time"
        case .closed: return "the modem was closed; create a new Modem"
        case .reportTimeout(let refs): return "no final delivery report for message references \(refs) in time"
        }
    }
}
