import Foundation
import SecureSMS

/// The secure engine's `FrameTransport` inside the gateway: every frame becomes one durable
/// gateway message (8-bit data, application ports 9208 → 9208, to `sms.to`) that the normal
/// scheduler sends on any modem. Such messages have ids `frm_…`, are not listed by
/// `GET /v1/messages` and raise no webhooks (the secure message they carry does).
///
/// While the gateway seals a message (`SealingContext.message`), its first frame's commit also
/// records the engine's message id, so the mapping is durable before any frame can go out.
public struct GatewayFrameTransport: FrameTransport {
    let store: any SecureGatewayStore
    let sendBell: Doorbell
    /// The application port of the frames (destination and source).
    public let port: Int

    /// Creates the transport over the gateway's store; `sendBell` wakes the modem workers.
    public init(store: any SecureGatewayStore, sendBell: Doorbell, port: Int = SecureMessaging.port) {
        self.store = store
        self.sendBell = sendBell
        self.port = port
    }

    /// Commits the frame as a queued message, then wakes the workers. A store failure throws: the
    /// engine keeps the frame in its outbox and retransmits it.
    public func transmit(_ sms: OutboundSMS) async throws {
        _ = try await store.enqueueFrame(to: sms.to, bytes: sms.bytes, port: port, secureID: sms.messageID,
                                         sealing: SealingContext.message, now: Date())
        await sendBell.ring()
    }
}

/// The gateway message being sealed by the current task (``GatewayFrameTransport``).
enum SealingContext {
    @TaskLocal static var message: String?
}

/// Deterministic crash points for the kill -9 tests: with `SMSKIT_TEST_CRASH_AT=<name>` in the
/// environment the process kills itself with SIGKILL when it reaches `<name>`. Unset (always, outside
/// tests) it does nothing.
///
/// Points: `secure-after-state-commit` (the engine persisted a delivered message; the inbox has not
/// committed it), `secure-after-inbox-commit` (the inbox committed it; the engine was not told yet),
/// `secure-before-seal` (a secure message may be committed and answered 202; it is not sealed yet).
enum CrashPoint {
    static let armed: String? = ProcessInfo.processInfo.environment["SMSKIT_TEST_CRASH_AT"].flatMap { $0.isEmpty ? nil : $0 }

    static func reached(_ name: String) {
        guard let armed, armed == name else { return }
        FileHandle.standardError.write(Data("SMSKIT_TEST_CRASH_AT: killing the process at \(name)\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
