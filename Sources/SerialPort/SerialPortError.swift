import Foundation

/// Everything that can go wrong opening, locking, reading or writing a serial port.
///
/// ```swift
/// do { let port = try SerialPort(path: "/dev/ttyUSB2") }
/// catch .locked(let path, let pid) { print("\(path) is used by process \(pid)") }
/// ```
public enum SerialPortError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `open(2)` failed (`errno` given), e.g. the device does not exist or permission is denied.
    case openFailed(path: String, errno: Int32)
    /// The path is not a terminal (`isatty` is false), so it cannot be a modem port.
    case notATerminal(path: String)
    /// `tcgetattr`/`tcsetattr` or an `ioctl` failed while configuring the port.
    case configurationFailed(path: String, operation: String, errno: Int32)
    /// The requested baud rate has no termios constant.
    case unsupportedBaudRate(Int)
    /// Another live process holds the UUCP lock file for this device.
    case locked(path: String, pid: Int32)
    /// The lock file could not be created (and the lock policy requires one).
    case lockFailed(lockPath: String, errno: Int32)
    /// The device went away: EOF, `EIO` or `POLLHUP` (USB unplug, modem reset, pty closed).
    case disconnected(path: String)
    /// A read or write failed with an unexpected `errno`.
    case ioFailed(path: String, operation: String, errno: Int32)
    /// The port was closed by this process; no more I/O is possible.
    case closed(path: String)

    public var description: String {
        switch self {
        case .openFailed(let path, let e):
            return "cannot open \(path): \(Self.text(e)); check the device exists and you are in the dialout group"
        case .notATerminal(let path):
            return "\(path) is not a terminal; pass the modem's tty (e.g. /dev/ttyUSB2)"
        case .configurationFailed(let path, let op, let e):
            return "cannot configure \(path) (\(op)): \(Self.text(e))"
        case .unsupportedBaudRate(let rate):
            return "baud rate \(rate) is not supported; use one of \(BaudRate.allCases.map(\.rawValue))"
        case .locked(let path, let pid):
            return "\(path) is in use by process \(pid) (UUCP lock); stop that process or choose another port"
        case .lockFailed(let lockPath, let e):
            return "cannot create lock file \(lockPath): \(Self.text(e)); check permissions of the lock directory"
        case .disconnected(let path):
            return "\(path) disconnected (unplugged or reset); it can be reopened when it returns"
        case .ioFailed(let path, let op, let e):
            return "\(op) on \(path) failed: \(Self.text(e))"
        case .closed(let path):
            return "\(path) was closed; open it again to continue"
        }
    }

    static func text(_ e: Int32) -> String { String(cString: strerror(e)) + " (errno \(e))" }
}
