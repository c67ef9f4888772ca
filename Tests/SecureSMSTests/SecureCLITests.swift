import Foundation
import Glibc
import ModemEmulator
import Testing

/// The built CLI (`swift build` puts it in .build/debug); these tests are skipped when it is missing.
private let smskit: String = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/smskit").path
}()

/// Runs the CLI on a plain thread (posix_spawn + waitpid off the cooperative pool); (status, stdout, stderr).
private func run(_ arguments: [String]) async -> (Int32, String, String) {
    await withCheckedContinuation { (c: CheckedContinuation<(Int32, String, String), Never>) in
        Thread {
            var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
            guard pipe(&out) == 0, pipe(&err) == 0 else { c.resume(returning: (-1, "", "pipe failed")); return }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_adddup2(&actions, out[1], 1)
            posix_spawn_file_actions_adddup2(&actions, err[1], 2)
            posix_spawn_file_actions_addclose(&actions, out[0])
            posix_spawn_file_actions_addclose(&actions, err[0])
            let argv = ([smskit] + arguments).map { strdup($0) } + [nil]
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, smskit, &actions, nil, argv, environ)
            posix_spawn_file_actions_destroy(&actions)
            for a in argv { free(a) }
            close(out[1]); close(err[1])
            guard rc == 0 else { close(out[0]); close(err[0]); c.resume(returning: (-1, "", "spawn failed")); return }
            // stderr is small here; read stdout to EOF, then stderr.
            func readAll(_ fd: Int32) -> String {
                var all: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n > 0 { all += buffer[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
                }
                close(fd)
                return String(decoding: all, as: UTF8.self)
            }
            let stdout = readAll(out[0])
            let stderr = readAll(err[0])
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            c.resume(returning: ((status >> 8) & 0xFF, stdout, stderr))
        }.start()
    }
}

/// `smskit secure` and `smskit keys` through the real binary (issue 11 deliverable 7, issue 14 item 9).
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: smskit), "build smskit first (swift build)"))
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
}
