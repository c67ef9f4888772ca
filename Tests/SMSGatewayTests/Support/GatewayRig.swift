import Foundation
import SMSKitTestSupport
import ModemEmulator
#if canImport(Glibc)
import Glibc
#endif

/// The real binaries wired together for end-to-end tests: `smskit emulator --control` (modems on
/// PTYs, virtual phones at +1999…) and `smskit gateway --port …` attached to its modems, on one data
/// directory that survives gateway restarts.
actor GatewayRig {
    let dir: TempDir
    let modemNumbers: [String]
    let emulator: ChildProcess
    private(set) var gateway: ChildProcess?
    private(set) var http: GatewayHTTP
    private var listenPort = 0
    private var gatewayArguments: [String]
    private var restarts = 0
    /// How many of the modems (the first ones) the gateway attaches; the others are free for a client.
    private let attached: Int

    /// Texts of messages phones received (complete messages), with their SMSC submission ids.
    private(set) var phoneMessages: [String: [[UInt64]]] = [:]
    /// Control commands the emulator refused (their `error` lines).
    private(set) var emulatorErrors: [String] = []
    private var waiters: [(String, CheckedContinuation<Void, Never>)] = []
    private var modemPorts: [String: String] = [:]
    private var lastStats: [String: Any] = [:]
    /// Control commands carry an id and their `ok`/`error` answer echoes it, so concurrent commands
    /// (a phone sending while a modem is unplugged) each get their own answer.
    private var nextCommand = 0
    private var refusedIDs: Set<String> = []

    init(name: String, modems: Int, faults: String?, seed: UInt64, gatewayOptions: [String] = [],
         attached: Int? = nil) async throws {
        dir = try TempDir(name)
        self.attached = min(attached ?? modems, modems)
        modemNumbers = (1...modems).map { "+1555" + String(format: "%04d", $0) }
        var args = ["emulator", "--control", "--phone-prefix", "+1999", "--reject-prefix", "+1998", "--seed", "\(seed)",
                    "--link-dir", dir.path + "/links"]
        try FileManager.default.createDirectory(atPath: dir.path + "/links", withIntermediateDirectories: true)
        for n in modemNumbers { args += ["--modem", n] }
        if let faults { args += ["--faults", faults] }
        emulator = try ChildProcess(args, stderr: .file(dir.path + "/emulator.err"))
        http = GatewayHTTP(url: "", token: "")
        gatewayArguments = gatewayOptions
        let token = try await smskitOutput(["gateway", "token", "create", "--data-dir", dir.path + "/data", "--name", "test"])
        http.token = token.trimmingCharacters(in: .whitespacesAndNewlines)
        let lines = emulator.lines
        Task { await self.consume(lines) }
        for n in modemNumbers { await waitFor("port:" + n) }
    }

    private func consume(_ lines: AsyncStream<String>) async {
        for await line in lines {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if let number = obj["number"] as? String, let port = obj["port"] as? String, obj["event"] == nil {
                modemPorts[number] = port
                signal("port:" + number)
            }
            switch obj["event"] as? String {
            case "phone.message":
                let text = obj["text"] as? String ?? (obj["data_hex"] as? String ?? "")
                let subs = (obj["submissions"] as? [NSNumber] ?? []).map(\.uint64Value)
                phoneMessages[text, default: []].append(subs)
                signal("phone")
            case "ok":
                if let id = obj["id"] as? String { signal("ok:" + id) }
            case "stats":
                lastStats = obj["network"] as? [String: Any] ?? [:]
                signal("stats")
            case "error":
                emulatorErrors.append(line)
                if let id = obj["id"] as? String { refusedIDs.insert(id); signal("ok:" + id) }
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
        if key.hasPrefix("port:"), modemPorts[String(key.dropFirst(5))] != nil { return }
        await withCheckedContinuation { waiters.append((key, $0)) }
    }

    /// The modem's stable symlink (it follows replugs).
    func link(_ number: String) -> String { dir.path + "/links/" + number }

    /// Starts (or restarts) the gateway on every modem; returns once it printed its ready line.
    func startGateway(environment: [String: String] = [:]) async throws {
        var args = ["gateway", "--data-dir", dir.path + "/data", "--listen", "127.0.0.1:\(listenPort)",
                    "--log-level", "warning"] + gatewayArguments
        for n in modemNumbers.prefix(attached) { args += ["--port", link(n)] }
        restarts += 1
        let child = try ChildProcess(args, environment: environment,
                                     stderr: .file(dir.path + "/gateway-\(restarts).err"))
        gateway = child
        for await line in child.lines {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  obj["event"] as? String == "ready", let url = obj["url"] as? String else { continue }
            http.url = url
            if listenPort == 0, let port = Int(url.split(separator: ":").last ?? "") { listenPort = port }
            return
        }
        throw TestFailure("gateway exited before it was ready; see \(dir.path)/gateway-\(restarts).err")
    }

    /// `kill -9` the gateway and wait until it is gone.
    func killGateway() async {
        guard let g = gateway else { return }
        g.signal(SIGKILL)
        _ = await g.waitForExit()
        gateway = nil
    }

    /// Waits until the gateway exits by itself (a test crash point); its wait status.
    func waitForGatewayExit() async -> Int32? {
        guard let g = gateway else { return nil }
        let status = await g.waitForExit()
        gateway = nil
        return status
    }

    /// The stderr of the gateway's latest start.
    func gatewayLog() -> String {
        (try? String(contentsOfFile: dir.path + "/gateway-\(restarts).err", encoding: .utf8)) ?? ""
    }

    /// SIGTERM and wait (graceful).
    func stopGateway() async -> Int32? {
        guard let g = gateway else { return nil }
        g.signal(SIGTERM)
        let status = await g.waitForExit()
        gateway = nil
        return status
    }

    /// A phone sends a text to a gateway modem through the emulator's control channel.
    /// A refused send (the modem is unplugged, an SMSC error) is tried again, as a person would.
    func phoneSend(from: String, to: String, text: String) async {
        for _ in 0..<100 {
            if await command(["cmd": "send", "from": from, "to": to, "text": text]) { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The operator network's counters (`submissions`, `rejected`, `lost`) from the emulator's `stats`.
    func networkStats() async -> [String: Int] {
        emulator.send(#"{"cmd":"stats"}"#)
        await waitFor("stats")
        return lastStats.compactMapValues { ($0 as? NSNumber)?.intValue }
    }

    func control(_ object: [String: String]) async {
        _ = await command(object)
    }

    /// Sends one control command and waits for its own answer; false when the emulator refused it.
    private func command(_ object: [String: String]) async -> Bool {
        nextCommand += 1
        let id = "c\(nextCommand)"
        var tagged = object
        tagged["id"] = id
        let json = (try? JSONSerialization.data(withJSONObject: tagged)) ?? Data()
        emulator.send(String(decoding: json, as: UTF8.self))
        await waitFor("ok:" + id)
        return refusedIDs.remove(id) == nil
    }

    /// Waits until `predicate` holds on the phone messages (re-checked on every phone event) or `timeout`.
    func waitForPhones(timeout: Duration, _ predicate: @Sendable ([String: [[UInt64]]]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !predicate(phoneMessages) {
            if ContinuousClock.now > deadline { return false }
            let bell = Task { await self.waitFor("phone") }
            let timer = Task { try? await Task.sleep(for: .milliseconds(200)); self.signal("phone") }
            await bell.value
            timer.cancel()
        }
        return true
    }

    var client: GatewayHTTP { http }

    func shutdown() async {
        _ = await stopGateway()
        emulator.signal(SIGTERM)
        _ = await emulator.waitForExit()
        dir.remove()
    }

    func keep() async {
        _ = await stopGateway()
        emulator.signal(SIGTERM)
        _ = await emulator.waitForExit()
    }
}
