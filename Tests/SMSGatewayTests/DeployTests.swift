import Foundation
import Testing

/// The files in `deploy/`: the systemd unit passes `systemd-analyze verify` (when the machine has
/// it), and the sample config passes `smskit gateway check-config` and names every key.
@Suite("deploy/: systemd unit and sample config")
struct DeployTests {
    static let unit = packageRoot.appendingPathComponent("deploy/smskit-gateway.service").path
    static let sample = packageRoot.appendingPathComponent("deploy/gateway.yaml").path

    @Test func systemdUnitVerifies() async throws {
        let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let analyze else {
            print("skipped: systemd-analyze is not installed on this machine, so the unit was not verified")
            return
        }
        guard haveBinary else {
            print("skipped: \(smskitBinary) is not built; systemd-analyze verify checks that ExecStart exists")
            return
        }
        // verify checks that ExecStart's binary exists: point it at the one just built.
        let dir = try TempDir("deploy")
        defer { dir.remove() }
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        #expect(text.contains("ExecStart=/usr/local/bin/smskit gateway"))
        let copy = dir.path + "/smskit-gateway.service"
        try text.replacingOccurrences(of: "/usr/local/bin/smskit", with: smskitBinary).write(toFile: copy, atomically: true, encoding: .utf8)
        let result = try await runCommand(["verify", copy], executable: analyze)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty && result.stdout.isEmpty, "systemd-analyze: \(result.stdout) \(result.stderr)")

        for directive in ["User=smskit", "Group=smskit", "SupplementaryGroups=dialout", "ProtectSystem=strict", "ProtectHome=yes",
                          "NoNewPrivileges=yes", "PrivateTmp=yes", "ReadWritePaths=/var/lib/smskit", "StateDirectory=smskit",
                          "DeviceAllow=char-ttyUSB rw", "DeviceAllow=char-ttyACM rw", "KillSignal=SIGTERM", "TimeoutStopSec=",
                          "Restart=on-failure"] {
            #expect(text.split(separator: "\n").contains { $0.hasPrefix(directive) }, "\(directive)")
        }
    }

    @Test(.enabled(if: haveBinary)) func sampleConfigPassesCheckConfig() async throws {
        let result = try await runCommand(["gateway", "check-config", Self.sample])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "\(Self.sample): ok")
        // Every key the config file knows is in the sample (set, or commented out with its default).
        let text = try String(contentsOfFile: Self.sample, encoding: .utf8)
        for key in ["listen", "tls_cert", "tls_key", "data_dir", "durability", "database", "node", "lease_timeout", "max_segments",
                    "reassembly_timeout", "retry", "base_delay", "max_delay", "max_attempts", "rate_per_minute", "daily_cap",
                    "modems", "port", "pin", "number", "emulate", "webhooks", "timeout", "per_receiver", "backoff_base",
                    "backoff_cap", "give_up_after", "kannel", "users", "username", "password", "services", "name",
                    "get_url", "post_url"] {
            #expect(text.contains("\(key):"), "\(key)")
        }
    }
}
