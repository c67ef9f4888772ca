import Foundation
import SMSKitTestSupport
import Testing
@testable import SMSGateway

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
        #expect(result.lines == ["\(Self.sample): ok"])
        // Every key the config file knows is in the sample (set, or commented out with its default).
        let text = try String(contentsOfFile: Self.sample, encoding: .utf8)
        for key in ["listen", "tls_cert", "tls_key", "data_dir", "durability", "database", "node", "lease_timeout", "max_segments", "max_long_poll",
                    "reassembly_timeout", "retry", "base_delay", "max_delay", "max_attempts", "rate_per_minute", "daily_cap",
                    "modems", "port", "pin", "number", "emulate", "webhooks", "timeout", "per_receiver", "backoff_base",
                    "backoff_cap", "give_up_after", "kannel", "users", "username", "password", "services", "name",
                    "get_url", "post_url"] {
            #expect(text.contains("\(key):"), "\(key)")
        }
    }

    @Test func unknownKeysAreNamedWithTheirPath() {
        let known = """
            listen: 127.0.0.1:8080
            tls_cert: a.pem
            tls_key: b.pem
            retry: { base_delay: 2, max_delay: 300, max_attempts: 8 }
            modems: [{ port: /dev/ttyUSB2, pin: "1234", number: "+1555", rate_per_minute: 1, daily_cap: 2 }]
            webhooks: { timeout: 1, per_receiver: 2, backoff_base: 1, backoff_cap: 2, give_up_after: 3 }
            kannel:
              users: [{ username: u, password: p }]
              services: [{ name: n, get_url: "http://x/", post_url: "http://y/" }]
            """
        #expect(GatewayConfigFile.unknownKeys(inYAML: known).isEmpty)
        let typos = """
            tls_certificate: a.pem
            retry: { base_dealy: 2 }
            modems: [{ port: /dev/a }, { port: /dev/b, rate: 3 }]
            webhooks: { timout: 1 }
            kannel: { users: [{ username: u, pass: p }] }
            """
        #expect(GatewayConfigFile.unknownKeys(inYAML: typos)
                == ["tls_certificate", "retry.base_dealy", "modems[1].rate", "webhooks.timout", "kannel.users[0].pass"])
    }

    @Test(.enabled(if: haveBinary)) func checkConfigRefusesUnknownKeys() async throws {
        let dir = try TempDir("deploy-typo")
        defer { dir.remove() }
        let file = dir.path + "/typo.yaml"
        try "listen: 127.0.0.1:8080\ntls_certificate: /etc/smskit/cert.pem\nwebhooks: { timout: 3 }\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await runCommand(["gateway", "check-config", file])
        #expect(result.status != 0)
        #expect(result.stderr.contains("unknown keys tls_certificate, webhooks.timout"), "\(result.stderr)")
    }
}
