/// Lifecycle events of a ``Modem`` (for logs, dashboards and tests).
public enum ModemEvent: Sendable, Equatable {
    /// The port is open and initialised (first time or after a reconnect).
    case ready
    /// The port went away; the modem tries to reopen it.
    case disconnected
    /// The modem rebooted (a reset URC) and the init sequence was re-asserted.
    case reinitialized
    /// Message storage is full (`used` of `total`); acknowledge messages to free it.
    case storageFull(used: Int, total: Int)
    /// A stored PDU could not be decoded; it is kept on the SIM.
    case undecodable(StorageSlot?, reason: String)
    /// Reconnecting stopped for good (PIN rejected, PUK, closed).
    case stopped(String)
}
