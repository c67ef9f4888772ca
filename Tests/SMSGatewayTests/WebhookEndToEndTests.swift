import Foundation
import SMSKitTestSupport
import GRDB
import Testing
@testable import SMSGateway

/// FNV-1a: a fixed hash, so the receiver's faults are the same on every run.
func fnv1a(_ text: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}

/// Reads the gateway's database while it runs (read-only WAL reader).
func readDatabase<T: Sendable>(_ dataDir: String, _ body: @escaping @Sendable (Database) throws -> T) throws -> T {
    var c = Configuration()
    c.readonly = true
    let pool = try DatabasePool(path: DataDirectory.databasePath(in: dataDir), configuration: c)
    return try pool.read(body)
}

@Suite("Webhooks: the real gateway against failing receivers", .serialized, .enabled(if: haveBinary))
struct WebhookEndToEndTests {
    static let config = """
        webhooks: { timeout: 1, backoff_base: 0.2, backoff_cap: 1, per_receiver: 6 }
        """

    /// The good receiver fails the first attempts of many events (500, a hang past the timeout, a
    /// closed connection), chosen by a fixed hash of the event's message text and status; the dead
    /// receiver hangs on everything. The gateway is killed with SIGKILL twice while deliveries are
    /// in flight. Every event committed for the good receiver still arrives, correctly signed, and
    /// every message's last status reaches it.
    @Test(.timeLimit(.minutes(4)))
    func everyEventArrivesSignedThroughFaultsAndRestarts() async throws {
        let receiver = HookReceiver { uri, headers, body in
            guard uri.hasPrefix("/good") else { return .hang }
            let attempt = Int(headers["smskit-delivery-attempt"] ?? "1") ?? 1
            if attempt >= 4 { return .ok }
            let data = ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["data"] as? [String: Any]
            let key = "\(data?["text"] ?? "")/\(data?["status"] ?? "")/\(attempt)"
            switch fnv1a(key) % 10 {
            case 0...2: return .fail
            case 3...4: return .hang
            case 5...6: return .close
            default: return .ok
            }
        }
        try await receiver.start()
        let gateway = try await EmulatedGateway(name: "hooks-e2e", modems: 2, config: Self.config)
        try await gateway.start()
        var http = await gateway.client

        let good = try await http.request("POST", "/v1/webhooks", json: ["url": receiver.url + "/good", "events": ["message.status", "message.received"]])
        #expect(good.status == 201)
        let goodID = try #require(good.json["id"] as? String)
        let secret = try #require(good.json["secret"] as? String)
        #expect(secret.hasPrefix("whsec_"))
        let dead = try await http.request("POST", "/v1/webhooks", json: ["url": receiver.url + "/dead", "events": ["message.status"]])
        let deadID = try #require(dead.json["id"] as? String)
        let bad = try await http.request("POST", "/v1/webhooks", json: ["url": "ftp://x/y", "events": ["message.status"]])
        #expect(bad.status == 422 && bad.json["field"] as? String == "url")
        let badEvent = try await http.request("POST", "/v1/webhooks", json: ["url": receiver.url, "events": ["message.nope"]])
        #expect(badEvent.status == 422 && badEvent.json["field"] as? String == "events[0]")

        var ids: [String] = []
        func send(_ range: Range<Int>) async throws {
            for i in range {
                let r = try await http.request("POST", "/v1/messages", json: [
                    "to": "+1999" + String(format: "%06d", i), "text": "hook-\(i)", "guarantee": "at_least_once"])
                #expect(r.status == 202)
                if let id = r.json["id"] as? String { ids.append(id) }
            }
        }
        func inbound(_ range: Range<Int>) async throws {
            for i in range {
                let r = try await http.request("POST", "/v1/emulator/phones/send", json: ["from": "+1999100\(i)", "to": "+15550001", "text": "in-\(i)"])
                #expect(r.status == 202)
            }
        }
        /// Whether the receiver saw (with any answer) the received events of these texts: they are committed.
        @Sendable func sawInbound(_ texts: [String], _ all: [HookReceiver.Received]) -> Bool {
            let bodies = all.filter { $0.uri.hasPrefix("/good") }.map { String(decoding: $0.body, as: UTF8.self) }
            return texts.allSatisfy { t in bodies.contains { $0.contains(#""text":"\#(t)""#) && $0.contains("message.received") } }
        }
        try await send(0..<8)
        try await inbound(0..<2)
        _ = await receiver.wait(timeout: .seconds(30)) { $0.filter { $0.uri.hasPrefix("/good") }.count >= 6 && sawInbound(["in-0", "in-1"], $0) }
        await gateway.kill9()
        try await gateway.start()
        http = await gateway.client
        try await send(8..<16)
        try await inbound(2..<4)
        _ = await receiver.wait(timeout: .seconds(30)) { $0.filter { $0.uri.hasPrefix("/good") }.count >= 25 && sawInbound(["in-2", "in-3"], $0) }
        await gateway.kill9()
        try await gateway.start()
        http = await gateway.client

        // Wait until every message settled and the good receiver's outbox is empty.
        let dataDir = await gateway.dataDir
        let deadline = ContinuousClock.now + .seconds(120)
        var settled = false
        while ContinuousClock.now < deadline {
            let messages = (try? await http.allMessages()) ?? []
            let open = messages.filter { ["queued", "sending", "scheduled"].contains($0["status"] as? String ?? "") }
            let inbox = (try? await http.inbox()) ?? []
            let pending = try readDatabase(dataDir) { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE webhook_id = ? AND state = 'pending'", arguments: [goodID]) ?? -1
            }
            if messages.count == 16, open.isEmpty, inbox.count == 4, pending == 0 { settled = true; break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let dirPath = gateway.dir.path
        #expect(settled, "messages or deliveries still open; see \(dirPath)")

        let expected = try readDatabase(dataDir) { db in
            try Row.fetchAll(db, sql: "SELECT event_id, state FROM outbox WHERE webhook_id = ?", arguments: [goodID])
                .map { ($0["event_id"] as String, $0["state"] as String) }
        }
        let got = receiver.received.filter { $0.uri.hasPrefix("/good") }
        let secretBytes = Array(secret.utf8)
        #expect(got.allSatisfy { WebhookSignature.verify(header: $0.headers["smskit-signature"] ?? "", body: $0.body, secret: secretBytes) })
        let okEvents = Set(got.filter { $0.answered == .ok }.compactMap { $0.headers["smskit-event-id"] })
        #expect(expected.allSatisfy { $0.1 == "delivered" })
        #expect(Set(expected.map(\.0)) == okEvents, "every committed event reached the receiver with a 2xx")
        #expect(got.contains { $0.answered == .fail } && got.contains { $0.answered == .hang } && got.contains { $0.answered == .close })
        // Event ids are stable across attempts: a failed event was later answered 200 under the same id.
        let failedIDs = Set(got.filter { $0.answered != .ok }.compactMap { $0.headers["smskit-event-id"] })
        #expect(!failedIDs.isEmpty && failedIDs.isSubset(of: okEvents))

        // Each message's current status reached the receiver; each inbox message once at least.
        var lastStatus: [String: Set<String>] = [:]
        var received = Set<String>()
        for r in got where r.answered == .ok {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any],
                  let data = obj["data"] as? [String: Any], let id = data["id"] as? String else { continue }
            if obj["type"] as? String == "message.received" { received.insert(data["text"] as? String ?? "") }
            if obj["type"] as? String == "message.status" { lastStatus[id, default: []].insert(data["status"] as? String ?? "") }
        }
        for m in try await http.allMessages() {
            let id = m["id"] as? String ?? ""
            #expect(lastStatus[id]?.contains(m["status"] as? String ?? "") == true, "\(id) \(m["status"] ?? "")")
        }
        #expect(received == ["in-0", "in-1", "in-2", "in-3"])

        // The dead receiver held only its own slots; its attempts are listed with the timeout.
        let attempts = try await http.request("GET", "/v1/webhooks/\(deadID)/deliveries?limit=5")
        let list = attempts.json["deliveries"] as? [[String: Any]] ?? []
        #expect(attempts.status == 200 && !list.isEmpty)
        #expect(list.allSatisfy { $0["error"] as? String != nil && $0["state"] as? String == "pending" })
        #expect(list.contains { ($0["error"] as? String)?.contains("timeout") == true })
        let goodAttempts = try await http.request("GET", "/v1/webhooks/\(goodID)/deliveries?limit=500")
        #expect((goodAttempts.json["deliveries"] as? [[String: Any]] ?? []).contains { $0["status_code"] as? Int == 500 })
        let listed = try await http.request("GET", "/v1/webhooks")
        #expect((listed.json["webhooks"] as? [[String: Any]])?.count == 2)
        #expect(try await http.request("DELETE", "/v1/webhooks/\(deadID)").status == 204)
        #expect(try await http.request("GET", "/v1/webhooks/\(deadID)").status == 404)

        await gateway.shutdown()
        await receiver.stop()
    }
}
