import Foundation
import SMSKitTestSupport
import ModemEmulator
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Posts `count` messages (texts `prefix-i`, Idempotency-Key `prefix-i`) with `concurrency` clients;
/// a request that fails (gateway down) is retried with the same key until it is answered 202.
func postMessages(_ rig: GatewayRig, prefix: String, count: Int, concurrency: Int,
                  onProgress: @escaping @Sendable (Int) async -> Void = { _ in }) async throws -> [String: String] {
    let next = Counter()
    return try await withThrowingTaskGroup(of: [String: String].self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                var ids: [String: String] = [:]
                while let i = await next.take(below: count) {
                    let text = "\(prefix)-\(i)"
                    let body: [String: Any] = ["to": "+1999" + String(format: "%06d", i % 100), "text": text]
                    while true {
                        let http = await rig.client
                        if let r = try? await http.request("POST", "/v1/messages", json: body, headers: ["Idempotency-Key": text], timeout: 10),
                           r.status == 202, let id = r.json["id"] as? String {
                            ids[text] = id
                            break
                        }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    await onProgress(i)
                }
                return ids
            }
        }
        var all: [String: String] = [:]
        for try await part in group { all.merge(part) { a, _ in a } }
        return all
    }
}

actor Counter {
    private var value = 0
    func take(below limit: Int) -> Int? {
        guard value < limit else { return nil }
        defer { value += 1 }
        return value
    }
}

/// Polls the API until `predicate` holds for the message list, or `timeout`.
func waitForMessages(_ rig: GatewayRig, timeout: Duration, _ predicate: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
    let deadline = ContinuousClock.now + timeout
    while true {
        let http = await rig.client
        if let all = try? await http.allMessages(), predicate(all) { return all }
        if ContinuousClock.now > deadline { return (try? await http.allMessages()) ?? [] }
        try await Task.sleep(for: .milliseconds(250))
    }
}

func statuses(_ messages: [[String: Any]]) -> [String: Int] {
    var out: [String: Int] = [:]
    for m in messages { out[m["status"] as? String ?? "?", default: 0] += 1 }
    return out
}

@Suite("Gateway end to end: the real smskit gateway and smskit emulator binaries over PTYs", .serialized)
struct GatewayEndToEndTests {
    @Test("1,000 messages through 4 modems with duplication, SMSC errors and an unplug: each reaches its phone once, every one is delivered, 200 replies reach the inbox once",
          .enabled(if: haveBinary, "build smskit first: swift build"), .timeLimit(.minutes(5)))
    func thousandMessages() async throws {
        let rig = try await GatewayRig(name: "e2e", modems: 4, faults: "dup=0.1,smsc-error=0.05", seed: 11,
                                       gatewayOptions: ["--retry-base", "0.05"])
        try await rig.startGateway()
        let replies = Task {
            for i in 0..<200 {
                await rig.phoneSend(from: "+1999" + String(format: "%06d", i % 50), to: "+1555" + String(format: "%04d", i % 4 + 1),
                                    text: "reply-\(i)")
            }
        }
        let ids = try await postMessages(rig, prefix: "m", count: 1000, concurrency: 8) { i in
            if i == 300 { await rig.control(["cmd": "unplug", "number": "+15550003"]) }
            if i == 700 { await rig.control(["cmd": "replug", "number": "+15550003"]) }
        }
        await replies.value
        #expect(ids.count == 1000 && Set(ids.values).count == 1000)

        // Delivered, except a part written to modem 3 as it was unplugged: `unknown` (at most once) unless
        // its status report later proves delivery.
        let all = try await waitForMessages(rig, timeout: .seconds(120)) { all in
            all.count == 1000 && all.allSatisfy { ["delivered", "unknown"].contains($0["status"] as? String ?? "") }
        }
        let final = statuses(all)
        #expect((final["delivered"] ?? 0) + (final["unknown"] ?? 0) == 1000 && (final["unknown"] ?? 0) <= 4, "final statuses \(final)")
        let delivered = all.filter { $0["status"] as? String == "delivered" }.compactMap { $0["text"] as? String }
        let arrived = await rig.waitForPhones(timeout: .seconds(30)) { phones in delivered.allSatisfy { phones[$0] != nil } }
        #expect(arrived)
        let phones = await rig.phoneMessages
        let twice = (0..<1000).filter { (phones["m-\($0)"]?.count ?? 0) > 1 }
        let missing = delivered.filter { phones[$0] == nil }
        #expect(twice.isEmpty, "reached a phone twice: \(twice.prefix(10))")
        #expect(missing.isEmpty, "delivered but never reached a phone: \(missing.prefix(10))")
        let usedModems = Set(all.compactMap { $0["modem"] as? String })
        #expect(usedModems.count == 4, "all four modems sent")

        let http = await rig.client
        var inbox: [[String: Any]] = []
        // A deadline for a loaded machine; the loop ends as soon as the 200 are in.
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            inbox = try await http.inbox()
            if inbox.count >= 200 { break }
            _ = try? await http.request("GET", "/v1/inbox?after=\(inbox.count)&wait=5")
        }
        let texts = inbox.compactMap { $0["text"] as? String }
        let missingReplies = Set((0..<200).map { "reply-\($0)" }).subtracting(texts)
        #expect(texts.count == 200 && missingReplies.isEmpty,
                "inbox once each: \(texts.count) messages, \(Set(texts).count) distinct, missing \(missingReplies.sorted().prefix(10))")
        #expect(await rig.stopGateway() == 0, "graceful SIGTERM exit")
        await rig.shutdown()
    }

    @Test("Loss at the SMSC: a message dropped after +CMGS stays `sent` (never reported delivered) and reaches no phone; every other one is delivered once",
          .enabled(if: haveBinary, "build smskit first: swift build"), .timeLimit(.minutes(3)))
    func lossIsNeverReportedDelivered() async throws {
        let rig = try await GatewayRig(name: "loss", modems: 2, faults: "loss=0.1,dup=0.05", seed: 17,
                                       gatewayOptions: ["--retry-base", "0.05"])
        try await rig.startGateway()
        let ids = try await postMessages(rig, prefix: "l", count: 200, concurrency: 8) { _ in }
        #expect(ids.count == 200)
        // Every message is submitted; the ones the SMSC kept are delivered, the lost ones stay `sent`.
        var all: [[String: Any]] = []
        var lost = -1
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            all = try await rig.client.allMessages()
            let counts = statuses(all)
            lost = await rig.networkStats()["lost"] ?? -1
            if all.count == 200, (counts["delivered"] ?? 0) + lost == 200, (counts["sent"] ?? 0) == lost { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let final = statuses(all)
        #expect(lost > 0, "the seed drops some messages")
        #expect(final["sent"] == lost && (final["delivered"] ?? 0) == 200 - lost, "statuses \(final), lost at the SMSC \(lost)")
        let phones = await rig.phoneMessages
        for m in all {
            let text = m["text"] as? String ?? ""
            switch m["status"] as? String {
            case "delivered": #expect(phones[text]?.count == 1, "\(text) delivered: reached its phone \(phones[text]?.count ?? 0) times")
            case "sent": #expect(phones[text] == nil, "\(text) is still `sent` but reached a phone")
            default: Issue.record("\(text): \(m["status"] ?? "?")")
            }
        }
        await rig.shutdown()
    }
}
