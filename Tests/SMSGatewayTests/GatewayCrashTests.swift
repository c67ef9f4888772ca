import Foundation
import SMSKitTestSupport
import ModemEmulator
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Gateway crash safety: kill -9 of the real binary", .serialized)
struct GatewayCrashTests {
    @Test("20+ kill -9 at seeded moments while 1,000 messages go out and 1,000 come in: nothing lost, nothing doubled outside `unknown`, the inbox complete and without duplicates",
          .enabled(if: haveBinary, "build smskit first: swift build"), .timeLimit(.minutes(8)))
    func killNine() async throws {
        let rig = try await GatewayRig(name: "crash", modems: 4, faults: nil, seed: 23, gatewayOptions: ["--retry-base", "0.05"])
        try await rig.startGateway()
        let count = 1000
        let inbound = Task {
            for i in 0..<count {
                await rig.phoneSend(from: "+1999" + String(format: "%06d", 500 + i % 50), to: "+1555" + String(format: "%04d", i % 4 + 1),
                                    text: "in-\(i)")
            }
        }
        let killer = Task { () -> Int in
            var random = SeededGenerator(seed: 20261202)
            var kills = 0
            while kills < 22 {
                try? await Task.sleep(for: .milliseconds(Int.random(in: 150...900, using: &random)))
                await rig.killGateway()
                kills += 1
                try? await rig.startGateway()
            }
            return kills
        }
        let ids = try await postMessages(rig, prefix: "out", count: count, concurrency: 8)
        let kills = await killer.value
        await inbound.value
        #expect(kills >= 20)
        #expect(ids.count == count && Set(ids.values).count == count, "every message accepted once (Idempotency-Key)")

        // Settle: every message ends delivered, or unknown (its part was written when the gateway died and
        // no report resolved it). A report that finds the modem's SR memory full waits at the SMSC, so
        // none is lost to the kills: no message may stay `sent`.
        let settled: Set<String> = ["delivered", "unknown"]
        let all = try await waitForMessages(rig, timeout: .seconds(120)) { all in
            all.count == count && all.allSatisfy { settled.contains($0["status"] as? String ?? "") }
        }
        let byText = Dictionary(all.map { ($0["text"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(all.count == count, "no accepted message lost from the store")
        #expect(Set(byText.keys) == Set((0..<count).map { "out-\($0)" }))
        #expect(statuses(all).keys.allSatisfy { settled.contains($0) }, "statuses: \(statuses(all))")
        let delivered = all.filter { $0["status"] as? String == "delivered" }.compactMap { $0["text"] as? String }
        _ = await rig.waitForPhones(timeout: .seconds(20)) { phones in delivered.allSatisfy { phones[$0] != nil } }
        let phones = await rig.phoneMessages
        for text in delivered { #expect(phones[text]?.count == 1, "\(text) sent/delivered: reached its phone \(phones[text]?.count ?? 0) times") }
        let unknown = all.filter { $0["status"] as? String == "unknown" }.compactMap { $0["text"] as? String }
        for text in unknown { #expect((phones[text]?.count ?? 0) <= 1, "\(text) unknown: reached its phone more than once") }
        let doubled = phones.filter { $0.key.hasPrefix("out-") && $0.value.count > 1 }.map(\.key)
        #expect(doubled.isEmpty, "reached a phone twice: \(doubled.prefix(10))")

        // Inbound: each of the 1,000 once, in one stable order.
        let http = await rig.client
        var inbox: [[String: Any]] = []
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            inbox = try await http.inbox()
            if inbox.count >= count { break }
            _ = try? await http.request("GET", "/v1/inbox?after=\((inbox.last?["cursor"] as? NSNumber)?.int64Value ?? 0)&wait=5")
        }
        let texts = inbox.compactMap { $0["text"] as? String }
        #expect(texts.count == count, "inbox has \(texts.count) of \(count)")
        #expect(Set(texts) == Set((0..<count).map { "in-\($0)" }), "inbox missing \(Set((0..<count).map { "in-\($0)" }).subtracting(texts).prefix(10))")
        let cursors = inbox.compactMap { ($0["cursor"] as? NSNumber)?.int64Value }
        #expect(cursors == cursors.sorted() && Set(cursors).count == cursors.count)
        print("crash test: \(kills) kills, statuses \(statuses(all)), inbox \(texts.count)")
        await rig.shutdown()
    }
}
