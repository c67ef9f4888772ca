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
        }
    }
}
