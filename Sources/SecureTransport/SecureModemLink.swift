import ATModem
import SecureSMS
import ServiceLifecycle
import Synchronization

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
/// A swift-service-lifecycle `Service`: `init` only builds the channel; ``run()`` owns the pump and the
/// channel's timers in the caller's task, and returns on cancellation, on graceful shutdown, after
/// ``close()``, or when the modem's incoming stream ends. ``running(_:)`` runs it beside a body.
///
/// Example:
/// ```swift
/// let link = try await SecureModemLink(modem: modem, identity: me, store: file)
/// try await link.running { link in
///     try await link.channel.send(text: "hi", to: bank, number: "+100")
///     for await event in link.channel.events { … }   // commit each .message(m) with link.channel.commit(m.receipt)
/// }
/// // or, in a ServiceGroup: ServiceGroup(services: [link], …)
/// ```
public final class SecureModemLink: Service, Sendable {
    /// Default application port for SecureSMS (16-bit addressing).
    public static let defaultPort = 9_208

    /// The secure channel.
    public let channel: SecureChannel
    /// The modem.
    public let modem: Modem
    /// The application port.
    public let port: Int
    /// SMS that are not frames for this link (`OtherMessagePolicy.handOn`); acknowledge each once stored.
    /// Finished when ``run()`` returns.
    public let otherMessages: AsyncStream<IncomingMessage>
    private let otherContinuation: AsyncStream<IncomingMessage>.Continuation
    private let kind: SecureTransportKind
    private let others: OtherMessagePolicy
    /// Finished by ``close()``: ends ``run()``.
    private let stopped: AsyncStream<Never>
    private let stop: AsyncStream<Never>.Continuation
    /// Set by the first ``run()``: a second call returns at once instead of reading `stopped` twice.
    private let started = Mutex(false)

    /// Builds the channel over `modem`; nothing runs until ``run()``.
    /// `observer`, if given, sees every outgoing SMS first (e.g. to print `FrameSummary` in a demo).
    public init(modem: Modem, identity: Identity, store: (any SecureStateStore)?,
                configuration: EndpointConfiguration = .init(), port: Int = defaultPort,
                others: OtherMessagePolicy = .handOn,
                observer: (@Sendable (OutboundSMS) async -> Void)? = nil) async throws {
        let modemTransport = ModemFrameTransport(modem: modem, kind: configuration.transport, port: port)
        let transport: any FrameTransport = observer.map { TappedTransport(modemTransport, observer: $0) } ?? modemTransport
        channel = try await SecureChannel(identity: identity, store: store, configuration: configuration, transport: transport)
        self.modem = modem
        self.port = port
        self.kind = configuration.transport
        self.others = others
        (otherMessages, otherContinuation) = AsyncStream<IncomingMessage>.makeStream(bufferingPolicy: .bufferingOldest(256))
        (stopped, stop) = AsyncStream<Never>.makeStream()
    }

    /// Feeds the channel every incoming frame and runs its timers, in the caller's task, until the task
    /// is cancelled, the service group shuts down gracefully, ``close()`` is called, the channel is
    /// closed or the modem's incoming stream ends. Then it finishes ``otherMessages`` and closes the
    /// channel. The modem stays open. Only the first call runs; a second one returns at once.
    public func run() async {
        guard started.withLock({ (started: inout Bool) -> Bool in
            defer { started = true }
            return !started
        }) else { return }
        await withDiscardingTaskGroup { group in
            group.addTask {
                await self.channel.run(maximumSleep: 60)
                self.stop.finish()
            }
            group.addTask {
                await self.pump()
                self.stop.finish()
            }
            await cancelWhenGracefulShutdown {
                for await _ in self.stopped {}
            }
            group.cancelAll()
        }
        otherContinuation.finish()
        await channel.close()
    }

    /// Runs `body` with the link running (``run()`` beside it), then closes the link and waits for
    /// ``run()`` to return, also when `body` throws.
    public func running<T>(_ body: (SecureModemLink) async throws -> T) async rethrows -> T {
        async let loop: Void = run()
        let result: T
        do {
            result = try await body(self)
        } catch {
            await close()
            await loop
            throw error
        }
        await close()
        await loop
        return result
    }

    /// Incoming SMS: frames into the channel (deleted once their effect is saved), the rest handed on or left.
    private func pump() async {
        for await message in modem.incoming {
            guard let frame = Self.frame(of: message, port: port, transport: kind) else {
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

    /// Stops feeding the channel and closes it: ``run()`` returns.
    public func close() async {
        stop.finish()
        await channel.close()
    }
}
