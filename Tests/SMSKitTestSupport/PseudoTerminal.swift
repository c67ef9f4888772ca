import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A pty pair for tests: the test plays the modem on `master`; the code under test opens `path`.
///
/// Both descriptors are close-on-exec, so child processes never hold the pty open and mask a
/// hang-up. Waiting for the client's bytes (``readMaster(timeout:until:)``) runs on a plain
/// thread, never on a cooperative one; ``answerOnce(with:)``'s thread works on its own duplicate
/// of the master, so closing the pair can never leave it reading a reused descriptor number.
public final class PseudoTerminal: @unchecked Sendable {
    public let master: Int32
    public private(set) var slave: Int32
    /// The slave's path (`/dev/pts/N`).
    public let path: String
    private let lock = NSLock()
    private var masterOpen = true

    public init() throws {
        var m: Int32 = -1
        var s: Int32 = -1
        guard openpty(&m, &s, nil, nil, nil) == 0 else { throw TestFailure("openpty: \(String(cString: strerror(errno)))") }
        var name = [CChar](repeating: 0, count: 128)
        guard ttyname_r(s, &name, name.count) == 0 else {
            close(m); close(s)
            throw TestFailure("ttyname_r failed")
        }
        _ = fcntl(m, F_SETFD, FD_CLOEXEC)
        _ = fcntl(s, F_SETFD, FD_CLOEXEC)
        master = m
        slave = s
        path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var t = termios()
        tcgetattr(m, &t)
        cfmakeraw(&t)
        tcsetattr(m, TCSANOW, &t)
        tcgetattr(s, &t)
        cfmakeraw(&t)
        tcsetattr(s, TCSANOW, &t)
    }

    /// Closes the test's own slave descriptor (so a closed client makes the master see EIO).
    public func closeSlave() {
        lock.withLock {
            if slave >= 0 { close(slave); slave = -1 }
        }
    }

    public func closeMaster() {
        lock.withLock {
            if masterOpen { close(master); masterOpen = false }
        }
    }

    deinit {
        closeSlave()
        closeMaster()
    }

    public func writeMaster(_ text: String) { writeMaster(Array(text.utf8)) }

    public func writeMaster(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }

    /// Reads what the client wrote until `predicate` holds or `timeout` passes (a failure guard).
    public func readMaster(timeout: TimeInterval = 5, until predicate: @escaping @Sendable (String) -> Bool) async -> String {
        guard let fd = duplicateMaster() else { return "" }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                defer { close(fd) }
                var collected: [UInt8] = []
                let deadline = Date().addingTimeInterval(timeout)
                var buffer = [UInt8](repeating: 0, count: 4096)
                while Date() < deadline {
                    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    guard poll(&p, 1, 50) > 0 else { continue }
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n > 0 { collected += buffer[0..<n] } else { break }
                    if predicate(String(decoding: collected, as: UTF8.self)) { break }
                }
                continuation.resume(returning: String(decoding: collected, as: UTF8.self))
            }
        }
    }

    /// Answers the first command (bytes up to a CR) written to the port with `reply`, once, on a
    /// plain thread; it gives up after 5 s of silence.
    public func answerOnce(with reply: String) {
        guard let fd = duplicateMaster() else { return }
        Thread.detachNewThread {
            defer { close(fd) }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 64)
            while !received.contains(0x0D) {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 5_000) > 0 else { return }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { return }
                received += buffer[0..<count]
            }
            let bytes = Array(reply.utf8)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
    }

    /// Bytes waiting on the master side right now (what the client wrote), without blocking.
    public func pendingFromPort() -> [UInt8] {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
        return count > 0 ? Array(buffer[0..<count]) : []
    }

    private func duplicateMaster() -> Int32? {
        lock.withLock {
            guard masterOpen else { return nil }
            let fd = fcntl(master, F_DUPFD_CLOEXEC, 0)
            return fd >= 0 ? fd : nil
        }
    }
}
