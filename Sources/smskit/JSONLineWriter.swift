import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one writer of a command's standard output: JSON lines queued from any task are written whole and in
/// order by one dedicated thread, unbuffered, so lines never interleave and a slow reader never blocks Swift's
/// cooperative pool.
///
/// ```swift
/// let out = JSONLineWriter()
/// out.emit(["event": "ok"])     // {"event":"ok"}
/// await out.finish()            // everything queued is written
/// ```
final class JSONLineWriter: @unchecked Sendable {
    private let descriptor: Int32
    private let condition = NSCondition()
    private var queue: [[UInt8]] = []
    private var finishing = false
    private var done = false
    private var finishWaiters: [CheckedContinuation<Void, Never>] = []

    /// A writer on `descriptor` (standard output by default); its thread starts at once.
    init(descriptor: Int32 = STDOUT_FILENO) {
        self.descriptor = descriptor
        let thread = Thread { [self] in self.run() }
        thread.name = "smskit stdout"
        thread.start()
    }

    /// Encodes `value` as one JSON line (sorted keys, snake_case keys, unescaped slashes) and queues it.
    /// A value that cannot be encoded is reported on standard error instead.
    func emit<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do {
            let line = Array(try encoder.encode(value)) + [0x0A]
            condition.withLock {
                guard !finishing else { return }
                queue.append(line)
                condition.signal()
            }
        } catch {
            Output.error("smskit: cannot encode an output line: \(error)")
        }
    }

    /// Writes what is queued, then stops the thread; later lines are dropped.
    func finish() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = condition.withLock { () -> Bool in
                finishing = true
                if done { return true }
                finishWaiters.append(continuation)
                condition.signal()
                return false
            }
            if finished { continuation.resume() }
        }
    }

    private func run() {
        while true {
            let (lines, stop) = condition.withLock { () -> ([[UInt8]], Bool) in
                while queue.isEmpty, !finishing { condition.wait() }
                defer { queue.removeAll(keepingCapacity: true) }
                return (queue, finishing)
            }
            for line in lines { writeAll(line) }
            guard stop else { continue }
            let waiters = condition.withLock { () -> [CheckedContinuation<Void, Never>] in
                guard queue.isEmpty else { return [] }
                done = true
                defer { finishWaiters.removeAll() }
                return finishWaiters
            }
            if condition.withLock({ done }) {
                waiters.forEach { $0.resume() }
                return
            }
        }
    }

    /// Writes every byte (retrying short writes and interruptions); gives up when the reader went away.
    private func writeAll(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR || errno == EAGAIN {
                if errno == EAGAIN {
                    var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, 100)
                }
            } else {
                return  // EPIPE and the like: nobody reads any more
            }
        }
    }
}
