import Foundation

/// What the HTTP API needs from the running gateway besides the store: live modem state, waking the
/// scheduler after a commit, waiting for inbox commits (long poll), and the emulator's phones.
public protocol GatewayRuntime: Sendable {
    /// Every modem the gateway drives, with live health.
    func modems() async -> [ModemResource]
    /// Wakes the send workers: a message was just committed.
    func messageAccepted() async
    /// Returns once an inbox message with a cursor above `cursor` is committed, or after `timeout`.
    func waitForInbox(after cursor: Int64, timeout: Duration) async
    /// Whether the gateway runs on emulated modems (`--emulate N`), so virtual phones exist.
    var isEmulated: Bool { get }
    /// A virtual phone sends `text` to the gateway modem with number `to` (emulate mode only).
    /// - Throws: ``GatewayError/notFound(kind:id:)`` when not emulating or `to` is no gateway modem.
    func phoneSend(from: String, to: String, text: String) async throws
    /// Suspends, resumes or drains the modem with this id (``ModemControlAction``) and returns it
    /// as `GET /v1/modems` shows it now.
    /// - Throws: ``GatewayError/notFound(kind:id:)`` when this gateway drives no modem with that id.
    func controlModem(id: String, action: ModemControlAction) async throws(GatewayError) -> ModemResource
}
