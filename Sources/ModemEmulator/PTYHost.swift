import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Hosts the master side of one pseudo-terminal on a dedicated I/O thread.
///
/// The host keeps its own slave descriptor open, so clients can open and close the slave path
/// (`/dev/pts/N`) any number of times without the master seeing a hang-up. The thread blocks in
/// `poll(2)` on the master and on a wake-up pipe; nothing blocks Swift's cooperative pool: input is
/// handed to `onInput` and output is queued by ``write(_:)`` and written when the master is writable.
final class PTYHost: @unchecked Sendable {
    /// The slave path clients open, e.g. `/dev/pts/7`.
    let path: String

    private let master: Int32
    private let slave: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let onInput: @Sendable ([UInt8]) -> Void

    private let lock = NSLock()
    private var pending: [UInt8] = []
    private var stopping = false
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    /// Output kept for a client that does not read; older bytes are dropped beyond this.
    private static let maxPending = 256 * 1024

    /// Opens a new PTY pair in raw mode and starts its I/O thread.
    init(onInput: @escaping @Sendable ([UInt8]) -> Void) throws(EmulatorError) {
        var masterFD: Int32 = -1
        var slaveFD: Int32 = -1
        guard openpty(&masterFD, &slaveFD, nil, nil, nil) == 0 else { throw .ptyFailed(call: "openpty", errno: errno) }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            let code = errno
            close(masterFD); close(slaveFD)
            throw .ptyFailed(call: "pipe", errno: code)
        }
        var nameBuffer = [CChar](repeating: 0, count: 256)
        guard ttyname_r(slaveFD, &nameBuffer, nameBuffer.count) == 0 else {
            let code = errno
            [masterFD, slaveFD, pipeFDs[0], pipeFDs[1]].forEach { close($0) }
            throw .ptyFailed(call: "ttyname_r", errno: code)
        }
        // Raw mode on the slave: no echo, no CR/LF translation, no signals; every byte passes as is.
        var attributes = termios()
        if tcgetattr(slaveFD, &attributes) == 0 {
            cfmakeraw(&attributes)
            cfsetspeed(&attributes, speed_t(B115200))
            withUnsafeMutableBytes(of: &attributes.c_cc) { cc in
                cc[Int(VMIN)] = 1
                cc[Int(VTIME)] = 0
            }
            tcsetattr(slaveFD, TCSANOW, &attributes)
        }
        for fd in [masterFD, pipeFDs[0], pipeFDs[1]] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        _ = fcntl(slaveFD, F_SETFD, FD_CLOEXEC)
        let nameBytes = nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        path = String(decoding: nameBytes, as: UTF8.self)
        master = masterFD
        slave = slaveFD
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        self.onInput = onInput
        let thread = Thread { [self] in self.run() }
        thread.name = "pty \(path)"
        thread.start()
    }

    /// Queues bytes for the client; never blocks. Output beyond 256 KiB that no client reads is dropped (oldest first).
    func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let accepted = lock.withLock { () -> Bool in
            guard !stopping else { return false }
            pending.append(contentsOf: bytes)
            if pending.count > Self.maxPending { pending.removeFirst(pending.count - Self.maxPending) }
            return true
        }
        if accepted { wake() }
    }

    /// Stops the I/O thread and closes the master and slave: clients see `EIO`/hang-up. Returns when the thread is gone.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyExited = lock.withLock { () -> Bool in
                stopping = true
                if exited { return true }
                exitWaiters.append(continuation)
                return false
            }
            if alreadyExited { continuation.resume() } else { wake() }
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    /// The I/O loop: poll master and wake pipe; read input, write queued output, exit when stopping.
    private func run() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let wantWrite = lock.withLock { !pending.isEmpty }
            var fds = [
                pollfd(fd: master, events: Int16(POLLIN) | (wantWrite ? Int16(POLLOUT) : 0), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                break
            }
            if fds[1].revents != 0 {
                while buffer.withUnsafeMutableBytes({ read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
                if lock.withLock({ stopping }) { break }
            }
            let events = fds[0].revents
            if events & Int16(POLLIN) != 0 {
                let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                if count > 0 { onInput(Array(buffer[0..<count])) }
            }
            if events & Int16(POLLOUT) != 0 { flushPending() }
            if events & Int16(POLLIN) == 0, events & Int16(POLLHUP | POLLERR) != 0 {
                usleep(20_000)  // no slave open (cannot happen while we hold ours); avoid spinning
            }
        }
        close(master)
        close(slave)
        close(wakeRead)
        close(wakeWrite)
        let waiters = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            exited = true
            pending.removeAll()
            defer { exitWaiters.removeAll() }
            return exitWaiters
        }
        waiters.forEach { $0.resume() }
    }

    private func flushPending() {
        lock.withLock {
            guard !pending.isEmpty else { return }
            let written = pending.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            if written > 0 { pending.removeFirst(written) }
        }
    }
}
