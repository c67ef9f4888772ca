import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Errors of the raw test client.
enum ATClientError: Error, CustomStringConvertible {
    case open(String, Int32)
    case timeout(waitingFor: String, received: String)
    case closed(received: String)

    var description: String {
        switch self {
        case .open(let path, let code): "cannot open \(path): \(String(cString: strerror(code)))"
        case .timeout(let what, let received): "timed out waiting for \(what); unread: \(received.debugDescription)"
        case .closed(let received): "port closed (EIO); unread: \(received.debugDescription)"
        }
    }
}

/// A raw AT client over a PTY slave, independent of ATModem: `open(2)`, `write(2)`, and a reader thread.
///
/// Reading happens on a dedicated thread (poll with a short timeout) so tests never block Swift's cooperative pool.
final class ATClient: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [UInt8] = []
    private var consumed = 0
    private var closed = false
    private var hungUp = false
    private var waiters: [Waiter] = []
    private var done = false

    private struct Waiter {
        var description: String
        var match: (String) -> String.Index?
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<String, any Error>
    }

    init(path: String) throws {
        self.path = path
        let fd = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw ATClientError.open(path, errno) }
        var attributes = termios()
        tcgetattr(fd, &attributes)
        cfmakeraw(&attributes)
        cfsetspeed(&attributes, speed_t(B9600))  // any baud rate works
        tcsetattr(fd, TCSANOW, &attributes)
        tcflush(fd, TCIOFLUSH)
        self.fd = fd
        let thread = Thread { [self] in self.run() }
        thread.start()
    }

    deinit { close() }

    /// Closes the port (the reader thread ends within 20 ms).
    func close() {
        let wasOpen = lock.withLock { () -> Bool in
            defer { closed = true }
            return !closed
        }
        guard wasOpen else { return }
        while !lock.withLock({ done }) { usleep(1000) }
        Glibc.close(fd)
    }

    /// Writes raw bytes.
    func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count > 0 { offset += count } else if errno != EAGAIN { return } else { usleep(500) }
        }
    }

    /// Sends `line` + CR and returns everything up to and including the final result code (or the `> ` prompt).
    @discardableResult
    func command(_ line: String, timeout: Duration = .seconds(5)) async throws -> String {
        write(line + "\r")
        return try await readFinal(timeout: timeout)
    }

    /// Reads up to the next final result code or `> ` prompt.
    func readFinal(timeout: Duration = .seconds(5)) async throws -> String {
        try await read(until: "a final result", timeout: timeout, match: ATClient.finalResultEnd)
    }

    /// Reads until `needle` has arrived; returns the text through it.
    @discardableResult
    func read(until needle: String, timeout: Duration = .seconds(5)) async throws -> String {
        try await read(until: needle.debugDescription, timeout: timeout) { text in text.range(of: needle)?.upperBound }
    }

    /// Everything received and not consumed yet (without waiting).
    func unread() -> String {
        lock.withLock { String(decoding: received[consumed...], as: UTF8.self) }
    }

    /// True once the emulator side went away (read gave EIO/HUP).
    var isHungUp: Bool { lock.withLock { hungUp } }

    /// Waits until the port reports a hang-up.
    func waitForHangUp(timeout: Duration = .seconds(5)) async throws {
        _ = try await read(until: "hang-up", timeout: timeout) { [self] text in
            self.hungUpUnlocked ? text.endIndex : nil
        }
    }

    private var hungUpUnlocked: Bool { hungUp }

    /// End of the first final result code (`OK`, `ERROR`, `+CME ERROR: …`, `+CMS ERROR: …`, `NO CARRIER`) or prompt.
    static func finalResultEnd(_ text: String) -> String.Index? {
        var best: String.Index?
        for pattern in ["\r\nOK\r\n", "\r\nERROR\r\n", "\r\nNO CARRIER\r\n", "\r\n> "] {
            if let range = text.range(of: pattern), best.map({ range.upperBound < $0 }) ?? true { best = range.upperBound }
        }
        for prefix in ["\r\n+CME ERROR: ", "\r\n+CMS ERROR: "] {
            if let range = text.range(of: prefix), let end = text[range.upperBound...].range(of: "\r\n"),
               best.map({ end.upperBound < $0 }) ?? true {
                best = end.upperBound
            }
        }
        return best
    }

    private func read(until description: String, timeout: Duration,
                      match: @escaping (String) -> String.Index?) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            lock.withLock {
                waiters.append(Waiter(description: description, match: match,
                                      deadline: .now + timeout, continuation: continuation))
                serviceWaiters()
            }
        }
    }

    /// Resolves waiters whose text has arrived or whose deadline passed. Call with the lock held.
    private func serviceWaiters() {
        while let waiter = waiters.first {
            let text = String(decoding: received[consumed...], as: UTF8.self)
            if let end = waiter.match(text) {
                let taken = String(text[..<end])
                consumed += taken.utf8.count
                waiters.removeFirst()
                waiter.continuation.resume(returning: taken)
            } else if hungUp, waiter.description != "hang-up" {
                waiters.removeFirst()
                waiter.continuation.resume(throwing: ATClientError.closed(received: text))
            } else if ContinuousClock.now >= waiter.deadline || closed {
                waiters.removeFirst()
                waiter.continuation.resume(throwing: ATClientError.timeout(waitingFor: waiter.description, received: text))
            } else {
                return
            }
        }
    }

    private func run() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !lock.withLock({ closed }) {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 20)
            var chunk: [UInt8] = []
            var gone = false
            if ready > 0 {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if count > 0 { chunk = Array(buffer[0..<count]) } else if count < 0, errno != EAGAIN { gone = true }
                if descriptor.revents & Int16(POLLHUP | POLLERR) != 0, count <= 0 { gone = true }
            }
            lock.withLock {
                received += chunk
                if gone { hungUp = true }
                serviceWaiters()
            }
            if gone { usleep(10_000) }
        }
        lock.withLock {
            serviceWaiters()
            done = true
        }
    }

}
