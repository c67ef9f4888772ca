import Foundation
import Glibc
import Testing
import ModemEmulator

/// The built CLI, found from this file's path (`swift build` puts it in .build/debug).
let smskitBinary: String = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/smskit").path
}()

/// Runs the CLI and returns (exit code, stdout lines, stderr). Uses `posix_spawn` and a plain thread
/// (not Foundation's `Process`), so the emulator's cooperative tasks keep running meanwhile.
func runCLI(_ arguments: [String]) async throws -> (Int32, [String], String) {
    var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
    guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
    for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    let argv = ([smskitBinary] + arguments).map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, smskitBinary, &actions, nil, argv, environ)
    close(outPipe[1])
    close(errPipe[1])
    guard rc == 0 else { close(outPipe[0]); close(errPipe[0]); throw POSIXError(.ENOEXEC) }
    let (outFD, errFD, child) = (outPipe[0], errPipe[0], pid)
    let (out, err, status) = await withCheckedContinuation { (c: CheckedContinuation<([UInt8], [UInt8], Int32), Never>) in
        Thread {
            let errBytes = Locked([UInt8]())
            let errDone = DispatchSemaphore(value: 0)
            Thread {
                errBytes.value = readAll(errFD)
                errDone.signal()
            }.start()
            let outBytes = readAll(outFD)
            errDone.wait()
            var status: Int32 = 0
            waitpid(child, &status, 0)
            c.resume(returning: (outBytes, errBytes.value, (status >> 8) & 0xFF))
        }.start()
    }
    let lines = String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
    return (status, lines, String(decoding: err, as: UTF8.self))
}

/// Reads a descriptor to EOF and closes it.
private func readAll(_ fd: Int32) -> [UInt8] {
    var all: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n > 0 { all += buffer[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
    }
    close(fd)
    return all
}

func jsonObject(_ line: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

/// Runs when the CLI is built (`swift build` before `swift test`); skipped otherwise.
let cliTestsEnabled = FileManager.default.isExecutableFile(atPath: smskitBinary)

@Suite(.serialized, .enabled(if: cliTestsEnabled, "build smskit first (swift build)"))
struct CLITests {
    @Test func infoSendReportAndListenAgainstTheEmulator() async throws {
        let net = VirtualNetwork(seed: 5, clock: InstantClock())
        let alice = try await net.addModem(number: "+15550001")
        let bob = try await net.addModem(number: "+15550002")
        let a = try #require(await alice.portPath), b = try #require(await bob.portPath)

        let (infoCode, infoLines, _) = try await runCLI(["info", "--port", a, "--json"])
        #expect(infoCode == 0)
        let info = try jsonObject(try #require(infoLines.first))
        #expect(info["imei"] as? String == "354321155500012")
        #expect(info["registration"] as? String == "home")

        let text = String(repeating: "multipart 👍 ", count: 12)
        let listener = Task { try await runCLI(["listen", "--port", b, "--json", "--count", "1", "--timeout", "30"]) }
        let (sendCode, sendLines, sendErr) = try await runCLI(["send", "--port", a, "--to", "+15550002", "--text", text,
                                                               "--report", "--json"])
        #expect(sendCode == 0, "\(sendErr)")
        #expect(sendLines.count == 2)
        let sent = try jsonObject(try #require(sendLines.first))
        #expect((sent["references"] as? [Int])?.count == 3)
        #expect(try jsonObject(try #require(sendLines.last))["delivery"] as? String == "delivered")

        let (listenCode, listenLines, listenErr) = try await listener.value
        #expect(listenCode == 0, "\(listenErr)")
        let message = try jsonObject(try #require(listenLines.first))
        #expect(message["text"] as? String == text)
        #expect(message["from"] as? String == "+15550001")
        #expect(message["parts"] as? Int == 3)
        #expect(message["smsc"] as? String == "+15550000")
        #expect(message["timestamp"] is String)
        #expect(await bob.storedMessages().isEmpty)  // acknowledged → deleted
        await net.shutdown()
    }

    @Test func errorsAreOneLineOnStderr() async throws {
        let (code, out, err) = try await runCLI(["info", "--port", "/dev/does-not-exist", "--json"])
        #expect(code == 1 && out.isEmpty)
        #expect(err.hasPrefix("error: cannot open /dev/does-not-exist"))
        let (code2, _, err2) = try await runCLI(["send", "--port", "/dev/null", "--to", "1", "--text", "a", "--data-hex", "00"])
        #expect(code2 != 0 && err2.contains("exactly one of --text or --data-hex"))
    }
}
