import Foundation
import Testing
import SMSKitTestSupport
@testable import ModemEmulator

/// Debian's `gammu` CLI, when installed (`apt-get install gammu`).
let gammuBinary = ["/usr/bin/gammu", "/usr/local/bin/gammu"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Runs gammu with a `[gammu] connection = at` config for `port`; returns its exit status and standard output.
func runGammu(port: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gammu-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let config = directory.appendingPathComponent("gammurc")
    try "[gammu]\ndevice = \(port)\nconnection = at\n".write(to: config, atomically: true, encoding: .utf8)
    let r = try await runProcess(gammuBinary ?? "/usr/bin/gammu", ["-c", config.path] + arguments)
    return (r.status, r.stdout + r.stderr)
}

@Suite("A well-known client (gammu) works unchanged")
struct GammuTests {
    @Test("gammu identify, sendsms (GSM 7-bit, UCS-2 with emoji, multipart) and getallsms",
          .enabled(if: gammuBinary != nil, "gammu is not installed (apt-get install gammu)"))
    func gammu() async throws {
        let network = VirtualNetwork(seed: 1)
        let alice = try await network.addModem(number: "+15550001")
        let bob = try await network.addModem(number: "+15550002")
        let alicePort = try #require(await alice.portPath)
        let bobPort = try #require(await bob.portPath)

            let identify = try await runGammu(port: alicePort, ["identify"])
        #expect(identify.status == 0)
        #expect(identify.output.contains("SMSKit"))
        #expect(identify.output.contains("001010015550001"))

        let long = String(repeating: "multipart ", count: 20)
        #expect(try await runGammu(port: alicePort, ["sendsms", "TEXT", "+15550002", "-text", "hi from gammu"]).status == 0)
        #expect(try await runGammu(port: alicePort, ["sendsms", "TEXT", "+15550002", "-unicode", "-text", "Grüße 😀"]).status == 0)
        #expect(try await runGammu(port: alicePort, ["sendsms", "TEXT", "+15550002", "-len", "200", "-text", long]).status == 0)

        let inbox = try await runGammu(port: bobPort, ["getallsms"])
        #expect(inbox.status == 0)
        #expect(inbox.output.contains("hi from gammu"))
        #expect(inbox.output.contains("Grüße 😀"))
        #expect(inbox.output.contains("part 2 of 2"))
        #expect(inbox.output.contains("\"+15550001\""))
        await network.shutdown()
    }
}
