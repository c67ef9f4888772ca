import Foundation
import SMSKitTestSupport
import Glibc
import Testing
@testable import SerialPort

@Suite struct SerialPortTests {
    let lockDir: String

    init() throws {
        lockDir = NSTemporaryDirectory() + "smskit-locks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: lockDir, withIntermediateDirectories: true)
    }

    var config: SerialConfiguration { .init(lockPolicy: .required, lockDirectory: lockDir) }

    @Test func readsAndWritesThroughAPty() async throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.path, configuration: config)
        defer { port.close() }
        try await port.write(Array("AT\r".utf8))
        #expect(await pty.readMaster { $0.contains("\r") } == "AT\r")
        pty.writeMaster("\r\nOK\r\n")
        var received: [UInt8] = []
        for try await chunk in port.incoming {
            received += chunk
            if received.count >= 6 { break }
        }
        #expect(String(decoding: received, as: UTF8.self) == "\r\nOK\r\n")
    }

    @Test func unplugEndsReadsWithDisconnected() async throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.path, configuration: config)
        defer { port.close() }
        pty.closeSlave()
        pty.writeMaster("partial")
        pty.closeMaster()
        var bytes: [UInt8] = []
        await #expect(throws: SerialPortError.disconnected(path: pty.path)) {
            for try await chunk in port.incoming { bytes += chunk }
        }
        await #expect(throws: SerialPortError.self) { try await port.write(Array("AT\r".utf8)) }
    }

    @Test func closeEndsReadsWithClosedAndRemovesLock() async throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.path, configuration: config)
        let lock = try #require(port.lockFilePath)
        #expect(FileManager.default.fileExists(atPath: lock))
        port.close()
        await #expect(throws: SerialPortError.closed(path: pty.path)) {
            for try await _ in port.incoming {}
        }
        #expect(!FileManager.default.fileExists(atPath: lock))
        await #expect(throws: SerialPortError.closed(path: pty.path)) { try await port.write([0x41]) }
    }

    @Test func lockFileHasUUCPFormatAndPtyName() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.path, configuration: config)
        defer { port.close() }
        let name = UUCPLock.lockName(forDevice: pty.path)
        #expect(name.hasPrefix("LCK..pts_") && !name.contains("/"))
        #expect(port.lockFilePath == lockDir + "/" + name)
        let content = try String(contentsOfFile: lockDir + "/" + name, encoding: .ascii)
        #expect(content.count == 11)
        #expect(content == String(format: "%10d\n", getpid()))
        #expect(UUCPLock.lockName(forDevice: "/dev/ttyUSB2") == "LCK..ttyUSB2")
    }

    @Test func liveLockIsRespectedAndSecondOpenFails() throws {
        let pty = try PseudoTerminal()
        let name = UUCPLock.lockName(forDevice: pty.path)
        let holder = getppid()
        try UUCPLock.content(pid: holder).write(toFile: lockDir + "/" + name, atomically: true, encoding: .ascii)
        #expect(throws: SerialPortError.locked(path: pty.path, pid: holder)) {
            _ = try SerialPort(path: pty.path, configuration: config)
        }
        try FileManager.default.removeItem(atPath: lockDir + "/" + name)
        let port = try SerialPort(path: pty.path, configuration: config)
        defer { port.close() }
        #expect(throws: SerialPortError.locked(path: pty.path, pid: getpid())) {
            _ = try SerialPort(path: pty.path, configuration: config)
        }
    }

    @Test func staleLockOfDeadProcessIsTakenOver() async throws {
        let pty = try PseudoTerminal()
        let dead = try ChildProcess([], executable: "/bin/true")
        _ = await dead.waitForExit()
        let lockPath = lockDir + "/" + UUCPLock.lockName(forDevice: pty.path)
        try UUCPLock.content(pid: dead.pid).write(toFile: lockPath, atomically: true, encoding: .ascii)
        let port = try SerialPort(path: pty.path, configuration: config)
        defer { port.close() }
        #expect(try String(contentsOfFile: lockPath, encoding: .ascii) == UUCPLock.content(pid: getpid()))
        // Garbage content is stale too.
        port.close()
        try "garbage".write(toFile: lockPath, atomically: true, encoding: .ascii)
        let again = try SerialPort(path: pty.path, configuration: config)
        again.close()
    }

    @Test func missingDeviceAndNonTerminalAreTypedErrors() throws {
        #expect(throws: SerialPortError.openFailed(path: "/dev/does-not-exist", errno: ENOENT)) {
            _ = try SerialPort(path: "/dev/does-not-exist", configuration: config)
        }
        #expect(throws: SerialPortError.notATerminal(path: "/dev/null")) {
            _ = try SerialPort(path: "/dev/null", configuration: config)
        }
    }

    @Test func bigWritesComplete() async throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.path, configuration: config)
        defer { port.close() }
        let payload = [UInt8](repeating: UInt8(ascii: "A"), count: 200_000) + [0x0D]
        async let written: Void = port.write(payload)
        let got = await pty.readMaster(timeout: 10) { $0.hasSuffix("\r") }
        try await written
        #expect(got.utf8.count == payload.count)
    }
}
