import Glibc

/// Baud rates with a termios constant. USB modems ignore the rate, real UARTs do not.
public enum BaudRate: Int, Sendable, CaseIterable, Codable {
    case b9600 = 9600, b19200 = 19200, b38400 = 38400, b57600 = 57600
    case b115200 = 115200, b230400 = 230400, b460800 = 460800, b921600 = 921600

    /// The termios `speed_t` for this rate.
    var speed: speed_t {
        switch self {
        case .b9600: return speed_t(B9600)
        case .b19200: return speed_t(B19200)
        case .b38400: return speed_t(B38400)
        case .b57600: return speed_t(B57600)
        case .b115200: return speed_t(B115200)
        case .b230400: return speed_t(B230400)
        case .b460800: return speed_t(B460800)
        case .b921600: return speed_t(B921600)
        }
    }
}

/// How the UUCP lock file in the lock directory is used.
public enum LockPolicy: Sendable, Equatable {
    /// Honour existing locks and fail if no lock file can be created.
    case required
    /// Honour existing locks; create one when the directory is writable, go on without otherwise.
    case bestEffort
    /// Neither check nor create lock files (only `TIOCEXCL` protects the port).
    case disabled
}

/// Settings for ``SerialPort``: 8N1 raw mode always; rate, flow control and locking are chosen here.
///
/// ```swift
/// let port = try SerialPort(path: "/dev/ttyUSB2", configuration: .init(baudRate: .b115200, hardwareFlowControl: true))
/// ```
public struct SerialConfiguration: Sendable, Equatable {
    /// Line speed (default 115200).
    public var baudRate: BaudRate
    /// RTS/CTS hardware flow control (default off: most USB modem AT ports do not wire it).
    public var hardwareFlowControl: Bool
    /// Set `TIOCEXCL` so other non-root processes cannot open the tty (default on).
    public var exclusive: Bool
    /// UUCP lock-file handling (default ``LockPolicy/bestEffort``).
    public var lockPolicy: LockPolicy
    /// Directory for `LCK..<device>` files (default `/run/lock`).
    public var lockDirectory: String

    /// Creates a configuration; every parameter has the usual default for a USB modem.
    public init(baudRate: BaudRate = .b115200, hardwareFlowControl: Bool = false, exclusive: Bool = true,
                lockPolicy: LockPolicy = .bestEffort, lockDirectory: String = "/run/lock") {
        self.baudRate = baudRate
        self.hardwareFlowControl = hardwareFlowControl
        self.exclusive = exclusive
        self.lockPolicy = lockPolicy
        self.lockDirectory = lockDirectory
    }
}
