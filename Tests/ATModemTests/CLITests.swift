import Foundation
import Glibc
import Testing
import SMSKitTestSupport
import ModemEmulator

/// Runs the CLI to its end (killed after `limit` seconds: a hang is a failure, not a stuck suite) and
/// returns its exit code (128 + signal when a signal ended it, so a trap never passes), stdout lines and stderr.
func runCLI(_ arguments: [String], environment: [String: String] = [:], limit: Double = 60) async throws
    -> (code: Int32, out: [String], err: String) {
    let r = try await runSmskit(arguments, environment: environment, limit: .seconds(limit))
    return (r.status, r.lines, r.stderr)
}

func jsonObject(_ line: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

/// Runs when the CLI is built (`swift build` before `swift test`); skipped otherwise.
let cliTestsEnabled = haveBinary

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
