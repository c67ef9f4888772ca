import Foundation
import SMSKitTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Several real `smskit gateway` processes on one PostgreSQL schema, each attached to its own
/// modems of one `smskit emulator --control` (one virtual phone network, so every delivery to a
/// phone is counted whichever host sent it).
actor ClusterRig {
    struct Host {
        var name: String
        var numbers: [String]
        var process: ChildProcess?
        var url: String = ""
        var port = 0
        var modemIDs: [String] = []
        var starts = 0
    }

    let dir: TempDir
    let database: String
    let emulator: ChildProcess
    let token: String
    let leaseTimeout: Double
    private(set) var hosts: [String: Host] = [:]
    private(set) var phoneMessages: [String: Int] = [:]
    private(set) var emulatorErrors = 0
    private var waiters: [(String, CheckedContinuation<Void, Never>)] = []
    private var ports: Set<String> = []

    /// `layout`: host name → its modems' numbers.
    init(name: String, postgres: String, layout: [(String, [String])], leaseTimeout: Double, seed: UInt64) async throws {
        dir = try TempDir(name)
        self.leaseTimeout = leaseTimeout
        let schema = "cluster_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        database = postgres + (postgres.contains("?") ? "&" : "?") + "schema=\(schema)"
        let numbers = layout.flatMap(\.1)
        var args = ["emulator", "--control", "--phone-prefix", "+1999", "--reject-prefix", "+1998", "--seed", "\(seed)",
                    "--link-dir", dir.path + "/links"]
        try FileManager.default.createDirectory(atPath: dir.path + "/links", withIntermediateDirectories: true)
        for n in numbers { args += ["--modem", n] }
        emulator = try ChildProcess(args, stderr: .file(dir.path + "/emulator.err"))
        token = try await smskitOutput(["gateway", "token", "create", "--database", database, "--name", "cluster"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for (host, nums) in layout { hosts[host] = Host(name: host, numbers: nums) }
        let lines = emulator.lines
        Task { await self.consume(lines) }
        for n in numbers { await waitFor("port:" + n) }
    }

    private func consume(_ lines: AsyncStream<String>) async {
        for await line in lines {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if let number = obj["number"] as? String, obj["port"] is String, obj["event"] == nil {
                ports.insert(number)
                signal("port:" + number)
            }
            switch obj["event"] as? String {
            case "phone.message":
                phoneMessages[obj["text"] as? String ?? "", default: 0] += 1
            case "ok": signal("ok")
            case "error": emulatorErrors += 1; signal("ok")
            default: break
            }
        }
    }

    private func signal(_ key: String) {
        let ready = waiters.filter { $0.0 == key }
        waiters.removeAll { $0.0 == key }
        for (_, c) in ready { c.resume() }
    }

    private func waitFor(_ key: String) async {
        if key.hasPrefix("port:"), ports.contains(String(key.dropFirst(5))) { return }
        await withCheckedContinuation { waiters.append((key, $0)) }
    }

    private var extraArguments: [String] = []

    /// Arguments added to every host's `smskit gateway` command line from its next start (e.g. `--config`).
    func setExtraArguments(_ arguments: [String]) { extraArguments = arguments }

    /// Starts (or restarts) a host; returns once it printed its ready line.
    func start(_ name: String, numbers: [String]? = nil) async throws {
        guard var host = hosts[name] else { throw TestFailure("no host \(name)") }
        if let numbers { host.numbers = numbers }
        host.starts += 1
        // One --data-dir for every host: on PostgreSQL it holds only webhook.key, which all hosts must share.
        var args = ["gateway", "--database", database, "--node", name, "--data-dir", dir.path + "/data", "--lease-timeout", "\(leaseTimeout)",
                    "--listen", "127.0.0.1:\(host.port)", "--log-level", "warning", "--retry-base", "0.05"]
        for n in host.numbers { args += ["--port", dir.path + "/links/" + n] }
        args += extraArguments
        let child = try ChildProcess(args, stderr: .file(dir.path + "/\(name)-\(host.starts).err"))
        host.process = child
        hosts[name] = host
        for await line in child.lines {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  obj["event"] as? String == "ready", let url = obj["url"] as? String else { continue }
            host.url = url
            host.port = Int(url.split(separator: ":").last ?? "") ?? 0
            host.modemIDs = (obj["modems"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            hosts[name] = host
            return
        }
        throw TestFailure("gateway \(name) exited before it was ready; see \(dir.path)/\(name)-\(host.starts).err")
    }

    /// `kill -9`.
    func kill(_ name: String) async {
        guard let p = hosts[name]?.process else { return }
        p.signal(SIGKILL)
        _ = await p.waitForExit()
        hosts[name]?.process = nil
    }

    /// SIGTERM (graceful) and wait.
    func stop(_ name: String) async -> Int32? {
        guard let p = hosts[name]?.process else { return nil }
        p.signal(SIGTERM)
        let status = await p.waitForExit()
        hosts[name]?.process = nil
        return status
    }

    /// Clients of the hosts that are up now.
    var liveClients: [GatewayHTTP] {
        hosts.values.filter { $0.process != nil }.sorted { $0.name < $1.name }.map { GatewayHTTP(url: $0.url, token: token) }
    }

    func client(_ name: String) -> GatewayHTTP { GatewayHTTP(url: hosts[name]?.url ?? "", token: token) }

    func modemIDs(_ name: String) -> [String] { hosts[name]?.modemIDs ?? [] }

    /// A phone sends a text to a modem (retried while the network refuses it).
    func phoneSend(from: String, to: String, text: String) async {
        let json = (try? JSONSerialization.data(withJSONObject: ["cmd": "send", "from": from, "to": to, "text": text])) ?? Data()
        for _ in 0..<100 {
            let refused = emulatorErrors
            emulator.send(String(decoding: json, as: UTF8.self))
            await waitFor("ok")
            if emulatorErrors == refused { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private var keep = false

    /// Keeps the logs (the temp dir) after ``shutdown()``, for a failure's diagnosis.
    func keepLogs() { keep = true }

    func shutdown() async {
        for name in hosts.keys { _ = await stop(name) }
        emulator.signal(SIGTERM)
        _ = await emulator.waitForExit()
        if !keep { dir.remove() }
    }
}
