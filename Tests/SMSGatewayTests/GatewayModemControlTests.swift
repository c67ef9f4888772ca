import Foundation
import SMSKitTestSupport
import Testing
@testable import SMSGateway
#if canImport(Glibc)
import Glibc
#endif

/// Suspend, drain and resume through the API of the real binary (`smskit gateway --emulate 2`):
/// a suspended modem sends nothing while the other sends everything; a message pinned to it waits;
/// resume brings it back; a drained modem reports `drained` and takes nothing.
@Suite("Modem control: the real gateway", .serialized, .enabled(if: haveBinary))
struct GatewayModemControlTests {
    /// Polls `GET /v1/messages` until `done` holds for the messages with these ids, or the timeout.
    static func waitFor(_ http: GatewayHTTP, ids: Set<String>, timeout: Duration = .seconds(60),
                        _ done: @Sendable ([String: [String: Any]]) -> Bool) async throws -> [String: [String: Any]] {
        let deadline = ContinuousClock.now + timeout
        while true {
            var byID: [String: [String: Any]] = [:]
            for m in try await http.allMessages() { if let id = m["id"] as? String, ids.contains(id) { byID[id] = m } }
            if done(byID) || ContinuousClock.now > deadline { return byID }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    static func modems(_ http: GatewayHTTP) async throws -> [String: [String: Any]] {
        let list = try await http.request("GET", "/v1/modems").json["modems"] as? [[String: Any]] ?? []
        var byNumber: [String: [String: Any]] = [:]
        for m in list { if let n = m["number"] as? String { byNumber[n] = m } }
        return byNumber
    }

    static func post(_ http: GatewayHTTP, count: Int, tag: String, from: String? = nil) async throws -> Set<String> {
        var ids = Set<String>()
        for i in 0..<count {
            var body: [String: Any] = ["to": "+1999" + String(format: "%06d", i + 1), "text": "\(tag) \(i)"]
            if let from { body["from"] = from }
            let reply = try await http.request("POST", "/v1/messages", json: body)
            #expect(reply.status == 202, "\(String(decoding: reply.body, as: UTF8.self))")
            if let id = reply.json["id"] as? String { ids.insert(id) }
        }
        return ids
    }

    static func modemsUsed(_ messages: [String: [String: Any]]) -> Set<String> {
        var used = Set<String>()
        for m in messages.values {
            for p in m["parts"] as? [[String: Any]] ?? [] { if let modem = p["modem"] as? String { used.insert(modem) } }
        }
        return used
    }

    @Test(.timeLimit(.minutes(3)))
    func suspendedModemSendsNothingAndResumeBringsItBack() async throws {
        let gateway = try await EmulatedGateway(name: "modem-control", modems: 2)
        try await gateway.start()
        let http = await gateway.client
        defer { Task { await gateway.shutdown() } }

        let modems = try await Self.modems(http)
        let a = try #require(modems["+15550001"]?["id"] as? String)
        let b = try #require(modems["+15550002"]?["id"] as? String)

        // Suspend A: it answers the modem, suspended.
        let suspended = try await http.request("POST", "/v1/modems/\(a)/suspend")
        #expect(suspended.status == 200 && suspended.json["id"] as? String == a && suspended.json["state"] as? String == "suspended")
        #expect(try await Self.modems(http)["+15550001"]?["state"] as? String == "suspended")
        let unknown = try await http.request("POST", "/v1/modems/no-such-modem/suspend")
        #expect(unknown.status == 404)

        // 30 unpinned messages all go out on B; one pinned to A waits.
        let unpinned = try await Self.post(http, count: 30, tag: "while A is suspended")
        let pinned = try await Self.post(http, count: 1, tag: "pinned to A", from: "+15550001")
        let sent = try await Self.waitFor(http, ids: unpinned) { all in
            all.count == unpinned.count && all.values.allSatisfy { $0["status"] as? String == "delivered" }
        }
        #expect(sent.values.allSatisfy { $0["status"] as? String == "delivered" })
        #expect(Self.modemsUsed(sent) == [b])
        let waiting = try await Self.waitFor(http, ids: pinned, timeout: .seconds(1)) { _ in false }
        #expect(waiting.values.map { $0["status"] as? String } == ["queued"])
        #expect(Self.modemsUsed(waiting).isEmpty)

        // Resume A: the pinned message goes out on A.
        let resumed = try await http.request("POST", "/v1/modems/\(a)/resume")
        #expect(resumed.status == 200 && resumed.json["state"] as? String == "ready")
        let afterResume = try await Self.waitFor(http, ids: pinned) { all in
            all.values.allSatisfy { $0["status"] as? String == "delivered" }
        }
        #expect(afterResume.values.allSatisfy { $0["status"] as? String == "delivered" })
        #expect(Self.modemsUsed(afterResume) == [a])

        // Drain B: it reports drained (nothing in hand) and the next messages all go out on A.
        let draining = try await http.request("POST", "/v1/modems/\(b)/drain")
        #expect(draining.status == 200)
        #expect(["draining", "drained"].contains(draining.json["state"] as? String ?? ""))
        let deadline = ContinuousClock.now + .seconds(30)
        while try await Self.modems(http)["+15550002"]?["state"] as? String != "drained", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await Self.modems(http)["+15550002"]?["state"] as? String == "drained")
        let later = try await Self.post(http, count: 10, tag: "while B is drained")
        let laterSent = try await Self.waitFor(http, ids: later) { all in
            all.count == later.count && all.values.allSatisfy { $0["status"] as? String == "delivered" }
        }
        #expect(laterSent.values.allSatisfy { $0["status"] as? String == "delivered" })
        #expect(Self.modemsUsed(laterSent) == [a])
        let back = try await http.request("POST", "/v1/modems/\(b)/resume")
        #expect(back.status == 200 && back.json["state"] as? String == "ready")
        await gateway.shutdown()
    }

    /// SIGHUP is not a reload and does not end the gateway: it logs a notice and keeps serving;
    /// SIGTERM still stops it cleanly (exit 0).
    @Test(.timeLimit(.minutes(1)))
    func sighupIsIgnoredWithANotice() async throws {
        let gateway = try await EmulatedGateway(name: "sighup", modems: 1)
        try await gateway.start()
        defer { Task { await gateway.shutdown() } }
        let http = await gateway.client
        let child = try #require(await gateway.child)
        child.signal(SIGHUP)
        let log = gateway.dir.path + "/gateway-1.err"
        let deadline = ContinuousClock.now + .seconds(10)
        while !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("SIGHUP ignored"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("SIGHUP ignored: it does not reload the config"))
        #expect(try await http.request("GET", "/health").status == 200)
        let sent = try await http.request("POST", "/v1/messages", json: ["to": "+1999000001", "text": "after SIGHUP"])
        #expect(sent.status == 202)
        child.signal(SIGTERM)
        #expect(await child.waitForExit() == 0)
    }
}
