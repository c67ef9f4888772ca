import Foundation

/// Errors of the emulator's library API and CLI (not AT-level errors, which modems report as `+CME/+CMS ERROR`).
public enum EmulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `openpty` or a related system call failed.
    case ptyFailed(call: String, errno: Int32)
    /// The `--faults` specification could not be read.
    case invalidFaults(String)
    /// The phone number is not usable (`+` and digits expected).
    case invalidNumber(String)
    /// A modem with this number already exists on the network.
    case duplicateNumber(String)
    /// No modem with this number exists on the network.
    case unknownModem(String)
    /// The symlink in the link directory could not be created.
    case linkFailed(path: String, errno: Int32)
    /// The PDU to inject could not be read.
    case invalidPDU(String)
    /// The network was shut down.
    case shutDown
    /// A phone or reject prefix is not usable (`+` and digits expected).
    case invalidPrefix(String)
    /// No phone with this number exists and no phone prefix matches it.
    case unknownPhone(String)
    /// A phone with this number already exists (a modem cannot take its number).
    case phoneNumberTaken(String)
    /// Nobody on the network has this number (no modem, no phone, no matching prefix).
    case unassignedNumber(String)
    /// The SMSC rejected part `part` of `total` of a phone's message (the `smsc-error` fault) with this
    /// `+CMS ERROR` code; earlier parts were sent.
    case submitRejected(part: Int, total: Int, code: Int)

    /// A message that says what went wrong and what to do.
    public var description: String {
        switch self {
        case .ptyFailed(let call, let code):
            return "\(call) failed: \(String(cString: strerror(code))) — check that /dev/ptmx is available and the process may open more files"
        case .invalidFaults(let why): return "invalid --faults: \(why)"
        case .invalidNumber(let number):
            return "invalid phone number \"\(number)\": use digits with an optional leading + (e.g. +15550001)"
        case .duplicateNumber(let number): return "a modem with number \(number) already exists: give each modem its own number"
        case .unknownModem(let number): return "no modem with number \(number) on this network: add it with addModem first"
        case .linkFailed(let path, let code):
            return "cannot create symlink \(path): \(String(cString: strerror(code))) — check that the link directory exists and is writable"
        case .invalidPDU(let why): return "invalid PDU: \(why)"
        case .shutDown: return "the virtual network was shut down: create a new one"
        case .invalidPrefix(let prefix):
            return "invalid number prefix \"\(prefix)\": use digits with an optional leading + (e.g. +1999)"
        case .unknownPhone(let number):
            return "no phone with number \(number): add it with addPhone or a matching phone prefix"
        case .phoneNumberTaken(let number):
            return "number \(number) belongs to a virtual phone: give the modem another number"
        case .unassignedNumber(let number):
            return "nobody has number \(number) on this network: add a modem or phone, or a phone prefix that matches it"
        case .submitRejected(let part, let total, let code):
            return "the SMSC rejected part \(part) of \(total) with +CMS ERROR: \(code) (smsc-error fault); earlier parts were sent"
        }
    }
}
