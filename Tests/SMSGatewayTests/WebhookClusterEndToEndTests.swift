import Foundation
import SMSKitTestSupport
import Testing
@testable import SMSGateway

/// A switch the receiver's behaviour reads on its event loop.
private final class Switch: @unchecked Sendable {
    private let lock = NSLock()
    private var on = false
    var isOn: Bool { lock.withLock { on } }
    func set(_ value: Bool) { lock.withLock { on = value } }
}

/// Webhooks on two real `smskit gateway` processes sharing one PostgreSQL schema.
@Suite("Webhooks: two real gateways on one PostgreSQL", .serialized,
       .enabled(if: postgresTestURL != nil, "SMSKIT_TEST_POSTGRES_URL is not set: scripts/test.sh starts a throwaway PostgreSQL and sets it"),
       .enabled(if: haveBinary, "build smskit first: swift build"))
struct WebhookClusterEndToEndTests {
    /// A webhook registered on host a is listed by host b; 20 messages posted through both hosts
    /// produce events that both hosts' dispatchers deliver, no attempt twice (no crash: each
    /// (event id, attempt number) reaches the receiver once). Then the receiver hangs on every request while host a is
    /// killed with SIGKILL mid-attempt; once it answers again every committed event arrives with a
    /// 2xx from host b, under its stable id, within the delivery lease.
    @Test(.timeLimit(.minutes(4)))
    func eventsAreDeliveredOnceByTheClusterAndAfterAHostDiesMidAttempt() async throws {
        let url = try #require(postgresTestURL)
        let hang = Switch()
        let receiver = HookReceiver { uri, _, _ in hang.isOn ? .hang : .ok }
        try await receiver.start()
        let rig = try await ClusterRig(name: "hooks-cluster", postgres: url,
                                       layout: [("a", ["+15550001", "+15550002"]), ("b", ["+15550003", "+15550004"])],
                                       leaseTimeout: 3, seed: 21)
        let config = rig.dir.path + "/gateway.yaml"
        try "webhooks: { timeout: 1, backoff_base: 0.2, backoff_cap: 1, per_receiver: 4 }\n".write(toFile: config, atomically: true, encoding: .utf8)
        await rig.setExtraArguments(["--config", config])
        try await rig.start("a")
        try await rig.start("b")
        let a = await rig.client("a"), b = await rig.client("b")
        let db = try await PostgresStore.open(url: rig.database, options: .init(joinCluster: false), logger: quietLogger)

        let hook = try await a.request("POST", "/v1/webhooks", json: ["url": receiver.url + "/hook", "events": ["message.status"]])
        #expect(hook.status == 201)
        let hookID = try #require(hook.json["id"] as? String)
        let secret = Array(try #require(hook.json["secret"] as? String).utf8)
        let listed = try await b.request("GET", "/v1/webhooks")
        #expect((listed.json["webhooks"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [hookID])

        func post(_ range: Range<Int>, _ prefix: String) async throws {
            for i in range {
                let r = try await (i % 2 == 0 ? a : b).request("POST", "/v1/messages", json: [
                    "to": "+1999" + String(format: "%06d", i), "text": "\(prefix)-\(i)"])
                #expect(r.status == 202)
            }
        }
        /// Waits until `count` messages are final and the hook's outbox has nothing pending. With
        /// `awaitingReports`, `sent` is not final either: its delivery report is still to come, and with
        /// it one more status event (under load it can arrive after the outbox emptied). After a host died,
        /// the reports for what it sent go to its dead modems, so `sent` is final then.
        func settle(_ count: Int, within: Duration, awaitingReports: Bool = false) async throws -> Bool {
            let openStates = awaitingReports ? "'queued', 'scheduled', 'sending', 'sent'" : "'queued', 'scheduled', 'sending'"
            let deadline = ContinuousClock.now + within
            while ContinuousClock.now < deadline {
                let (open, all, pending) = try await db.read { tx in
                    (try await tx.scalar("SELECT COUNT(*) FROM messages WHERE status IN (\(openStates))", as: Int.self) ?? -1,
                     try await tx.scalar("SELECT COUNT(*) FROM messages", as: Int.self) ?? -1,
                     try await tx.scalar("SELECT COUNT(*) FROM outbox WHERE webhook_id = ? AND state = 'pending'", [hookID], as: Int.self) ?? -1)
                }
                if open == 0, all == count, pending == 0 { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return false
        }
        func committedEvents() async throws -> [(String, String)] {
            try await db.read { tx in
                try await tx.rows("SELECT event_id, state FROM outbox WHERE webhook_id = ?", [hookID]).map { (try $0["event_id"], try $0["state"]) }
            }
        }

        // Phase 1: no faults, both dispatchers compete for every delivery.
        try await post(0..<20, "early")
        let settledEarly = try await settle(20, within: .seconds(60), awaitingReports: true)
        #expect(settledEarly, "messages or deliveries still open; see \(rig.dir.path)")
        let early = try await committedEvents()
        let got = receiver.received.filter { $0.uri.hasPrefix("/hook") }
        // An attempt is (event id, attempt number): two hosts running one attempt would repeat a pair.
        // A repeat with a higher number is a retry (an answer slower than the 1 s deadline on a busy machine).
        let attempts = got.map { "\($0.headers["smskit-event-id"] ?? "?")#\($0.headers["smskit-delivery-attempt"] ?? "?")" }
        let perAttempt = Dictionary(grouping: attempts, by: { $0 }).mapValues(\.count)
        let events = Set(got.compactMap { $0.headers["smskit-event-id"] })
        print("webhooks on two hosts: \(early.count) deliveries, \(got.count) requests, \(got.count - events.count) retries")
        #expect(early.count >= 60 && early.allSatisfy { $0.1 == "delivered" },
                "\(early.count) deliveries, not delivered: \(early.filter { $0.1 != "delivered" })")
        #expect(Set(early.map(\.0)) == events, "every committed event reached the receiver")
        #expect(perAttempt.values.allSatisfy { $0 == 1 }, "no attempt ran twice: \(perAttempt.filter { $0.value != 1 })")
        #expect(got.allSatisfy { WebhookSignature.verify(header: $0.headers["smskit-signature"] ?? "", body: $0.body, secret: secret) })

        // Phase 2: the receiver hangs; host a dies with attempts in flight; then it answers again.
        hang.set(true)
        let before = got.count
        try await post(20..<30, "late")
        _ = await receiver.wait(timeout: .seconds(20)) { $0.count >= before + 8 }
        await rig.kill("a")
        try await Task.sleep(for: .seconds(1))
        hang.set(false)
        let killedAt = ContinuousClock.now
        let settledLate = try await settle(30, within: .seconds(60))
        print("webhooks after a host died mid-attempt: settled in \(ContinuousClock.now - killedAt)")
        #expect(settledLate, "messages or deliveries still open after the kill; see \(rig.dir.path)")
        let all = try await committedEvents()
        let ok = Set(receiver.received.filter { $0.uri.hasPrefix("/hook") && $0.answered == .ok }.compactMap { $0.headers["smskit-event-id"] })
        #expect(all.allSatisfy { $0.1 == "delivered" } && Set(all.map(\.0)).isSubset(of: ok), "every committed event reached the receiver with a 2xx")
        #expect(receiver.received.contains { $0.answered == .hang })
        await db.close()
        if !(settledEarly && settledLate) { await rig.keepLogs() }
        await rig.shutdown()
        await receiver.stop()
    }
}
