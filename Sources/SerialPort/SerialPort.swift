import Foundation
import Glibc

/// An open tty in raw 8N1 mode with exclusive access and async, non-blocking I/O.
///
/// Reads run on one dedicated thread per port that `poll(2)`s the tty and a wake-up pipe, so no
/// cooperative-pool thread ever blocks; writes run on a per-port serial dispatch queue and wait for
/// `POLLOUT` when the tty buffer is full. Unplug (EOF, `EIO`, `POLLHUP`) ends ``incoming`` with
/// ``SerialPortError/disconnected(path:)``.
///
/// ```swift
/// let port = try SerialPort(path: "/dev/ttyUSB2")
/// try await port.write(Array("AT\r".utf8))
/// for try await chunk in port.incoming { print(String(decoding: chunk, as: UTF8.self)) }
/// ```
public final class SerialPort: ByteStream {
    /// The path this port was opened with.
    public let path: String
    /// The UUCP lock file held for this port, if one was created.
    public let lockFilePath: String?
    /// Bytes as they arrive; see ``ByteStream/incoming``.
    public let incoming: AsyncThrowingStream<[UInt8], any Error>

    private let core: Core

    /// Opens and configures `path` (`O_NOCTTY|O_NONBLOCK`, raw, 8N1, `TIOCEXCL`, UUCP lock).
    /// - Throws: ``SerialPortError`` naming what failed (missing device, lock held, not a tty, ...).
    public init(path: String, configuration: SerialConfiguration = .init()) throws(SerialPortError) {
        let lock = try UUCPLock.acquire(device: path, directory: configuration.lockDirectory,
                                        policy: configuration.lockPolicy)
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            lock?.release()
            throw .openFailed(path: path, errno: e)
        }
        do {
            try Self.configure(fd: fd, path: path, configuration: configuration)
        } catch {
            Glibc.close(fd)
            lock?.release()
            throw error
        }
        var wake: [Int32] = [0, 0]
        if pipe(&wake) != 0 {
            let e = errno
            Glibc.close(fd)
            lock?.release()
            throw .configurationFailed(path: path, operation: "pipe", errno: e)
        }
        _ = fcntl(wake[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(wake[1], F_SETFD, FD_CLOEXEC)
        self.path = path
        self.lockFilePath = lock?.path
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(Self.maximumBufferedChunks))
        self.incoming = stream
        self.core = Core(fd: fd, wakeRead: wake[0], wakeWrite: wake[1], path: path, lock: lock)
        let core = self.core
        let thread = Thread { core.readLoop(continuation) }
        thread.name = "SerialPort \(path)"
        thread.start()
    }

    /// The most chunks (of at most 4 KiB) waiting in ``incoming`` for a slow reader: 1 MiB. When it is
    /// full the reader thread stops reading, so a flooding peer is held back by the tty's own buffer
    /// (flow control by back-pressure; no byte is dropped and memory stays bounded).
    public static let maximumBufferedChunks = 256

    deinit { core.shutdown() }

    /// Writes all `bytes`; suspends until the tty accepted them.
    /// - Throws: ``SerialPortError/disconnected(path:)`` on unplug, ``SerialPortError/closed(path:)`` after ``close()``.
    public func write(_ bytes: [UInt8]) async throws(SerialPortError) {
        let core = self.core
        let result: Result<Void, SerialPortError> = await withCheckedContinuation { continuation in
            core.writeQueue.async { continuation.resume(returning: core.writeAll(bytes)) }
        }
        try result.get()
    }

    /// Closes the port: stops the reader, closes the descriptor and removes the lock file. Idempotent.
    public func close() { core.shutdown() }

    private static func configure(fd: Int32, path: String, configuration: SerialConfiguration) throws(SerialPortError) {
        guard isatty(fd) == 1 else { throw .notATerminal(path: path) }
        if configuration.exclusive, ioctl(fd, UInt(TIOCEXCL)) != 0 {
            throw .configurationFailed(path: path, operation: "TIOCEXCL", errno: errno)
        }
        var t = termios()
        if tcgetattr(fd, &t) != 0 { throw .configurationFailed(path: path, operation: "tcgetattr", errno: errno) }
        cfmakeraw(&t)
        t.c_cflag |= tcflag_t(CLOCAL | CREAD | CS8)
        t.c_cflag &= ~tcflag_t(PARENB | CSTOPB)
        if configuration.hardwareFlowControl {
            t.c_cflag |= tcflag_t(CRTSCTS)
        } else {
            t.c_cflag &= ~tcflag_t(CRTSCTS)
        }
        t.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
        withUnsafeMutableBytes(of: &t.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        let speed = configuration.baudRate.speed
        if cfsetispeed(&t, speed) != 0 || cfsetospeed(&t, speed) != 0 {
            throw .unsupportedBaudRate(configuration.baudRate.rawValue)
        }
        if tcsetattr(fd, TCSANOW, &t) != 0 {
            throw .configurationFailed(path: path, operation: "tcsetattr", errno: errno)
        }
        _ = tcflush(fd, TCIOFLUSH)
    }
}

extension SerialPort {
    /// Owns the descriptors; shared by the reader thread, the write queue and the port object.
    final class Core: @unchecked Sendable {
        let fd: Int32
        let wakeRead: Int32
        let wakeWrite: Int32
        let path: String
        let lock: UUCPLock?
        let writeQueue: DispatchQueue
        /// (closed by owner, reader finished); guarded so descriptors are closed exactly once.
        private let state = Locked((closed: false, readerDone: false, fdClosed: false))

        init(fd: Int32, wakeRead: Int32, wakeWrite: Int32, path: String, lock: UUCPLock?) {
            self.fd = fd
            self.wakeRead = wakeRead
            self.wakeWrite = wakeWrite
            self.path = path
            self.lock = lock
            self.writeQueue = DispatchQueue(label: "SerialPort.write \(path)")
        }

        var isClosed: Bool { state.withLock { $0.closed } }

        /// Reads until unplug or close; runs on the port's own thread.
        func readLoop(_ continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation) {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            var buffer = [UInt8](repeating: 0, count: 4096)
            var ending: SerialPortError
            loop: while true {
                fds[0].revents = 0
                fds[1].revents = 0
                let r = poll(&fds, 2, -1)
                if r < 0 {
                    if errno == EINTR { continue }
                    ending = .ioFailed(path: path, operation: "poll", errno: errno)
                    break
                }
                if fds[1].revents != 0 || isClosed { ending = .closed(path: path); break }
                let revents = Int32(fds[0].revents)
                if revents & Int32(POLLIN) != 0 {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n > 0 {
                        var chunk = Array(buffer[0..<n])
                        // Back-pressure: while the stream is full, wait (on the wake pipe, so close()
                        // still ends the loop at once) and offer the same chunk again.
                        while case .dropped(let rejected) = continuation.yield(chunk) {
                            chunk = rejected
                            var wakeOnly = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
                            _ = poll(&wakeOnly, 1, 2)
                            if wakeOnly.revents != 0 || isClosed { ending = .closed(path: path); break loop }
                        }
                        continue
                    }
                    if n == 0 { ending = .disconnected(path: path); break }
                    switch errno {
                    case EAGAIN, EINTR: continue loop
                    case EIO, ENXIO, ENODEV: ending = .disconnected(path: path); break loop
                    default: ending = .ioFailed(path: path, operation: "read", errno: errno); break loop
                    }
                }
                if revents & Int32(POLLHUP | POLLERR | POLLNVAL) != 0 { ending = .disconnected(path: path); break }
            }
            continuation.finish(throwing: isClosed ? SerialPortError.closed(path: path) : ending)
            state.withLock { $0.readerDone = true }
            closeDescriptorsIfDone()
        }

        /// Writes every byte, waiting for `POLLOUT` when the kernel buffer is full. Runs on `writeQueue`.
        func writeAll(_ bytes: [UInt8]) -> Result<Void, SerialPortError> {
            var offset = 0
            while offset < bytes.count {
                if isClosed { return .failure(.closed(path: path)) }
                let n = bytes.withUnsafeBytes { raw in
                    Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                }
                if n > 0 { offset += n; continue }
                switch errno {
                case EAGAIN, EINTR:
                    var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&p, 1, 100)
                    if Int32(p.revents) & Int32(POLLHUP | POLLERR | POLLNVAL) != 0 {
                        return .failure(.disconnected(path: path))
                    }
                case EIO, ENXIO, ENODEV:
                    return .failure(.disconnected(path: path))
                default:
                    return .failure(.ioFailed(path: path, operation: "write", errno: errno))
                }
            }
            return .success(())
        }

        /// Marks the port closed and wakes the reader; descriptors close once the reader is out.
        func shutdown() {
            let first = state.withLock { s -> Bool in
                if s.closed { return false }
                s.closed = true
                // Wake the reader while the descriptors are certainly open (closing them needs this lock).
                if !s.fdClosed {
                    var one: UInt8 = 1
                    _ = Glibc.write(wakeWrite, &one, 1)
                }
                return true
            }
            guard first else { return }
            lock?.release()
            closeDescriptorsIfDone()
        }

        private func closeDescriptorsIfDone() {
            let shouldClose = state.withLock { s -> Bool in
                guard s.closed, s.readerDone, !s.fdClosed else { return false }
                s.fdClosed = true
                return true
            }
            guard shouldClose else { return }
            // Close on the write queue so no in-flight write can hit a reused descriptor.
            writeQueue.async { [fd, wakeRead, wakeWrite] in
                Glibc.close(fd)
                Glibc.close(wakeRead)
                Glibc.close(wakeWrite)
            }
        }
    }
}
