import ATModem
import SecureSMS

/// Runs a `SecureChannel` over a `Modem`: frames out through `ModemFrameTransport`, and every incoming
/// SMS addressed to the application port (or a text frame) into the channel. An SMS is deleted from the
/// modem only after the channel persisted its effect; other SMS are left alone for other consumers.
///
/// Example:
/// ```swift
/// let link = try await SecureModemLink.open(modem: modem, identity: me, stateFile: file)
/// try await link.channel.send(text: "hi", to: bank, number: "+100")
/// for await event in link.channel.events { … }
/// ```
public final class SecureModemLink: Sendable {
    /// Default application port for SecureSMS (16-bit addressing).
    public static let defaultPort = 9_208

    /// The secure channel.
    public let channel: SecureChannel
    /// The modem.
    public let modem: Modem
    /// The application port.
    public let port: Int
    private let pump: Task<Void, Never>

    private init(channel: SecureChannel, modem: Modem, port: Int, pump: Task<Void, Never>) {
        self.channel = channel
        self.modem = modem
        self.port = port
        self.pump = pump
    }

    /// Opens the channel over `modem` and starts feeding it incoming frames and timers.
    /// `observer`, if given, sees every outgoing SMS first (e.g. to print `FrameSummary` in a demo).
    public static func open(modem: Modem, identity: Identity, stateFile: StateFile?,
                            configuration: EndpointConfiguration = .init(), port: Int = defaultPort,
                            observer: (@Sendable (OutboundSMS) async -> Void)? = nil) async throws -> SecureModemLink {
        let modemTransport = ModemFrameTransport(modem: modem, kind: configuration.transport, port: port)
        let transport: any FrameTransport = observer.map { TappedTransport(modemTransport, observer: $0) } ?? modemTransport
        let channel = try SecureChannel(identity: identity, stateFile: stateFile, configuration: configuration,
                                        transport: transport)
        await channel.startTimers()
        let pump = Task {
            for await message in modem.incoming {
                guard let frame = SecureModemLink.frame(of: message, port: port) else { continue }
                do {
                    try await channel.receive(frame, from: message.sender)
                    try await message.acknowledge()
                } catch {
                    continue  // state not saved or SMS not deleted: it is offered again / retransmitted
                }
            }
        }
        return SecureModemLink(channel: channel, modem: modem, port: port, pump: pump)
    }

    /// The frame bytes an incoming SMS carries, if it is a SecureSMS frame for `port`.
    public static func frame(of message: IncomingMessage, port: Int) -> [UInt8]? {
        switch message.content {
        case .data(let bytes):
            guard message.ports?.destination == port else { return nil }
            return bytes
        case .text(let text):
            return try? TextFrameCodec.decode(text)
        }
    }

    /// Stops feeding the channel and closes it.
    public func close() async {
        pump.cancel()
        await channel.close()
    }
}
