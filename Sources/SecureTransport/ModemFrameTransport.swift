import ATModem
import SecureSMS

/// Sends SecureSMS frames through an `ATModem.Modem`: 8-bit data SMS with 16-bit application port
/// addressing (binary transport), or GSM-7 text SMS (`TextFrameCodec`, text fallback).
///
/// Example: `let transport = ModemFrameTransport(modem: modem, kind: .binary, port: 9200)`.
public struct ModemFrameTransport: FrameTransport {
    /// The modem.
    public let modem: Modem
    /// Binary or text.
    public let kind: SecureTransportKind
    /// Application port (destination and source) of binary frames; > 255 so 16-bit addressing is used.
    public let port: Int

    /// Creates a transport.
    public init(modem: Modem, kind: SecureTransportKind = .binary, port: Int = SecureModemLink.defaultPort) {
        self.modem = modem
        self.kind = kind
        self.port = port
    }

    /// Sends one frame as one SMS.
    public func transmit(_ sms: OutboundSMS) async throws {
        switch kind {
        case .binary: _ = try await modem.send(data: sms.bytes, to: sms.to, ports: (destination: port, source: port))
        case .text: _ = try await modem.send(text: TextFrameCodec.encode(sms.bytes), to: sms.to)
        }
    }
}
