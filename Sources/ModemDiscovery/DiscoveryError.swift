/// Errors from ModemDiscovery. Each message says what went wrong and what to do.
public enum DiscoveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libudev could not be used (no `/sys`, out of memory, ...).
    case udevUnavailable(String)
    /// `--device auto` found no modem.
    case noModemFound
    /// `--device auto` found several modems; the caller must choose one.
    case ambiguous([String])
    /// No modem has this serial number / id, and it is not a path either.
    case unknownDevice(String)
    /// The modem was found but no port is known to speak AT.
    case noATPort(String)
    /// The udev monitor could not be set up.
    case monitorFailed(String)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .udevUnavailable(let why):
            return "libudev is not usable (\(why)); is /sys mounted? Pass the port path with --device instead."
        case .noModemFound:
            return "no USB modem found; plug one in, check `smskit devices --all`, or pass --device /dev/ttyUSBn."
        case .ambiguous(let candidates):
            return "several modems found (\(candidates.joined(separator: ", "))); pass --device with a serial number or path."
        case .unknownDevice(let name):
            return "no modem with serial or id '\(name)'; run `smskit devices` to list them."
        case .noATPort(let id):
            return "modem \(id) has no known AT port; try `smskit devices --probe` or pass the port path."
        case .monitorFailed(let why):
            return "cannot watch udev events (\(why)); is this a container without netlink access?"
        }
    }
}
