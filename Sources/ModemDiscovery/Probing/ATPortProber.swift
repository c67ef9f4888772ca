import ATModem
import Foundation
import Logging
import SerialPort

/// Finds out whether a port speaks AT with the same code the driver uses: `SerialPort` opens it
/// (raw 8N1, `TIOCEXCL`, the UUCP lock) and an `ATChannel` sends `AT` and waits for a final result.
///
/// It never touches a port in use: a live UUCP lock or another process with the port open
/// (``PortOwnership``), a lock `SerialPort` cannot take, or an open that fails with `EBUSY`
/// (another process set `TIOCEXCL`) are ``ProbeResult/busy``. While probing it holds the port's lock
/// itself (and `TIOCEXCL` where the tty supports it). Opening runs on a thread of its own; the exchange is async, so no call blocks a thread
/// of Swift's cooperative pool.
///
/// ```swift
/// let result = await ATPortProber(timeout: .milliseconds(500)).probe(devnode: "/dev/ttyUSB1")
/// ```
public struct ATPortProber: PortProber {
    /// How long to wait for the answer to `AT`.
    public var timeout: Duration
    /// How to tell whether a port is in use before opening it.
    public var ownership: PortOwnership
    /// How the port is opened (rate, `TIOCEXCL`, lock policy and directory).
    public var serialConfiguration: SerialConfiguration
    /// Where the AT exchange logs. The default shows errors only: a port that stays silent is an
    /// answer when probing, not the warning it is for a modem in use.
    public var logger: Logger

    /// Creates a prober; 500 ms is enough for a modem that is up.
    public init(timeout: Duration = .milliseconds(500), ownership: PortOwnership = PortOwnership(),
                serialConfiguration: SerialConfiguration = SerialConfiguration(),
                logger: Logger = ATPortProber.defaultLogger()) {
        self.timeout = timeout
        self.ownership = ownership
        self.serialConfiguration = serialConfiguration
        self.logger = logger
    }

    /// `smskit.discovery.probe` at level `error`.
    public static func defaultLogger() -> Logger {
        var logger = Logger(label: "smskit.discovery.probe")
        logger.logLevel = .error
        return logger
    }

    /// Sends `AT` to `devnode` unless it is in use; see ``ProbeResult``.
    public func probe(devnode: String) async -> ProbeResult {
        let port: SerialPort
        switch await open(devnode) {
        case .success(let opened): port = opened
        case .failure(let refusal): return refusal.result
        }
        let channel = ATChannel(transport: port, logger: logger)
        let timeout = self.timeout
        let result = await withDiscardingTaskGroup(returning: ProbeResult.self) { group in
            group.addTask { await channel.run() }
            let result: ProbeResult
            do throws(ATError) {
                try await channel.send("AT", timeout: timeout)
                result = .answered
            } catch {
                result = Self.result(of: error)
            }
            await channel.close()
            return result
        }
        port.close()
        return result
    }

    /// What an `AT` that did not end in `OK` says about the port.
    static func result(of error: ATError) -> ProbeResult {
        switch error {
        case .error, .cme, .cms, .unknownError, .unexpectedResult:
            return .answered  // a final result code: a command interpreter is listening
        case .timeout, .responseTooLarge:
            return .silent    // nothing, or a stream (NMEA, logs) that never ends in a result code
        default:
            return .failed(error.description)
        }
    }

    /// What a failed open says about the port.
    static func result(of error: SerialPortError) -> ProbeResult {
        switch error {
        case .locked: return .busy
        case .openFailed(_, let code) where code == EBUSY: return .busy
        default: return .failed(error.description)
        }
    }

    /// Why a port was not opened.
    struct Refusal: Error {
        var result: ProbeResult
    }

    /// Opens `devnode` with `configuration`. Exclusive mode is best effort here, as `O_NONBLOCK` and
    /// the lock already keep other well-behaved programs out: a tty that refuses `TIOCEXCL` (a
    /// software-emulated one, such as umockdev's) is opened again without it.
    static func openPort(_ devnode: String, configuration: SerialConfiguration) throws(SerialPortError) -> SerialPort {
        do {
            return try SerialPort(path: devnode, configuration: configuration)
        } catch .configurationFailed(_, let operation, _) where operation == "TIOCEXCL" && configuration.exclusive {
            var shared = configuration
            shared.exclusive = false
            return try SerialPort(path: devnode, configuration: shared)
        }
    }

    /// Checks ownership and opens the port on a thread of its own (`open(2)` of a USB tty can wait
    /// on the device; the `/proc` scan reads many files).
    func open(_ devnode: String) async -> Result<SerialPort, Refusal> {
        let ownership = self.ownership, configuration = self.serialConfiguration
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                if ownership.isHeld(devnode) {
                    continuation.resume(returning: .failure(Refusal(result: .busy)))
                    return
                }
                do throws(SerialPortError) {
                    continuation.resume(returning: .success(try Self.openPort(devnode, configuration: configuration)))
                } catch {
                    continuation.resume(returning: .failure(Refusal(result: Self.result(of: error))))
                }
            }
            thread.name = "ATPortProber open \(devnode)"
            thread.start()
        }
    }
}
