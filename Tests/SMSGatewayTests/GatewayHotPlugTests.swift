import Foundation
import SMSKitTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

private let umockdevRun = ["/usr/bin/umockdev-run", "/bin/umockdev-run"].first { FileManager.default.isExecutableFile(atPath: $0) }
private let fixtures = packageRoot.appendingPathComponent("Tests/ModemDiscoveryTests/Fixtures")

@Suite("smskit gateway --device auto under umockdev")
struct GatewayHotPlugTests {
    @Test("--device auto finds the fake Huawei E3372 through udev and attaches a worker to its AT port",
          .enabled(if: haveBinary && umockdevRun != nil, "needs smskit built and umockdev-run (scripts/setup.sh)"),
          .timeLimit(.minutes(2)))
    func deviceAuto() async throws {
        let dir = try TempDir("hotplug")
        defer { dir.remove() }
        let token = try await smskitOutput(["gateway", "token", "create", "--data-dir", dir.path + "/data", "--name", "t"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let loads = ["host", "huawei-e3372"].flatMap { ["-d", fixtures.appendingPathComponent("\($0).umockdev").path] }
        let child = try ChildProcess(loads + ["--", smskitBinary, "gateway", "--device", "auto", "--data-dir", dir.path + "/data",
                                              "--listen", "127.0.0.1:0", "--log-level", "warning"],
                                     executable: try #require(umockdevRun), stderr: .file(dir.path + "/gateway.err"))
        var url: String?
        for await line in child.lines {
            if let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], obj["event"] as? String == "ready" {
                url = obj["url"] as? String
                break
            }
        }
        let http = GatewayHTTP(url: try #require(url, "no ready line"), token: token)
        var ports: [String] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let modems = try await http.request("GET", "/v1/modems").json["modems"] as? [[String: Any]] ?? []
            ports = modems.compactMap { $0["port"] as? String }
            if !ports.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(ports == ["/dev/ttyUSB1"], "the E3372's PCUI port (interface 02)")
        // umockdev-run does not pass SIGTERM on: stop the gateway itself (found by its unique data dir), then the wrapper.
        _ = try await runProcess("/usr/bin/pkill", ["-TERM", "-f", dir.path + "/data"])
        _ = await child.waitForExit()
    }
}
