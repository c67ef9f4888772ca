import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal for prober tests: the prober opens `slavePath`, the test plays the modem on `master`.
final class PTYPair: @unchecked Sendable {
    let master: Int32
    let slave: Int32
    let slavePath: String

    init() throws {
        var master: Int32 = -1, slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw POSIXError(.ENODEV) }
        var name = [CChar](repeating: 0, count: 128)
        guard ttyname_r(slave, &name, name.count) == 0 else { throw POSIXError(.ENOTTY) }
        // Child processes spawned by other tests must not inherit these descriptors.
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slave, F_SETFD, FD_CLOEXEC)
        self.master = master
        self.slave = slave
        self.slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        close(master)
        close(slave)
    }

    /// Answers every `AT\r` written to the port with `reply` on a background thread, once.
    func answerOnce(with reply: String) {
        let master = self.master
        Thread.detachNewThread {
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 64)
            while !received.contains(0x0D) {
                var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 5_000) > 0 else { return }
                let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                guard count > 0 else { return }
                received += buffer[0..<count]
            }
            let bytes = Array(reply.utf8)
            _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        }
    }

    /// Bytes waiting on the master side right now (what the prober wrote), without blocking.
    func pendingFromPort() -> [UInt8] {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
        return count > 0 ? Array(buffer[0..<count]) : []
    }
}
