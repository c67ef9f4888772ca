import SMSPDU
/// A human/JSON description of one frame as it went over the air, for demos and logs (no secrets:
/// only what the operator sees anyway).
///
/// Example: `FrameSummary(bytes: sms.bytes).text` → `"data #1 [ack] 42 bytes: 5a000001…"`.
public struct FrameSummary: Sendable, Equatable, Codable {
    /// Frame type name (`hello`, `intro`, `reply`, `data`, `ack`, `cont`), or `invalid`.
    public var type: String
    /// Flag names (`fragmented`, `ack`, `text`, `handshake`).
    public var flags: [String]
    /// Counter (data/ack), fragment index (cont), else nil.
    public var number: UInt32?
    /// Frame size in bytes.
    public var bytes: Int
    /// The frame in hex.
    public var hex: String

    /// Describes `bytes` (never throws: unparsable frames are `invalid`).
    public init(bytes: [UInt8]) {
        self.bytes = bytes.count
        self.hex = Hex.encode(bytes, lowercase: true)
        guard let frame = try? Frame(bytes: bytes) else {
            type = "invalid"
            flags = []
            number = nil
            return
        }
        type = "\(frame.header.type)"
        let f = frame.header.flags
        if frame.header.type == .cont {
            flags = f.contains(.handshakeContinuation) ? ["handshake"] : []
            number = UInt32(frame.index)
        } else {
            flags = [(FrameFlags.fragmented, "fragmented"), (.hasAck, "ack"), (.text, "text")]
                .filter { f.contains($0.0) }.map(\.1)
            number = frame.header.type == .data || frame.header.type == .ack ? frame.counter : nil
        }
    }

    /// One line: type, number, flags, size, hex.
    public var text: String {
        let n = number.map { " #\($0)" } ?? ""
        let f = flags.isEmpty ? "" : " [\(flags.joined(separator: ","))]"
        return "\(type)\(n)\(f) \(bytes) bytes: \(hex)"
    }
}

/// A `FrameTransport` that reports every frame to `observer` before forwarding it (for demos: "what went
/// over the air").
public struct TappedTransport: FrameTransport {
    private let inner: any FrameTransport
    private let observer: @Sendable (OutboundSMS) async -> Void

    /// Wraps `inner`; `observer` sees each SMS first.
    public init(_ inner: any FrameTransport, observer: @escaping @Sendable (OutboundSMS) async -> Void) {
        self.inner = inner
        self.observer = observer
    }

    /// Reports, then transmits.
    public func transmit(_ sms: OutboundSMS) async throws {
        await observer(sms)
        try await inner.transmit(sms)
    }
}
