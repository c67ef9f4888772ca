import Foundation
import SMSKitTestSupport
import Testing
@testable import SMSGateway
#if canImport(Glibc)
import Glibc
#endif

/// `smskit gateway backup` of the live database while the real gateway accepts messages, and
/// `smskit gateway restore` into a fresh data directory that a new gateway then serves.
@Suite("Backup and restore: the real gateway", .serialized, .enabled(if: haveBinary))
struct GatewayBackupTests {
    /// Message ids in the order their 202 came back.
    actor Accepted {
        private(set) var ids: [String] = []
        private(set) var stopped = false
        func add(_ id: String) { ids.append(id) }
        func stop() { stopped = true }
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? NSNumber)?.intValue ?? -1
    }

    @Test(.timeLimit(.minutes(3)))
    func backupWhileRunningRestoresEveryAcceptedMessage() async throws {
        let gateway = try await EmulatedGateway(name: "backup", modems: 2)
        try await gateway.start()
        defer { Task { await gateway.shutdown() } }
        let http = await gateway.client
        let dataDir = await gateway.dataDir
        let work = try TempDir("backup-work")
        defer { work.remove() }
        let backup = work.path + "/gateway-backup.sqlite"

        // A client keeps posting while the backup runs.
        let accepted = Accepted()
        let poster = Task {
            var i = 0
            while !(await accepted.stopped) {
                i += 1
                let reply = try? await http.request("POST", "/v1/messages",
                                                    json: ["to": "+1999" + String(format: "%06d", i % 500 + 1), "text": "before backup \(i)"])
                if reply?.status == 202, let id = reply?.json["id"] as? String { await accepted.add(id) }
            }
        }
        while await accepted.ids.count < 40 { try await Task.sleep(for: .milliseconds(20)) }
        let beforeBackup = await accepted.ids
        let result = try await runCommand(["gateway", "backup", "--data-dir", dataDir, "--to", backup, "--json"])
        let duringBackup = await accepted.ids.count
        while await accepted.ids.count < duringBackup + 10 { try await Task.sleep(for: .milliseconds(20)) }
        await accepted.stop()
        _ = await poster.value

        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        #expect((summary["messages"] as? Int ?? 0) >= beforeBackup.count)
        #expect(summary["webhook_key"] as? Bool == true)
        #expect(Self.mode(backup) == 0o600)
        #expect(Self.mode(SQLiteBackup.webhookKeyPath(forBackup: backup)) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: backup + "-wal"))

        // Restore refuses while the gateway holds its data directory.
        let refused = try await runCommand(["gateway", "restore", "--data-dir", dataDir, "--from", backup])
        #expect(refused.status != 0 && refused.stderr.contains("another gateway is running"), "\(refused.stderr)")

        // A damaged backup is refused, and the target directory is left alone.
        let damaged = work.path + "/damaged.sqlite"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: backup))
        for i in stride(from: 4096, to: min(bytes.count, 4096 * 6), by: 7) { bytes[i] ^= 0x5A }
        try bytes.write(to: URL(fileURLWithPath: damaged))
        let garbage = work.path + "/garbage.sqlite"
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: garbage))
        let truncated = work.path + "/truncated.sqlite"
        try Data(contentsOf: URL(fileURLWithPath: backup)).prefix(8192).write(to: URL(fileURLWithPath: truncated))
        for bad in [damaged, garbage, truncated] {
            let other = work.path + "/other-\(UUID().uuidString.prefix(4))"
            let r = try await runCommand(["gateway", "restore", "--data-dir", other, "--from", bad])
            #expect(r.status != 0 && r.stderr.contains("backup \(bad)"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: other + "/gateway.sqlite"))
        }

        // Restore into a fresh directory and start a gateway on it: every message accepted before
        // the backup began is there (and the token, which lives in the database, still works).
        let fresh = work.path + "/restored"
        let restored = try await runCommand(["gateway", "restore", "--data-dir", fresh, "--from", backup, "--json"])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(Self.mode(fresh + "/webhook.key") == 0o600)
        await gateway.stop()

        let second = try ChildProcess(["gateway", "--emulate", "2", "--data-dir", fresh, "--listen", "127.0.0.1:0", "--log-level", "warning"],
                                      stderr: .file(work.path + "/restored.err"))
        var url: String?
        for await line in second.lines {
            if let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], obj["event"] as? String == "ready" {
                url = obj["url"] as? String
                break
            }
        }
        let restoredHTTP = GatewayHTTP(url: try #require(url), token: http.token)
        let present = Set(try await restoredHTTP.allMessages().compactMap { $0["id"] as? String })
        let missing = beforeBackup.filter { !present.contains($0) }
        #expect(missing.isEmpty, "missing after restore: \(missing.prefix(5))")
        for id in beforeBackup.prefix(5) {
            #expect(try await restoredHTTP.request("GET", "/v1/messages/\(id)").status == 200)
        }
        second.signal(SIGTERM)
        #expect(await second.waitForExit() == 0)
        await gateway.shutdown()
    }

    @Test func postgresBackupSaysToUsePgDump() async throws {
        let dir = try TempDir("backup-pg")
        defer { dir.remove() }
        let result = try await runCommand(["gateway", "backup", "--database", "postgres://smskit@127.0.0.1:1/smskit",
                                           "--to", dir.path + "/x.sqlite"])
        #expect(result.status != 0 && result.stderr.contains("pg_dump"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/x.sqlite"))
        let missing = try await runCommand(["gateway", "backup", "--data-dir", dir.path + "/none", "--to", dir.path + "/y.sqlite"])
        #expect(missing.status != 0 && missing.stderr.contains("no gateway database"), "\(missing.stderr)")
    }
}
