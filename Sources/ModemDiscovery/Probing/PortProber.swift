/// The outcome of sending `AT` to a port.
public enum ProbeResult: Sendable, Equatable {
    /// The port answered `OK`: it speaks AT.
    case answered
    /// No `OK` within the timeout.
    case silent
    /// Another process holds the port (UUCP lock, open file descriptor or exclusive mode): not touched.
    case busy
    /// The port could not be opened or configured.
    case failed(String)
}

/// Sends `AT` to a port to find out whether it is a command port.
///
/// ModemDiscovery ships ``GlibcATProber``; an `ATModem`-based prober can replace it later by
/// conforming to this protocol. Implementations must never touch a port another process holds.
public protocol PortProber: Sendable {
    /// Probes `devnode` (e.g. `/dev/ttyUSB1`).
    func probe(devnode: String) async -> ProbeResult
}
