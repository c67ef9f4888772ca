import ATModem
import Foundation
import Logging
import SMSKitTestSupport
import SecureSMS
import SecureTransport
import Testing
@testable import SMSGateway
#if canImport(Glibc)
import Glibc
#endif

/// Keys for a secure gateway test: the bank identity (the gateway's `--identity`) and one customer,
/// from fixed seeds, in key files at the test's minimum Argon2id cost.
struct SecureKeys {
    static let passphrase = "correct horse battery staple"
    let dir: TempDir
    let bank: Identity
    let client: Identity
    var bankKey: String { dir.path + "/bank.key" }
    var clientKey: String { dir.path + "/client.key" }
    var passphraseFile: String { dir.path + "/pass" }
    var clientState: String { dir.path + "/client.state" }

    init(_ name: String) throws {
        dir = try TempDir(name + "-keys")
        bank = try Identity.generate(seed: [UInt8](repeating: 0xB4, count: 32))
        client = try Identity.generate(seed: [UInt8](repeating: 0xC1, count: 32))
        try KeyStore.save(bank, to: dir.path + "/bank.key", passphrase: Self.passphrase, cost: .minimum)
        try KeyStore.save(client, to: dir.path + "/client.key", passphrase: Self.passphrase, cost: .minimum)
        _ = FileManager.default.createFile(atPath: dir.path + "/pass", contents: Data((Self.passphrase + "\n").utf8))
        chmod(dir.path + "/pass", 0o600)
    }

    var gatewayOptions: [String] { ["--identity", bankKey, "--passphrase-file", passphraseFile, "--retry-base", "0.05"] }

    /// `smskit secure send` as a client, unchanged: the bank already holds our key (`--enrolled`).
    func sendArguments(port: String, to bankNumber: String, text: String, retryAfter: Double = 2, attempts: Int = 8,
                       timeout: Double = 90, state: String? = nil) -> [String] {
        ["secure", "send", "--port", port, "--key", clientKey, "--passphrase-file", passphraseFile, "--state", state ?? clientState,
         "--peer", bank.publicKey.hex, "--to", bankNumber, "--text", text, "--enrolled",
         "--retry-after", "\(retryAfter)", "--attempts", "\(attempts)", "--timeout", "\(timeout)", "--json"]
    }
}

/// The last JSON line of a CLI's stdout.
func lastJSONLine(_ stdout: String) -> [String: Any] {
    guard let line = stdout.split(separator: "\n").last,
          let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return [:] }
    return object
}

/// Enrols the test's client key at `number` through the API; the peer's id.
func enrolClient(_ rig: GatewayRig, _ keys: SecureKeys, number: String) async throws -> String {
    let reply = try await rig.client.request("POST", "/v1/peers", json: [
        "public_key": keys.client.publicKey.hex, "number": number, "customer_id": "cust-1",
    ])
    #expect(reply.status == 201, "\(String(decoding: reply.body, as: UTF8.self))")
    return try #require(reply.json["id"] as? String)
}

/// The inbox entries whose text is `text`.
func inboxEntries(_ rig: GatewayRig, text: String) async throws -> [[String: Any]] {
    try await rig.client.inbox().filter { $0["text"] as? String == text }
}

@Suite("Gateway secure messaging end to end: smskit gateway --identity and a SecureSMS client over emulator PTYs", .serialized)
struct GatewaySecureEndToEndTests {
    @Test("a client's `smskit secure send` reaches the inbox as verified plaintext and is acknowledged; the bank's reply through POST /v1/messages reaches the client and becomes delivered from the protocol ack; frames appear nowhere",
          .enabled(if: haveBinary, "build smskit first: swift build"), .timeLimit(.minutes(4)))
    func roundTrip() async throws {
        let keys = try SecureKeys("secure-e2e")
        defer { keys.dir.remove() }
        let rig = try await GatewayRig(name: "secure-e2e", modems: 2, faults: nil, seed: 5, gatewayOptions: keys.gatewayOptions,
                                       attached: 1)
        let bankNumber = rig.modemNumbers[0], clientNumber = rig.modemNumbers[1]
        try await rig.startGateway()
        let peer = try await enrolClient(rig, keys, number: clientNumber)
        // An ordinary SMS keeps working beside the secure ones.
        await rig.phoneSend(from: "+19990042", to: bankNumber, text: "plain hello")

        // 1. The client (the real CLI, unchanged) writes to the bank; exit 0 means the gateway acknowledged it end to end.
        let clientPort = await rig.link(clientNumber)
        let sent = try await runSmskit(keys.sendArguments(port: clientPort, to: bankNumber, text: "balance please"),
                                       limit: .seconds(120))
        let sendLog = await rig.gatewayLog()
        #expect(sent.status == 0, "secure send: \(sent.stderr)\n\(sendLog)")
        #expect(lastJSONLine(sent.stdout)["status"] as? String == "delivered")

        // 2. The inbox has the plaintext once, verified, with its peer; no frame is listed as an SMS.
        let inbox = try await rig.client.inbox()
        let secureEntries = inbox.filter { $0["secure"] != nil }
        #expect(secureEntries.count == 1, "\(inbox)")
        let entry = try #require(secureEntries.first)
        #expect(entry["text"] as? String == "balance please")
        #expect(entry["from"] as? String == clientNumber)
        let info = try #require(entry["secure"] as? [String: Any])
        #expect(info["peer"] as? String == peer)
        #expect(info["verified"] as? Bool == true)
        #expect(info["public_key"] as? String == keys.client.publicKey.hex)
        #expect(info["customer_id"] as? String == "cust-1")
        #expect(info["replay_protected"] as? Bool == false, "message 1 of a session is the 0-RTT first contact")
        #expect(inbox.allSatisfy { ($0["ports"] as? [String: Any])?["dst"] as? Int != SecureMessaging.port }, "a frame was listed: \(inbox)")
        let plain = try await waitForInbox(rig) { $0.contains { $0["text"] as? String == "plain hello" } }
        #expect(plain.filter { $0["text"] as? String == "plain hello" }.count == 1, "ordinary SMS still reach the inbox")

        // 3. The bank replies through the API: committed (202), then sealed into the client's session.
        let reply = try await rig.client.request("POST", "/v1/messages", json: ["secure": ["peer": peer], "text": "balance: 42.00 EUR"])
        #expect(reply.status == 202, "\(String(decoding: reply.body, as: UTF8.self))")
        let messageID = try #require(reply.json["id"] as? String)
        #expect((reply.json["secure"] as? [String: Any])?["peer"] as? String == peer)

        // 4. The client (SecureSMS over SecureModemLink, in this process, on the same state) gets it and acknowledges it.
        let modem = try await Modem(port: clientPort, logger: Logger(label: "client") { _ in SwiftLogNoOpLogHandler() })
        let link = try await SecureModemLink(
            modem: modem, identity: keys.client, store: try StateFile(path: keys.clientState, identity: keys.client),
            configuration: EndpointConfiguration(ackDelay: 0.2, role: .client))
        let received = try await link.running { link in try await receiveOne(on: link.channel) }
        #expect(received?.text == "balance: 42.00 EUR")
        #expect(received?.peer == keys.bank.publicKey)

        // 5. The protocol ack settles the API message.
        let settled = try await waitForMessages(rig, timeout: .seconds(60)) { all in
            all.first { $0["id"] as? String == messageID }?["status"] as? String == "delivered"
        }
        let message = try #require(settled.first { $0["id"] as? String == messageID })
        let replyLog = await rig.gatewayLog()
        #expect(message["status"] as? String == "delivered", "\(message)\n\(replyLog)")
        #expect(settled.allSatisfy { !($0["id"] as? String ?? "").hasPrefix("frm_") }, "frames are not listed")
        await link.close()
        await modem.close()

        // 6. DELETE revokes the key in the engine: the client's next message is refused (never acknowledged) and never listed.
        let deleted = try await rig.client.request("DELETE", "/v1/peers/\(peer)")
        #expect(deleted.status == 204)
        // (A state of its own: this process's link may still hold the first one's lock.)
        let refused = try await runSmskit(keys.sendArguments(port: clientPort, to: bankNumber, text: "after revocation",
                                                             retryAfter: 0.5, attempts: 2, timeout: 8,
                                                             state: keys.dir.path + "/client-2.state"), limit: .seconds(60))
        #expect(refused.status == 3, "unconfirmed: the bank rejected it; \(refused.stderr)")
        #expect(try await inboxEntries(rig, text: "after revocation").isEmpty)
        #expect(try await rig.client.inbox().filter { $0["secure"] != nil }.count == 1)
        await rig.shutdown()
    }

    @Test("a wrong passphrase stops the start and says why",
          .enabled(if: haveBinary, "build smskit first: swift build"), .timeLimit(.minutes(2)))
    func refusedStarts() async throws {
        let keys = try SecureKeys("secure-refused")
        defer { keys.dir.remove() }
        let wrong = keys.dir.path + "/wrong"
        _ = FileManager.default.createFile(atPath: wrong, contents: Data("not the right passphrase\n".utf8))
        chmod(wrong, 0o600)
        let refused = try await runSmskit(["gateway", "--data-dir", keys.dir.path + "/data", "--emulate", "1", "--listen", "127.0.0.1:0",
                                           "--identity", keys.bankKey, "--passphrase-file", wrong], limit: .seconds(60))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("wrong passphrase"), "\(refused.stderr)")
    }

    @Test("a secure message to a peer that never opened a session fails with no_session: a bank never makes first contact",
          .enabled(if: haveBinary, "build smskit first: swift build"), .timeLimit(.minutes(2)))
    func noSession() async throws {
        let keys = try SecureKeys("secure-nosession")
        defer { keys.dir.remove() }
        let rig = try await GatewayRig(name: "secure-nosession", modems: 2, faults: nil, seed: 6, gatewayOptions: keys.gatewayOptions,
                                       attached: 1)
        try await rig.startGateway()
        let peer = try await enrolClient(rig, keys, number: rig.modemNumbers[1])
        let reply = try await rig.client.request("POST", "/v1/messages", json: ["secure": ["peer": peer], "text": "hello first"])
        let id = try #require(reply.json["id"] as? String)
        let all = try await waitForMessages(rig, timeout: .seconds(30)) { $0.first { $0["id"] as? String == id }?["status"] as? String == "failed" }
        let message = try #require(all.first { $0["id"] as? String == id })
        #expect(message["status"] as? String == "failed")
        #expect((message["error"] as? [String: Any])?["code"] as? String == "no_session")
        await rig.shutdown()
    }
}

/// Polls the inbox until `predicate` holds, or 30 s.
func waitForInbox(_ rig: GatewayRig, _ predicate: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
    let deadline = ContinuousClock.now + .seconds(30)
    while true {
        let all = try await rig.client.inbox()
        if predicate(all) || ContinuousClock.now > deadline { return all }
        _ = try await rig.client.request("GET", "/v1/inbox?after=\(all.compactMap { ($0["cursor"] as? NSNumber)?.int64Value }.max() ?? 0)&wait=2")
    }
}

/// Receives one message as the client (SecureSMS over `SecureModemLink` on the client modem's PTY,
/// continuing the CLI's state), commits it and sends the acknowledgement; nil if none came in 90 s.
func clientReceive(port: String, keys: SecureKeys) async throws -> ReceivedMessage? {
    let modem = try await Modem(port: port, logger: Logger(label: "client") { _ in SwiftLogNoOpLogHandler() })
    let link = try await SecureModemLink(
        modem: modem, identity: keys.client, store: try StateFile(path: keys.clientState, identity: keys.client),
        configuration: EndpointConfiguration(ackDelay: 0.2, role: .client))
    let received = try await link.running { link in try await receiveOne(on: link.channel) }
    await modem.close()
    return received
}

/// The first message on `channel`, committed and acknowledged; nil if none came in 90 s (the channel is
/// closed then, so a missing message fails the test instead of hanging it).
func receiveOne(on channel: SecureChannel) async throws -> ReceivedMessage? {
    let guardTask = Task {
        try await Task.sleep(for: .seconds(90))
        await channel.close()
    }
    defer { guardTask.cancel() }
    for await event in channel.events {
        if case .message(let m) = event {
            try await channel.commit(m.receipt)
            try await channel.flush()
            return m
        }
    }
    return nil
}

@Suite("Gateway secure crash safety: kill -9 between the secure state commit and the inbox commit", .serialized)
struct GatewaySecureCrashTests {
    @Test("kill -9 between the commit of a secure message (POST /v1/messages) and its seal: after the restart it is sealed, reaches the client and is delivered, once",
          .enabled(if: haveBinary, "build smskit first: swift build"), .timeLimit(.minutes(4)))
    func crashBeforeSeal() async throws {
        let keys = try SecureKeys("secure-seal")
        defer { keys.dir.remove() }
        let rig = try await GatewayRig(name: "secure-seal", modems: 2, faults: nil, seed: 8, gatewayOptions: keys.gatewayOptions,
                                       attached: 1)
        let bankNumber = rig.modemNumbers[0], clientNumber = rig.modemNumbers[1]
        let clientPort = await rig.link(clientNumber)
        try await rig.startGateway()
        let peer = try await enrolClient(rig, keys, number: clientNumber)
        // The client opens a session (a bank only ever replies inside one).
        let opened = try await runSmskit(keys.sendArguments(port: clientPort, to: bankNumber, text: "hello bank"), limit: .seconds(120))
        #expect(opened.status == 0, "\(opened.stderr)")
        _ = await rig.stopGateway()

        try await rig.startGateway(environment: ["SMSKIT_TEST_CRASH_AT": "secure-before-seal"])
        let body: [String: Any] = ["secure": ["peer": peer], "text": "your code is 4711"]
        let first = try? await rig.client.request("POST", "/v1/messages", json: body, headers: ["Idempotency-Key": "seal-1"])
        let status = await rig.waitForGatewayExit()
        #expect(status == 128 + SIGKILL, "the gateway should have died by SIGKILL before sealing")
        if let first { #expect(first.status == 202) }  // the answer may or may not have left before the kill

        // Committed, not sealed.
        let store = try SQLiteStore(path: DataDirectory.databasePath(in: rig.dir.path + "/data"))
        let stored = try await store.messages(status: .queued, after: nil, limit: 100).filter { $0.text == "your code is 4711" }
        #expect(stored.count == 1)
        #expect(stored.first?.secure?.state == "pending")

        try await rig.startGateway()
        let again = try await rig.client.request("POST", "/v1/messages", json: body, headers: ["Idempotency-Key": "seal-1"])
        #expect(again.status == 202)
        #expect(again.headers["idempotent-replayed"] == "true", "the message committed before the kill: \(again.headers)")
        let id = try #require(again.json["id"] as? String)
        #expect(id == stored.first?.id)

        let received = try await clientReceive(port: clientPort, keys: keys)
        #expect(received?.text == "your code is 4711")
        let all = try await waitForMessages(rig, timeout: .seconds(60)) { $0.first { $0["id"] as? String == id }?["status"] as? String == "delivered" }
        #expect(all.first { $0["id"] as? String == id }?["status"] as? String == "delivered")
        #expect(all.filter { $0["text"] as? String == "your code is 4711" }.count == 1, "one message, sealed once")
        await rig.shutdown()
    }

    static let points = ["secure-after-state-commit", "secure-after-inbox-commit"]

    @Test("the gateway dies at the crash point (SIGKILL), restarts on the same data: the message is in the inbox exactly once and then acknowledged to the client",
          .enabled(if: haveBinary, "build smskit first: swift build"), .timeLimit(.minutes(4)), arguments: points)
    func killNine(at point: String) async throws {
        let keys = try SecureKeys("secure-crash")
        defer { keys.dir.remove() }
        let rig = try await GatewayRig(name: "secure-crash", modems: 2, faults: nil, seed: 7, gatewayOptions: keys.gatewayOptions,
                                       attached: 1)
        let bankNumber = rig.modemNumbers[0], clientNumber = rig.modemNumbers[1]
        // Armed from the start: enrolling delivers no message, so the point is reached only by the client's.
        try await rig.startGateway(environment: ["SMSKIT_TEST_CRASH_AT": point])
        let peer = try await enrolClient(rig, keys, number: clientNumber)

        let text = "transfer 100 to savings"
        let clientPort = await rig.link(clientNumber)
        let client = try ChildProcess(keys.sendArguments(port: clientPort, to: bankNumber, text: text, retryAfter: 3),
                                      stdout: .capture, stderr: .capture)
        // The frame arrives, the engine commits its state, and the gateway kills itself at the point.
        let status = await rig.waitForGatewayExit()
        #expect(status == 128 + SIGKILL, "the gateway should have died by SIGKILL at \(point)")
        let crashLog = await rig.gatewayLog()
        #expect(crashLog.contains("killing the process at \(point)"), "\(crashLog)")

        // What the database holds at the crash: nothing yet, or the message (not yet acknowledged).
        let store = try SQLiteStore(path: DataDirectory.databasePath(in: rig.dir.path + "/data"))
        let before = try await store.inbox(after: 0, limit: 100).filter { $0.text == text }
        #expect(before.count == (point == "secure-after-state-commit" ? 0 : 1))

        // Restart on the same data, without the crash point: the engine reports the message again.
        try await rig.startGateway()
        let exit = await client.waitForExit(killingAfter: .seconds(150))
        let stdout = String(decoding: await client.standardOutput(), as: UTF8.self)
        let clientErr = await client.standardError()
        let restartLog = await rig.gatewayLog()
        #expect(exit == 0, "client: \(clientErr)\n\(restartLog)")
        #expect(lastJSONLine(stdout)["status"] as? String == "delivered", "acknowledged end to end after the restart")

        let entries = try await inboxEntries(rig, text: text)
        #expect(entries.count == 1, "exactly once in the inbox: \(entries)")
        let info = entries.first?["secure"] as? [String: Any]
        #expect(info?["peer"] as? String == peer)
        #expect(info?["verified"] as? Bool == true)
        await rig.shutdown()
    }
}
