import Foundation
import Glibc

/// A pty pair for tests: the test plays the modem on `master`; the code under test opens `path`.
final class PseudoTerminal: @unchecked Sendable {
    let master: Int32
    private(set) var slave: Int32
    let path: String

    init() throws {
        var m: Int32 = -1
        var s: Int32 = -1
        guard openpty(&m, &s, nil, nil, nil) == 0 else { throw POSIXError(.EIO) }
        var name = [CChar](repeating: 0, count: 128)
        guard ttyname_r(s, &name, name.count) == 0 else { throw POSIXError(.EIO) }
        // Close-on-exec, so child processes (CLI tests) never hold a pty open and mask a hang-up.
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
    func closeSlave() {
        if slave >= 0 { close(slave); slave = -1 }
    }

    func writeMaster(_ text: String) { writeMaster(Array(text.utf8)) }

    func writeMaster(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in raw.baseAddress.map { Glibc.write(master, $0 + offset, raw.count - offset) } ?? 0 }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Reads what the client wrote until `predicate` holds or `timeout` passes (a failure guard).
    func readMaster(timeout: TimeInterval = 5, until predicate: (String) -> Bool) -> String {
        var collected: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 1024)
        while Date() < deadline {
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 50) > 0 {
                let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                if n > 0 { collected += buffer[0..<n] } else { break }
                if predicate(String(decoding: collected, as: UTF8.self)) { break }
            }
        }
        return String(decoding: collected, as: UTF8.self)
    }

    private var masterOpen = true

    func closeMaster() {
        if masterOpen { close(master); masterOpen = false }
    }

    deinit {
        closeSlave()
        closeMaster()
    }
}
