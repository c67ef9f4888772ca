import ATModem
import SecureSMS

/// What a `SecureModemLink` does with SMS that are not SecureSMS frames for it (ordinary texts, other
/// applications' ports, a binary SMS on a text link).
public enum OtherMessagePolicy: Sendable, Equatable {
    /// Hand them on through `SecureModemLink.otherMessages`; the consumer stores and acknowledges each
    /// (the SIM slot is freed then). Until then they stay on the modem.
    case handOn
    /// Leave them on the modem for another consumer of the same modem (nothing is deleted).
    case leave
}

/// Runs a `SecureChannel` over a `Modem`: frames out through `ModemFrameTransport`, and every incoming
/// frame of this link's transport into the channel. A frame SMS is deleted from the modem only after the
/// channel persisted its effect (a delivered message sits in the endpoint's inbox until the application
/// commits it, and only then is it acknowledged). SMS that are not frames are never deleted here: they are
/// handed on (`otherMessages`) or left, so ordinary texts never block a secure listener by filling the SIM
/// unseen.
///
/// Recognition is strict and per transport: a binary link takes only 8-bit SMS addressed to its
/// application port; a text link takes only text SMS that `TextFrameCodec` accepts (marker, base64,
/// length, v2 header) — a `#` text on a binary link, or a text that fails authentication on a text link,
/// is handed on.
///
/// Example:
/// ```swift
/// let link = try await SecureModemLink.open(modem: modem, identity: me, store: file)
/// try await link.channel.send(text: "hi", to: bank, number: "+100")
/// for await event in link.channel.events { … }          // commit each .message(m) with link.channel.commit(m.receipt)
/// for await sms in link.otherMessages { …; try await sms.acknowledge() }
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
    /// SMS that are not frames for this link (`OtherMessagePolicy.handOn`); acknowledge each once stored.
    public let otherMessages: AsyncStream<IncomingMessage>
    private let pump: Task<Void, Never>

    private init(channel: SecureChannel, modem: Modem, port: Int, otherMessages: AsyncStream<IncomingMessage>,
                 pump: Task<Void, Never>) {
        self.channel = channel
        self.modem = modem
        self.port = port
        self.otherMessages = otherMessages
        self.pump = pump
    }

    /// Opens the channel over `modem` and starts feeding it incoming frames and timers.
    /// `observer`, if given, sees every outgoing SMS first (e.g. to print `FrameSummary` in a demo).
    public static func open(modem: Modem, identity: Identity, store: (any SecureStateStore)?,
                            configuration: EndpointConfiguration = .init(), port: Int = defaultPort,
                            others: OtherMessagePolicy = .handOn,
                            observer: (@Sendable (OutboundSMS) async -> Void)? = nil) async throws -> SecureModemLink {
        let modemTransport = ModemFrameTransport(modem: modem, kind: configuration.transport, port: port)
        let transport: any FrameTransport = observer.map { TappedTransport(modemTransport, observer: $0) } ?? modemTransport
        let channel = try await SecureChannel(identity: identity, store: store, configuration: configuration,
                                        transport: transport)
        let (otherStream, otherContinuation) = AsyncStream<IncomingMessage>.makeStream(bufferingPolicy: .bufferingOldest(256))
        let kind = configuration.transport
        // The link's one task: the channel's timers beside the pump, both ended by close().
        let pump = Task {
          await withDiscardingTaskGroup { group in
            group.addTask { await channel.run(maximumSleep: 60) }
            for await message in modem.incoming {
                guard let frame = SecureModemLink.frame(of: message, port: port, transport: kind) else {
                    if others == .handOn { otherContinuation.yield(message) }
                    continue
                }
                do {
                    let rejection = try await channel.receive(frame, from: message.sender)
                    if kind == .text, let rejection, Self.isForeign(rejection) {
                        // Looked like a frame but is not ours: somebody's text. Never delete it.
                        if others == .handOn { otherContinuation.yield(message) }
                        continue
                    }
                    try await message.acknowledge()
                } catch {
                    continue  // state not saved or SMS not deleted: it is offered again / retransmitted
                }
            }
            otherContinuation.finish()
            await channel.close()
          }
        }
        return SecureModemLink(channel: channel, modem: modem, port: port, otherMessages: otherStream, pump: pump)
    }

    /// Whether a rejection means "not a frame of any session here" (rather than a duplicate or replay of ours).
    private static func isForeign(_ error: SecureSMSError) -> Bool {
        switch error {
        case .replayed, .outsideWindow, .revoked, .rateLimited: return false
        default: return true
        }
    }

    /// The frame bytes an incoming SMS carries, if it is a SecureSMS frame for `port` on a `transport` link.
    public static func frame(of message: IncomingMessage, port: Int, transport: SecureTransportKind = .binary) -> [UInt8]? {
        switch (message.content, transport) {
        case (.data(let bytes), .binary):
            guard message.ports?.destination == port else { return nil }
            return bytes
        case (.text(let text), .text):
            return try? TextFrameCodec.decode(text)
        default:
            return nil
        }
    }

    /// Leaves cleanly after a conversation: sends the acknowledgements still owed (a reply received
    /// must be acknowledged, or the peer retransmits it and reports it unconfirmed), keeps answering
    /// for `linger` (the peer's retransmissions in flight), then closes the link. The modem stays open.
    public func finish(linger: Duration = .milliseconds(300)) async {
        try? await channel.flush()
        try? await Task.sleep(for: linger)
        await close()
    }

    /// Stops feeding the channel and closes it.
    public func close() async {
        pump.cancel()
        await channel.close()
    }
}
