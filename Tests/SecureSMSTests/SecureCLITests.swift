import Foundation
import Glibc
import ModemEmulator
import Testing
import SMSKitTestSupport

/// Runs the CLI to its end (SMSKitTestSupport); (status, stdout, stderr).
private func run(_ arguments: [String]) async -> (Int32, String, String) {
    guard let r = try? await runSmskit(arguments) else { return (-1, "", "spawn failed") }
    return (r.status, r.stdout, r.stderr)
}

/// `smskit secure` and `smskit keys` through the real binary (issue 11 deliverable 7, issue 14 item 9).
@Suite(.serialized, .enabled(if: haveBinary, "build smskit first (swift build)"))
struct SecureCLITests {
    static func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "smskit-secure-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func writePassphrase(_ text: String, to path: String, mode: mode_t = 0o600) throws {
        _ = FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8))
        chmod(path, mode)
    }

    @Test func passphraseFilesMustBeStrongAndPrivate() async throws {
        let dir = try Self.directory()
        try Self.writePassphrase("short", to: dir + "/weak")
        let weak = await run(["keys", "generate", "--out", dir + "/a.key", "--passphrase-file", dir + "/weak"])
        #expect(weak.0 != 0)
        #expect(weak.2.contains("passphrase refused"))
        try Self.writePassphrase("a long enough passphrase", to: dir + "/open", mode: 0o644)
        let open = await run(["keys", "generate", "--out", dir + "/a.key", "--passphrase-file", dir + "/open"])
        #expect(open.0 != 0)
        #expect(open.2.contains("readable by others"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/a.key"))
    }

    /// A message whose frames went out but were never acknowledged is `unconfirmed` (exit 3, its own JSON
    /// status), not `failed` (v1 said "NOT delivered", exit 2, for messages the bank later carried out).
    @Test func sentButUnacknowledgedIsUnconfirmed() async throws {
        let dir = try Self.directory()
        try Self.writePassphrase("correct horse battery staple", to: dir + "/pass")
        let generated = await run(["keys", "generate", "--out", dir + "/client.key", "--passphrase-file", dir + "/pass", "--json"])
        #expect(generated.0 == 0, "\(generated.2)")
        let net = VirtualNetwork(seed: 3, clock: InstantClock())
        let client = try await net.addModem(number: "+15550001")
        _ = try await net.addModem(number: "+15550002")  // the bank's modem: nobody listens
        let port = try #require(await client.portPath)
        let bankKey = "e76c9deb04699062f797dba170461f423ab308ba33dafcb6bec1e3a6bc7b720b"
        let sent = await run(["secure", "send", "--port", port, "--key", dir + "/client.key", "--passphrase-file", dir + "/pass",
                              "--state", dir + "/client.state", "--peer", bankKey, "--to", "+15550002", "--text", "pay 10",
                              "--retry-after", "0.5", "--attempts", "2", "--timeout", "20", "--json"])
        await net.shutdown()
        #expect(sent.0 == 3, "\(sent.2)")
        let line = try #require(sent.1.split(separator: "\n").last.map(String.init))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "unconfirmed")
        #expect(json["delivered"] as? Bool == false)
        #expect(json["overhead_bytes"] as? Int == 52)
    }

    /// `secure send` and `listen` take the same modem options as `smskit send` (issue 13: they ignored
    /// `--device` and `--pin`): exactly one of `--port` and `--device`, and a PIN that is 4 to 8 digits,
    /// checked before any key is read or modem opened.
    @Test func secureCommandsTakeTheModemOptions() async throws {
        let both = await run(["secure", "send", "--port", "/dev/null", "--device", "auto", "--key", "k", "--peer", "00",
                              "--to", "+1", "--text", "hi"])
        #expect(both.0 == 64)
        #expect(both.2.contains("give exactly one of --port and --device"))
        let pin = await run(["secure", "listen", "--device", "auto", "--pin", "12", "--key", "k"])
        #expect(pin.0 == 64)
        #expect(pin.2.contains("--pin must be 4 to 8 digits"))
        let help = await run(["secure", "listen", "--help"])
        #expect(help.1.contains("--device") && help.1.contains("--pin"))
    }
}
