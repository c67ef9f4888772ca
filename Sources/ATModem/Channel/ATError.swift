import SerialPort

/// Why an AT command failed. Every case names the command so logs say what was being done.
///
/// ```swift
/// do { _ = try await channel.send("AT+CPIN?") }
/// catch .cme(.simPUKRequired, _) { print("SIM is PUK-locked; unlock it by hand") }
/// ```
public enum ATError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Plain `ERROR` (enable `AT+CMEE=1` for details).
    case error(command: String)
    /// `+CME ERROR` (27.007): equipment/SIM/network failure.
    case cme(CMEError, command: String)
    /// `+CMS ERROR` (27.005): message service failure.
    case cms(CMSError, command: String)
    /// `+CME/+CMS ERROR` with a text not found in the tables.
    case unknownError(text: String, command: String)
    /// Another final result (NO CARRIER, BUSY, ...) where OK was expected.
    case unexpectedResult(ATFinalResult, command: String)
    /// No final result arrived in time.
    case timeout(command: String, after: Duration)
    /// The transport went away (unplug, reset) while the command was pending or before it was sent.
    case disconnected(path: String)
    /// The channel was closed by this process.
    case closed
    /// The caller's task was cancelled before the command's result arrived. The modem may still
    /// carry the command out; the channel resynchronises before the next one.
    case cancelled(command: String)
    /// The command text is unusable (contains CR/LF or Ctrl-Z, or the PDU is not hex).
    case invalidCommand(String)
    /// A PDU was written after the `> ` prompt but no result came back (timeout, unplug, close):
    /// the network **may already have accepted the SMS**. Resending may deliver it twice.
    case unconfirmed(command: String, reason: String)
    /// The modem kept sending information lines past ``ATChannel/Configuration/maximumResponseLines``
    /// without a final result; the command was failed to bound memory.
    case responseTooLarge(command: String, limit: Int)

    /// Maps a non-success final result to its error.
    init(result: ATFinalResult, command: String) {
        switch result {
        case .error: self = .error(command: command)
        case .cme(let e?, _): self = .cme(e, command: command)
        case .cms(let e?, _): self = .cms(e, command: command)
        case .cme(nil, let text), .cms(nil, let text): self = .unknownError(text: text ?? "", command: command)
        default: self = .unexpectedResult(result, command: command)
        }
    }

    /// Whether retrying the same command later may succeed (busy SIM/network, congestion).
    public var isTransient: Bool {
        switch self {
        case .cme(let e, _): return e.isTransient
        case .cms(let e, _): return e.isTransient
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .error(let c): return "\(c) failed with ERROR; the modem rejected the command"
        case .cme(let e, let c): return "\(c) failed: \(e)"
        case .cms(let e, let c): return "\(c) failed: \(e)"
        case .unknownError(let t, let c): return "\(c) failed: \(t)"
        case .unexpectedResult(let r, let c): return "\(c) ended with \(r) instead of OK"
        case .timeout(let c, let d): return "\(c) got no answer within \(d); check the port is the modem's AT port"
        case .disconnected(let p): return "the modem at \(p) disconnected (unplugged, reset or its port closed)"
        case .closed: return "the AT channel is closed; open the modem again"
        case .cancelled(let c): return "\(c) was cancelled before its result arrived; the modem may still carry it out"
        case .invalidCommand(let c): return "refusing to send invalid command \(c.debugDescription)"
        case .responseTooLarge(let c, let limit):
            return "\(c) was answered with more than \(limit) lines and no final result; the modem is misbehaving (reset it)"
        case .unconfirmed(let c, let r):
            return "\(c): the PDU was written but no result came back (\(r)); the SMS may already have been sent — check before resending it"
        }
    }
}
