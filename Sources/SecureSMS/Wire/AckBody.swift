/// The 5-byte acknowledgement: `cumulative(3) ‖ bitmap(2)`. Every sequence number below `cumulative`
/// was received; bit i (LSB first) of `bitmap` means `cumulative + 1 + i` was received.
public struct AckBody: Equatable, Sendable, Codable {
    /// Encoded size.
    public static let size = 5
    /// All sequence numbers below this were received.
    public var cumulative: UInt32
    /// Selective acknowledgements above `cumulative`.
    public var bitmap: UInt16

    /// Creates an ack body.
    public init(cumulative: UInt32, bitmap: UInt16) {
        self.cumulative = cumulative & Frame.maxCounter
        self.bitmap = bitmap
    }

    /// Decodes the first 5 bytes of `bytes`.
    init(bytes: [UInt8]) throws(SecureSMSError) {
        var reader = ByteReader(bytes)
        let cumulative = try reader.uint24(field: "ack.cumulative")
        let b = try reader.take(2, field: "ack.bitmap")
        self.init(cumulative: cumulative, bitmap: UInt16(b[0]) << 8 | UInt16(b[1]))
    }

    /// The encoded bytes.
    var bytes: [UInt8] { Frame.uint24(cumulative) + [UInt8(bitmap >> 8), UInt8(truncatingIfNeeded: bitmap)] }

    /// Whether `seq` is acknowledged by this body.
    public func acknowledges(_ seq: UInt32) -> Bool {
        if seq < cumulative { return true }
        let offset = Int64(seq) - Int64(cumulative) - 1
        return offset >= 0 && offset < 16 && bitmap & (1 << UInt16(offset)) != 0
    }
}
