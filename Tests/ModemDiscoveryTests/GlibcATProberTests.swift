import Foundation
import Testing
import SMSKitTestSupport
@testable import ModemDiscovery

@Suite("AT probing over a pseudo-terminal")
struct GlibcATProberTests {
    /// A lock directory of our own, so tests never see the host's locks, and no /proc scan: a child
    /// that another test spawns at the wrong moment could inherit our PTY and make it look busy.
    /// (The /proc scan has its own test, `openedElsewhere`.)
    func prober(lockDirectory: String = "/nonexistent-smskit-locks", timeout: Duration = .milliseconds(300)) -> GlibcATProber {
        GlibcATProber(timeout: timeout, ownership: PortOwnership(lockDirectories: [lockDirectory],
                                                                 procRoot: "/nonexistent-smskit-proc"))
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

    /// A fresh PTY and a private lock directory whose `LCK..<pts number>` holds `content`.
    func lockedPTY(_ content: String) throws -> (pty: PseudoTerminal, locks: String) {
        let pty = try PseudoTerminal()
        let locks = try temporaryDirectory()
        let name = "LCK.." + (pty.path.split(separator: "/").last.map(String.init) ?? "")
        try content.write(toFile: locks + "/" + name, atomically: true, encoding: .ascii)
        return (pty, locks)
    }

    @Test("A live UUCP lock means busy, and nothing is written to the port")
    func lockedPort() async throws {
        let (pty, locks) = try lockedPTY("\(String(getppid()).leftPadded(to: 10))\n")
        defer { try? FileManager.default.removeItem(atPath: locks) }
        #expect(await prober(lockDirectory: locks).probe(devnode: pty.path) == .busy)
        #expect(pty.pendingFromPort().isEmpty)
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
        let realProc = GlibcATProber(timeout: .milliseconds(300), ownership: PortOwnership(lockDirectories: []))
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

extension String {
    /// HDB UUCP lock files hold the PID right-aligned in 10 columns.
    func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}

@Suite("UUCP lock file contents")
struct LockFileTests {
    @Test("ASCII and binary PIDs are read; garbage is nil")
    func parse() {
        #expect(PortOwnership.lockPID(Data("      1234\n".utf8)) == 1234)
        #expect(PortOwnership.lockPID(Data([0xD2, 0x04, 0x00, 0x00])) == 1234)
        #expect(PortOwnership.lockPID(Data("nope".utf8)) == nil)
        #expect(PortOwnership.lockPID(Data()) == nil)
    }
}
