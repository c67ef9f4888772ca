import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small self-contained AT prober (termios + poll) used until discovery can use `ATModem`.
///
/// It skips ports another process holds (``PortOwnership``), opens the port non-blocking and in
/// exclusive mode (`TIOCEXCL`), sends `AT\r` at 115200 8N1 and waits up to `timeout` for `OK`.
/// The blocking calls run on their own thread, never on Swift's cooperative pool.
///
/// ```swift
/// let result = await GlibcATProber(timeout: .milliseconds(500)).probe(devnode: "/dev/ttyUSB1")
/// ```
public struct GlibcATProber: PortProber {
    /// How long to wait for `OK`.
    public var timeout: Duration
    /// How to tell whether a port is in use.
    public var ownership: PortOwnership

    /// Creates a prober; 500 ms is enough for a modem that is up.
    public init(timeout: Duration = .milliseconds(500), ownership: PortOwnership = PortOwnership()) {
        self.timeout = timeout
        self.ownership = ownership
    }

    /// Sends `AT\r` to `devnode` unless another process holds it; see ``ProbeResult``.
    public func probe(devnode: String) async -> ProbeResult {
        let timeoutMs = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ownership = self.ownership
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Self.probeBlocking(devnode: devnode, timeoutMs: timeoutMs, ownership: ownership))
            }
            thread.start()
        }
    }

    static func probeBlocking(devnode: String, timeoutMs: Int32, ownership: PortOwnership) -> ProbeResult {
        if ownership.isHeld(devnode) { return .busy }
        let fd = open(devnode, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            return errno == EBUSY ? .busy : .failed("open: " + String(cString: strerror(errno)))
        }
        defer { close(fd) }
        _ = ioctl(fd, UInt(TIOCEXCL))
        if let problem = configureRaw(fd) { return .failed(problem) }
        tcflush(fd, TCIOFLUSH)
        let command: [UInt8] = Array("AT\r".utf8)
        let written = command.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == command.count else { return .failed("write: " + String(cString: strerror(errno))) }
        return awaitOK(fd: fd, timeoutMs: timeoutMs)
    }

    /// Raw 8N1 at 115200, no flow control; returns a message on failure.
    static func configureRaw(_ fd: Int32) -> String? {
        var settings = termios()
        guard tcgetattr(fd, &settings) == 0 else { return "tcgetattr: " + String(cString: strerror(errno)) }
        cfmakeraw(&settings)
        cfsetspeed(&settings, speed_t(B115200))
        settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
        settings.c_cflag &= ~tcflag_t(CRTSCTS)
        guard tcsetattr(fd, TCSANOW, &settings) == 0 else { return "tcsetattr: " + String(cString: strerror(errno)) }
        return nil
    }

    /// Reads until a line `OK` arrives (answered), `ERROR` (a command port too) or the deadline.
    static func awaitOK(fd: Int32, timeoutMs: Int32) -> ProbeResult {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(timeoutMs)))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while received.count < 4096 {
            let remaining = ContinuousClock.now.duration(to: deadline)
            let remainingMs = Int32(clamping: remaining.components.seconds * 1000
                                    + remaining.components.attoseconds / 1_000_000_000_000_000)
            guard remainingMs > 0 else { return .silent }
            var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollFD, 1, remainingMs)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return .silent }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard count > 0 else { return .silent }
            received.append(contentsOf: buffer[0..<count])
            // Split on bytes: as Characters, "\r\n" is one grapheme and would match neither.
            let lines = received.split(whereSeparator: { $0 == 0x0D || $0 == 0x0A })
            if lines.contains(where: { $0.elementsEqual("OK".utf8) || $0.elementsEqual("ERROR".utf8) }) { return .answered }
        }
        return .silent
    }
}
