/// The outcome of sending `AT` to a port.
public enum ProbeResult: Sendable, Equatable {
    /// The port answered `OK`: it speaks AT.
    case answered
    /// No `OK` within the timeout.
    case silent
    /// The port is in use (a live UUCP lock, another process with it open, or exclusive mode): not touched.
    case busy
    /// The port could not be opened or configured.
    case failed(String)
}

/// Sends `AT` to a port to find out whether it is a command port.
///
/// ModemDiscovery ships ``ATPortProber`` (`SerialPort` + `ATChannel`); tests or special hardware
/// may conform their own. Implementations must never touch a port that is in use.
public protocol PortProber: Sendable {
    /// Probes `devnode` (e.g. `/dev/ttyUSB1`).
    func probe(devnode: String) async -> ProbeResult
}
