import Foundation
import Testing
import ATModem
import SMSKitTestSupport
import SerialPort
@testable import ModemDiscovery

@Suite("AT probing over a pseudo-terminal")
struct ATPortProberTests {
    /// A lock directory of our own, so tests never see the host's locks, and no /proc scan: a child
    /// that another test spawns at the wrong moment could inherit our PTY and make it look busy.
    /// (The /proc scan has its own test, `openedElsewhere`.)
    /// The prober's own lock (SerialPort's) goes to the same directory.
    func prober(lockDirectory: String = "/nonexistent-smskit-locks", timeout: Duration = .milliseconds(300)) -> ATPortProber {
        ATPortProber(timeout: timeout, ownership: PortOwnership(lockDirectories: [lockDirectory],
                                                                procRoot: "/nonexistent-smskit-proc"),
                     serialConfiguration: SerialConfiguration(lockDirectory: lockDirectory))
    }

    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("smskit-locks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Probes a fresh PTY whose far side answers `reply` once.
    func probe(replying reply: String, timeout: Duration) async throws -> ProbeResult {
        let pty = try PseudoTerminal()
        defer { withExtendedLifetime(pty) {} } // the master must outlive the probe
        pty.answerOnce(with: reply)
        return await prober(timeout: timeout).probe(devnode: pty.path)
    }

    @Test("OK (with or without echo) and ERROR prove a command interpreter",
          arguments: ["AT\r\r\nOK\r\n", "\r\nOK\r\n", "\r\nERROR\r\n"])
    func answered(reply: String) async throws {
        let result = try await probe(replying: reply, timeout: .seconds(5))
        #expect(result == .answered, "\(result)")
    }

    @Test("Silence or noise until the timeout is 'silent'")
    func silent() async throws {
        #expect(try await probe(replying: "$GPGGA,,,,\r\n", timeout: .milliseconds(200)) == .silent)
    }

    /// A fresh PTY and a private lock directory with its lock file, named as SerialPort names it
    /// (`/dev/pts/5` → `LCK..pts_5`, not `LCK..5`), holding `content`.
    func lockedPTY(_ content: String) throws -> (pty: PseudoTerminal, locks: String) {
        let pty = try PseudoTerminal()
        let locks = try temporaryDirectory()
        try content.write(toFile: UUCPLock.lockPath(forDevice: pty.path, directory: locks), atomically: true, encoding: .ascii)
        return (pty, locks)
    }

    @Test("A live UUCP lock of another process (LCK..pts_N, as SerialPort writes it) means busy; nothing is written")
    func lockedPort() async throws {
        let (pty, locks) = try lockedPTY(UUCPLock.content(pid: getppid()))
        defer { try? FileManager.default.removeItem(atPath: locks) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: locks).contains { $0.hasPrefix("LCK..pts_") })
        #expect(PortOwnership(lockDirectories: [locks]).lockOwner(of: pty.path) == getppid())
        #expect(await prober(lockDirectory: locks).probe(devnode: pty.path) == .busy)
        #expect(pty.pendingFromPort().isEmpty)
    }

    @Test("A port SerialPort holds in this process is busy for discovery, by its path and through a symlink")
    func heldBySerialPort() async throws {
        let pty = try PseudoTerminal()
        let locks = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: locks) }
        // Not exclusive: the PTY keeps its own slave open, so TIOCEXCL would outlive close() (and only root may reopen).
        let held = try SerialPort(path: pty.path, configuration: SerialConfiguration(exclusive: false, lockPolicy: .required,
                                                                                      lockDirectory: locks))
        defer { held.close() }
        #expect(held.lockFilePath == UUCPLock.lockPath(forDevice: pty.path, directory: locks))
        let link = locks + "/modem-at"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: pty.path)
        #expect(UUCPLock.holder(of: link, directory: locks) == getpid())
        #expect(PortOwnership(lockDirectories: [locks]).isHeld(pty.path))
        #expect(await prober(lockDirectory: locks).probe(devnode: pty.path) == .busy)
        #expect(await prober(lockDirectory: locks).probe(devnode: link) == .busy)
        // Discovery's own probe lock is SerialPort's too: once released, the port can be probed.
        held.close()
        #expect(UUCPLock.holder(of: pty.path, directory: locks) == nil)
        pty.answerOnce(with: "\r\nOK\r\n")
        #expect(await prober(lockDirectory: locks, timeout: .seconds(5)).probe(devnode: link) == .answered)
        #expect(try FileManager.default.contentsOfDirectory(atPath: locks) == ["modem-at"], "the probe released its lock")
    }

    @Test("Open and AT failures map to busy, silent, answered or failed")
    func resultMapping() {
        #expect(ATPortProber.result(of: SerialPortError.openFailed(path: "/dev/x", errno: EBUSY)) == .busy)
        #expect(ATPortProber.result(of: SerialPortError.locked(path: "/dev/x", pid: 42)) == .busy)
        #expect(ATPortProber.result(of: SerialPortError.notATerminal(path: "/dev/x")) == .failed(SerialPortError.notATerminal(path: "/dev/x").description))
        #expect(ATPortProber.result(of: ATError.timeout(command: "AT", after: .seconds(1))) == .silent)
        #expect(ATPortProber.result(of: ATError.error(command: "AT")) == .answered)
        #expect(ATPortProber.result(of: ATError.disconnected(path: "/dev/x")) == .failed(ATError.disconnected(path: "/dev/x").description))
    }

    @Test("A stale lock (dead PID) does not block probing")
    func staleLock() async throws {
        let (pty, locks) = try lockedPTY("4194304\n") // above pid_max: nobody
        defer {
            try? FileManager.default.removeItem(atPath: locks)
            withExtendedLifetime(pty) {} // the master must outlive the probe
        }
        pty.answerOnce(with: "\r\nOK\r\n")
        #expect(await prober(lockDirectory: locks, timeout: .seconds(5)).probe(devnode: pty.path) == .answered)
    }

    @Test("A port another process has open is not touched")
    func openedElsewhere() async throws {
        let pty = try PseudoTerminal()
        defer { withExtendedLifetime(pty) {} } // the master must outlive the probe
        // Another process with the port open: a shell that opens it, says so, then sleeps.
        let holder = try ChildProcess(["-c", "exec 3<>\(pty.path) && echo open && exec sleep 30"], executable: "/bin/sh")
        var lines = holder.lines.makeAsyncIterator()
        #expect(await lines.next() == "open")
        defer { holder.signal(SIGKILL) }
        #expect(PortOwnership().hasOtherOpener(pty.path))
        let realProc = ATPortProber(timeout: .milliseconds(300), ownership: PortOwnership(lockDirectories: []))
        #expect(await realProc.probe(devnode: pty.path) == .busy)
        #expect(pty.pendingFromPort().isEmpty)
    }

    @Test("A missing port fails with the reason")
    func missing() async {
        let result = await prober().probe(devnode: "/dev/smskit-does-not-exist")
        guard case .failed(let why) = result else {
            Issue.record("expected .failed, got \(result)")
            return
        }
        #expect(why.contains("No such file"))
    }

    @Test("Probe candidates: unknown ports of non-adapter devices without an AT port")
    func candidates() {
        let devices = ModemAssembler.assemble([
            port("1e2d", "0053", "00", vendorSpecific, node: "/dev/ttyUSB0", usb: "/u/1"),
            port("1e2d", "0053", "01", vendorSpecific, node: "/dev/ttyUSB1", usb: "/u/1"),
            port("0403", "6001", "00", vendorSpecific, driver: "ftdi_sio", node: "/dev/ttyUSB5", usb: "/u/2"),
            port("2c7c", "0125", "02", vendorSpecific, node: "/dev/ttyUSB7", usb: "/u/3"),
        ])
        #expect(ModemDiscovery.probeCandidates(devices) == ["/dev/ttyUSB0"])
    }
}

@Suite("UUCP lock files as discovery reads them (UUCPLock)")
struct LockFileTests {
    /// Writes `bytes` as the lock of `device` in a fresh directory and asks who holds it.
    func holder(_ bytes: [UInt8], device: String = "/dev/ttyUSB2") throws -> pid_t? {
        let locks = FileManager.default.temporaryDirectory.appendingPathComponent("smskit-locks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: locks) }
        try Data(bytes).write(to: URL(fileURLWithPath: UUCPLock.lockPath(forDevice: device, directory: locks)))
        return PortOwnership(lockDirectories: ["/nonexistent-smskit-locks", locks]).lockOwner(of: device)
    }

    @Test("Names follow SerialPort: the path below /dev with / as _")
    func names() {
        #expect(UUCPLock.lockPath(forDevice: "/dev/pts/5", directory: "/run/lock") == "/run/lock/LCK..pts_5")
        #expect(UUCPLock.lockPath(forDevice: "/dev/ttyUSB2", directory: "/var/lock") == "/var/lock/LCK..ttyUSB2")
    }

    @Test("ASCII and binary PIDs of live processes are read; dead PIDs and garbage are stale")
    func parse() throws {
        let parent = getppid()
        #expect(try holder(Array("\(String(parent).leftPadded(to: 10))\n".utf8)) == parent)
        #expect(try holder(withUnsafeBytes(of: parent.littleEndian) { Array($0) }) == parent)
        #expect(try holder(Array("4194304\n".utf8)) == nil) // above pid_max: nobody
        #expect(try holder(Array("nope".utf8)) == nil)
        #expect(try holder([]) == nil)
    }
}

extension String {
    /// HDB UUCP lock files hold the PID right-aligned in 10 columns.
    func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
