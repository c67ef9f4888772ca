import Foundation
import SMSPDU

/// How SecureSMS frames travel, and how many frame bytes one SMS carries.
///
/// - `binary`: 8-bit data SMS with 16-bit application port addressing: 140 − 7 (UDH) = 133 bytes.
/// - `text`: a GSM-7 text SMS `#` + unpadded base64: ⌊(160 − 1)·6/8⌋ = 119 bytes (for iOS and networks
///   that drop binary SMS).
public enum SecureTransportKind: String, Sendable, Equatable, Codable, CaseIterable {
    /// Port-addressed 8-bit SMS (default).
    case binary
    /// GSM-7-safe text fallback.
    case text

    /// Frame bytes per SMS, from SMSPDU's capacity rules (no concatenation element: SecureSMS fragments itself).
    public var capacity: Int {
        switch self {
        case .binary: return UserDataCapacity.bytesPerSegment(concatenation: nil, ports: .sixteenBit)
        case .text: return (UserDataCapacity.septets(headerOctets: 0) - TextFrameCodec.prefix.count) * 6 / 8
        }
    }

    /// Bytes per segment of 8-bit data with SMS concatenation and 16-bit ports (what plain SMS and a sealed
    /// box get per part of a long message; for the benchmark comparison).
    public static var concatenatedBinaryCapacity: Int {
        UserDataCapacity.bytesPerSegment(concatenation: .eightBit, ports: .sixteenBit)
    }
}

/// The text fallback: a frame as `#` followed by unpadded standard base64 — every character is a single
/// septet of the GSM 7-bit default alphabet, so the SMS survives any GSM-7 text path.
///
/// Example: `TextFrameCodec.encode(frameBytes)` → `"#UAAAAQ…"`; `try TextFrameCodec.decode(smsText)`.
public enum TextFrameCodec {
    /// The marker that distinguishes SecureSMS text frames from human text.
    public static let prefix = "#"

    /// Encodes frame bytes as text.
    public static func encode(_ bytes: [UInt8]) -> String {
        var b64 = Data(bytes).base64EncodedString()
        while b64.hasSuffix("=") { b64.removeLast() }
        return prefix + b64
    }

    /// Decodes a text SMS; `.notATextFrame` if it is not one. Strict: the marker, then only base64 digits
    /// in the length a frame can have (20…119 bytes), and the decoded bytes must parse as a v2 frame
    /// header with its fixed fields. Anything else is ordinary text, to be left for other consumers.
    public static func decode(_ text: String) throws(SecureSMSError) -> [UInt8] {
        guard text.hasPrefix(prefix), text.count <= 1 + 160 else { throw .notATextFrame }
        var b64 = String(text.dropFirst(prefix.count))
        guard b64.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }) else {
            throw .notATextFrame
        }
        guard b64.count % 4 != 1 else { throw .notATextFrame }
        while b64.count % 4 != 0 { b64.append("=") }
        guard let data = Data(base64Encoded: b64) else { throw .notATextFrame }
        let bytes = [UInt8](data)
        guard bytes.count >= minimumFrameBytes, (try? Frame(bytes: bytes)) != nil else { throw .notATextFrame }
        return bytes
    }

    /// The shortest frame: a continuation (3 bytes) with one body byte… but a whole frame has a 16-byte tag;
    /// the shortest complete frame is an ack of 1 + 3 + 16 + 5 = 25 bytes, and a continuation of the last
    /// few bytes of a message may be as short as 4.
    static let minimumFrameBytes = 4

    /// Whether `text` is a SecureSMS text frame (see `decode`).
    public static func isFrame(_ text: String) -> Bool {
        (try? decode(text)) != nil
    }
}
