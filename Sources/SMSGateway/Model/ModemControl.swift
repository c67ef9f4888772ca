/// An operator's command on one modem, as Kannel's admin interface has them
/// (`POST /v1/modems/{id}/suspend|resume|drain`).
///
/// ```swift
/// let modem = try await gateway.controlModem(id: "354321155500012", action: .drain)
/// // modem.state: "draining" while a message is in hand, then "drained"
/// ```
///
/// A hold only stops the modem from *taking* messages: it keeps receiving SMS and status reports
/// (so its SIM never fills), unpinned messages go to the other modems, and messages only it may
/// send (pinned with `from`, or a multipart message with a part already sent on it) wait for
/// ``resume``. A hold lives as long as the modem's worker: a gateway restart (or a hot-plugged
/// modem that is unplugged and plugged in again) starts it active.
public enum ModemControlAction: String, Sendable, CaseIterable {
    /// Take no new message; the one in hand (if any) is finished. State `suspended`.
    case suspend
    /// Take messages again. State back to the modem's own (`ready`, …).
    case resume
    /// Finish the message in hand, take nothing new. State `draining`, then `drained` once no
    /// message is in hand (safe to unplug or stop without an `unknown` part).
    case drain
}

/// The hold an operator put on a modem (``ModemControlAction``).
enum ModemHold: Sendable, Equatable {
    case none, suspended, draining
}
