/// The frame types of SecureSMS v2 (bits 5–3 of the first byte).
public enum FrameType: UInt8, Sendable, Codable, CaseIterable {
    /// First contact from an initiator the responder already knows (KK): key id + ephemeral + payload.
    case hello = 0
    /// First contact from an initiator the responder does not know: static key (in clear) + counter + payload.
    case intro = 1
    /// The responder's handshake reply: ephemeral + payload; completes forward secrecy.
    case reply = 2
    /// A steady-state data message: counter + payload.
    case data = 3
    /// A stand-alone acknowledgement: counter + [client upgrade ephemeral] + encrypted ack body.
    case ack = 4
    /// A continuation fragment of a longer message (raw ciphertext slice).
    case cont = 5
}

/// The first byte of every frame: `vv ttt fff` — 2 version bits, 3 type bits, 3 flag bits.
///
/// Example: `FrameHeader(type: .data, flags: [.text]).byte == 0x9C`.
public struct FrameHeader: Equatable, Sendable {
    /// Protocol version 2 is encoded as `10` in the top two bits (v1's `01` and a common "empty" `00` are invalid).
    public static let version: UInt8 = 2

    /// The frame type.
    public var type: FrameType
    /// Flags (meaning depends on the type; see `FrameFlags`).
    public var flags: FrameFlags

    /// Creates a header.
    public init(type: FrameType, flags: FrameFlags = []) {
        self.type = type
        self.flags = flags
    }

    /// Parses the first byte: wrong version and unknown types are typed errors.
    public init(byte: UInt8) throws(SecureSMSError) {
        let version = byte >> 6
        guard version == FrameHeader.version else { throw .wrongVersion(version) }
        guard let type = FrameType(rawValue: (byte >> 3) & 0x07) else { throw .unknownFrameType((byte >> 3) & 0x07) }
        self.type = type
        self.flags = FrameFlags(rawValue: byte & 0x07)
    }

    /// The encoded byte.
    public var byte: UInt8 { FrameHeader.version << 6 | type.rawValue << 3 | flags.rawValue }
}

/// The three flag bits of a frame header.
public struct FrameFlags: OptionSet, Sendable, Hashable, Codable {
    /// The three flag bits.
    public let rawValue: UInt8
    /// Creates flags from the low three bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x07 }

    /// First fragment of a longer message: a fragment-count byte follows the fixed fields.
    public static let fragmented = FrameFlags(rawValue: 0x01)
    /// The plaintext starts with a 5-byte piggy-backed acknowledgement.
    public static let hasAck = FrameFlags(rawValue: 0x02)
    /// The application payload is GSM 7-bit text packed into septets (else raw bytes).
    public static let text = FrameFlags(rawValue: 0x04)
    /// On a `cont` frame: continuation of a handshake message (hello/intro/reply), not of data.
    public static let handshakeContinuation = FrameFlags(rawValue: 0x01)
}
