/// A final result code that ends an AT command (V.250 §5.7, 27.007 §9.2, 27.005 §3.2.5),
/// verbose (`OK`) or numeric (`0`, with `ATV0`).
public enum ATFinalResult: Sendable, Hashable, CustomStringConvertible {
    case ok
    case connect
    case error
    case noCarrier
    case busy
    case noAnswer
    case noDialtone
    /// `+CME ERROR: n` or `+CME ERROR: <text>`; `text` is kept when the text is not in the table.
    case cme(CMEError?, text: String?)
    /// `+CMS ERROR: n` or `+CMS ERROR: <text>`.
    case cms(CMSError?, text: String?)

    /// Parses a line as a final result code; nil when the line is something else.
    /// Numeric V0 codes are accepted only when `allowNumeric` (a digit line could be data).
    public init?(line: String, allowNumeric: Bool = true) {
        switch line {
        case "OK": self = .ok
        case "CONNECT": self = .connect
        case "ERROR": self = .error
        case "NO CARRIER": self = .noCarrier
        case "BUSY": self = .busy
        case "NO ANSWER": self = .noAnswer
        case "NO DIALTONE", "NO DIAL TONE": self = .noDialtone
        default:
            if let rest = ATFinalResult.value(of: line, prefix: "+CME ERROR:") {
                if let code = Int(rest) { self = .cme(CMEError(rawValue: code), text: nil) }
                else if let e = CMEError(text: rest) { self = .cme(e, text: rest) }
                else { self = .cme(nil, text: rest) }
            } else if let rest = ATFinalResult.value(of: line, prefix: "+CMS ERROR:") {
                if let code = Int(rest) { self = .cms(CMSError(rawValue: code), text: nil) }
                else if let e = CMSError(text: rest) { self = .cms(e, text: rest) }
                else { self = .cms(nil, text: rest) }
            } else if allowNumeric, line.count == 1, let digit = Int(line) {
                switch digit {
                case 0: self = .ok
                case 1: self = .connect
                case 3: self = .noCarrier
                case 4: self = .error
                case 6: self = .noDialtone
                case 7: self = .busy
                case 8: self = .noAnswer
                default: return nil
                }
            } else {
                return nil
            }
        }
    }

    /// Whether the command succeeded.
    public var isSuccess: Bool { self == .ok || self == .connect }

    public var description: String {
        switch self {
        case .ok: return "OK"
        case .connect: return "CONNECT"
        case .error: return "ERROR"
        case .noCarrier: return "NO CARRIER"
        case .busy: return "BUSY"
        case .noAnswer: return "NO ANSWER"
        case .noDialtone: return "NO DIALTONE"
        case .cme(let e, let text): return e.map(\.description) ?? "+CME ERROR: \(text ?? "")"
        case .cms(let e, let text): return e.map(\.description) ?? "+CMS ERROR: \(text ?? "")"
        }
    }

    static func value(of line: String, prefix: String) -> String? {
        guard line.count >= prefix.count,
              line.prefix(prefix.count).uppercased() == prefix else { return nil }
        return line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
    }
}

import Foundation
