import Foundation

/// One entry of a modem's AT transcript: bytes the client wrote, or bytes the modem wrote.
public struct TranscriptEntry: Sendable, Equatable, CustomStringConvertible {
    /// Who wrote the bytes.
    public enum Direction: String, Sendable {
        /// From the client (DTE) to the modem.
        case fromClient = ">>"
        /// From the modem to the client.
        case toClient = "<<"
    }

    /// Who wrote the bytes.
    public var direction: Direction
    /// The bytes as text (ISO 8859-1, so every byte survives).
    public var text: String

    /// `>> AT+CMGF=1\r` with control characters escaped.
    public var description: String {
        let escaped = text.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "\r": return "\\r"
            case "\n": return "\\n"
            case "\u{1A}": return "^Z"
            case "\u{1B}": return "<ESC>"
            default: return scalar.value < 0x20 ? String(format: "\\x%02X", scalar.value) : String(scalar)
            }
        }.joined()
        return "\(direction.rawValue) \(escaped)"
    }
}

/// A fault the emulator injected, for checking that runs with the same seed are the same.
public struct FaultEvent: Sendable, Equatable, CustomStringConvertible {
    /// The kind of fault.
    public enum Kind: String, Sendable {
        case loss, duplication, reordering, delay, corruption, smscError = "smsc-error"
        case slowReply = "slow-reply", urcInterleave = "urc", noise, unplug, replug
    }

    /// The kind of fault.
    public var kind: Kind
    /// The modem (number) concerned.
    public var modem: String
    /// Details, e.g. the delay or the error code.
    public var detail: String

    /// `loss +15550001: mr=3`
    public var description: String { "\(kind.rawValue) \(modem): \(detail)" }
}

extension String {
    /// Bytes as ISO 8859-1 text (every byte maps to one scalar).
    init(latin1 bytes: some Sequence<UInt8>) {
        self = String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// The ISO 8859-1 bytes of this text (scalars above 0xFF become `?`).
    var latin1Bytes: [UInt8] {
        unicodeScalars.map { $0.value <= 0xFF ? UInt8($0.value) : 0x3F }
    }
}
