import Foundation
import GRDB
import SMSKitTestSupport
import Testing
@testable import SMSGateway

/// The real `smskit gateway --emulate` binary: `/metrics` scraped and parsed after real traffic,
/// and schemathesis (PyPI) run against the live API with the served OpenAPI document.
@Suite("Gateway operations: metrics and schemathesis against the real binary", .serialized, .enabled(if: haveBinary))
struct GatewayOpsEndToEndTests {
    /// N messages through two emulated modems to virtual phones (which report delivery), two
    /// replies, and a webhook whose receiver refuses every first attempt: the counters match.
    @Test(.timeLimit(.minutes(3)))
    func scrapedCountersMatchTheTraffic() async throws {
        let receiver = HookReceiver { _, headers, _ in (Int(headers["smskit-delivery-attempt"] ?? "1") ?? 1) == 1 ? .fail : .ok }
        try await receiver.start()
        let gateway = try await EmulatedGateway(name: "metrics-e2e", modems: 2,
                                                config: "webhooks: { timeout: 2, backoff_base: 0.1, backoff_cap: 0.3 }\n")
        try await gateway.start()
        let http = await gateway.client
        let hook = try await http.request("POST", "/v1/webhooks", json: ["url": receiver.url + "/hook", "events": ["message.status", "message.received"]])
        #expect(hook.status == 201)
        let hookID = try #require(hook.json["id"] as? String)

        let n = 12
        for i in 0..<n {
            let r = try await http.request("POST", "/v1/messages", json: ["to": "+1999" + String(format: "%06d", i), "text": "metrics-\(i)"])
            #expect(r.status == 202)
        }
        for i in 0..<2 {
            let r = try await http.request("POST", "/v1/emulator/phones/send", json: ["from": "+1999200\(i)", "to": "+15550001", "text": "reply-\(i)"])
            #expect(r.status == 202)
        }
        // Everything settles: delivered, the replies in the inbox, the webhook's outbox empty.
        let dataDir = await gateway.dataDir
        let deadline = ContinuousClock.now + .seconds(90)
        var settled = false
        while ContinuousClock.now < deadline {
            let delivered = try await http.allMessages(status: "delivered").count
            let inbox = try await http.inbox().count
            let pending = try readDatabase(dataDir) { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE webhook_id = ? AND state = 'pending'", arguments: [hookID]) ?? -1
            }
            if delivered == n, inbox == 2, pending == 0 { settled = true; break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(settled, "traffic did not settle; see \(gateway.dir.path)")

        var anonymous = http
        anonymous.token = ""  // /metrics needs no token
        let scrape = try await anonymous.request("GET", "/metrics")
        #expect(scrape.status == 200)
        let text = try PrometheusText(String(decoding: scrape.body, as: UTF8.self))
        typealias N = GatewayMetrics.Name
        #expect(text.sum(N.messages, ["state": "queued", "modem": "none"]) == Double(n))
        // A message whose report comes before its attempt ends goes from sending straight to delivered.
        #expect(text.sum(N.messages, ["state": "sending"]) == Double(n))
        #expect(text.sum(N.messages, ["state": "sent"]) <= Double(n))
        #expect(text.sum(N.messages, ["state": "delivered"]) == Double(n))
        #expect(text.sum(N.messages, ["state": "failed"]) == 0)
        let modems = Set(text.named(N.messages).filter { $0.labels["state"] == "delivered" }.compactMap { $0.labels["modem"] })
        #expect(!modems.contains("none") && !modems.isEmpty)
        #expect(text.sum(N.sendLatency + "_count") == Double(n))
        #expect(text.sum(N.deliveryLatency + "_count") == Double(n))
        #expect(text.sum(N.inbound) == 2)
        #expect(text.sum(N.queueDepth) == 0)
        #expect(text.named(N.modemRegistered).count == 2 && text.sum(N.modemRegistered) == 2)
        #expect(text.named(N.modemSignal).count == 2)
        #expect(text.sum(N.httpDuration + "_count", ["method": "POST", "route": "/v1/messages", "status": "202"]) == Double(n))
        // Every request the receiver saw is one attempt: each 500 a failure and a retry, each 200 a delivery.
        let seen = receiver.received.filter { $0.uri.hasPrefix("/hook") }
        let refused = seen.filter { $0.answered == .fail }.count
        let accepted = seen.filter { $0.answered == .ok }.count
        #expect(refused > 0 && accepted > 0, "receiver: \(refused) refused, \(accepted) accepted")
        #expect(text.sum(N.webhookAttempts, ["kind": "webhook", "result": "delivered"]) == Double(accepted))
        #expect(text.sum(N.webhookAttempts, ["kind": "webhook", "result": "retry"]) == Double(refused))
        #expect(text.sum(N.webhookFailures, ["kind": "webhook"]) == Double(refused))
        await gateway.shutdown()
        await receiver.stop()
    }

    /// schemathesis generates requests for every operation of the served document (positive and
    /// negative, bounded by examples) and checks each answer: no 5xx, a documented status, a
    /// documented content type, a body that matches its schema. Twice: a plain gateway, and one with
    /// `--identity` (secure messaging: `/v1/peers` served, `secure` messages accepted).
    @Test(.timeLimit(.minutes(6)), arguments: [false, true])
    func schemathesisFindsNothing(secure: Bool) async throws {
        guard let schemathesis = ProcessInfo.processInfo.environment["SMSKIT_SCHEMATHESIS"],
              FileManager.default.isExecutableFile(atPath: schemathesis) else {
            print("skipped: schemathesis not installed (scripts/setup.sh installs it and exports SMSKIT_SCHEMATHESIS)")
            return
        }
        // Long polls shortened to 1 s, so generated `wait` values keep the run short.
        let keys = secure ? try SecureKeys("schemathesis") : nil
        defer { keys?.dir.remove() }
        let gateway = try await EmulatedGateway(name: "schemathesis", modems: 1, config: "max_long_poll: 1\n",
                                                extra: keys?.gatewayOptions ?? [])
        try await gateway.start()
        let http = await gateway.client
        let work = try TempDir("schemathesis-run")
        // Run from a directory of its own: schemathesis keeps a cache (.schemathesis/) in its working directory.
        let child = try ChildProcess([
            "-c", #"cd "$1" && shift && exec "$@""#, "sh", work.path, schemathesis,
            "run", http.url + "/openapi.json", "-H", "Authorization: Bearer \(http.token)",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples", "10", "--seed", "7", "--workers", "1", "--generation-database", "none",
            "--request-timeout", "10", "--no-color", "--output-truncate", "false",
        ], executable: "/bin/sh", stdout: .capture, stderr: .file(work.path + "/stderr"))
        let status = await child.waitForExit(killingAfter: .seconds(300))
        let report = String(decoding: await child.standardOutput(), as: UTF8.self)
        print(report.split(separator: "\n").suffix(15).joined(separator: "\n"))
        #expect(status == 0, "schemathesis failed:\n\(report)\n\(gateway.dir.path)")
        await gateway.shutdown(keep: status != 0)
        if status == 0 { work.remove() }
    }
}
