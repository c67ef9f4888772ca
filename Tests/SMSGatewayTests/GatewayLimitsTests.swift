import Foundation
import SMSKitTestSupport
import Testing
@testable import SMSGateway

@Suite("Per-modem limits from the config file")
struct GatewayConfigModemTests {
    static let file: GatewayConfigFile = {
        var f = GatewayConfigFile()
        f.ratePerMinute = 30
        f.dailyCap = 500
        var entry = GatewayConfigFile.ModemEntry(port: "/dev/ttyUSB2")
        entry.pin = "1234"
        entry.number = "+41791234567"
        entry.dailyCap = 3
        var other = GatewayConfigFile.ModemEntry(port: "/dev/ttyUSB5")
        other.ratePerMinute = 6
        f.modems = [entry, other]
        return f
    }()

    @Test("A port on the command line keeps its entry's PIN, number and limits; others get the defaults; entries not on the command line are attached too")
    func commandLinePortsKeepTheirEntry() {
        let modems = Self.file.modemSettings(commandLinePorts: ["/dev/ttyUSB2", "/dev/ttyACM0"])
        #expect(modems.map(\.port) == ["/dev/ttyUSB2", "/dev/ttyACM0", "/dev/ttyUSB5"])
        #expect(modems[0].pin == "1234" && modems[0].number == "+41791234567")
        #expect(modems[0].dailyCap == 3 && modems[0].ratePerMinute == 30, "the entry's cap, the file's default rate")
        #expect(modems[1].pin == nil && modems[1].dailyCap == 500 && modems[1].ratePerMinute == 30)
        #expect(modems[2].ratePerMinute == 6 && modems[2].dailyCap == 500)
    }
}

@Suite("Gateway limits end to end: a daily cap sends the rest elsewhere, a rate limit spaces the parts", .serialized)
struct GatewayLimitsTests {
    @Test("A modem at its daily cap sends no more; the other modem takes the rest and every message is delivered",
          .enabled(if: haveBinary, "build smskit first: swift build"), .timeLimit(.minutes(2)))
    func dailyCapMovesTheRestToAnotherModem() async throws {
        let configDir = try TempDir("limits-config")
        defer { configDir.remove() }
        // The rig's modem links are known only once it exists; the config names the first one.
        let probe = try await GatewayRig(name: "cap", modems: 2, faults: nil, seed: 11,
                                         gatewayOptions: ["--config", configDir.path + "/gateway.yaml", "--retry-base", "0.05"])
        let capped = await probe.link("+15550001")
        try "modems:\n  - port: \(capped)\n    daily_cap: 3\n".write(toFile: configDir.path + "/gateway.yaml", atomically: true, encoding: .utf8)
        try await probe.startGateway()
        let http = await probe.client
        // Three messages pinned to the capped modem take its whole day; then unpinned ones go to the
        // other modem instead of waiting, and a fourth pinned one waits for the next day.
        for i in 0..<3 {
            let r = try await http.request("POST", "/v1/messages", json: ["to": "+199900000\(i)", "text": "pinned-\(i)", "from": "+15550001"])
            #expect(r.status == 202)
        }
        #expect(await probe.waitForPhones(timeout: .seconds(60)) { phones in (0..<3).allSatisfy { phones["pinned-\($0)"]?.count == 1 } })
        let waiting = try await http.request("POST", "/v1/messages", json: ["to": "+1999000009", "text": "pinned-late", "from": "+15550001"])
        let waitingID = try #require(waiting.json["id"] as? String)
        for i in 0..<9 {
            let r = try await http.request("POST", "/v1/messages", json: ["to": "+1999" + String(format: "%06d", i), "text": "cap-\(i)"])
            #expect(r.status == 202)
        }
        let delivered = await probe.waitForPhones(timeout: .seconds(60)) { phones in
            (0..<9).allSatisfy { phones["cap-\($0)"]?.count == 1 }
        }
        #expect(delivered, "every unpinned message reached its phone once, through the other modem")
        let modems = try await http.request("GET", "/v1/modems").json["modems"] as? [[String: Any]] ?? []
        let byPort = Dictionary(uniqueKeysWithValues: modems.map { ($0["port"] as? String ?? "", $0) })
        #expect(byPort[capped]?["daily_cap"] as? Int == 3)
        #expect(byPort[capped]?["sent_today"] as? Int == 3, "the capped modem stopped at its cap: \(byPort[capped] ?? [:])")
        let messages = try await http.allMessages()
        let cappedID = byPort[capped]?["id"] as? String ?? "?"
        for m in messages where (m["text"] as? String ?? "").hasPrefix("cap-") {
            #expect(m["modem"] as? String != cappedID, "\(m["text"] ?? "") went out on the capped modem")
        }
        let late = try await http.request("GET", "/v1/messages/\(waitingID)")
        #expect(late.json["status"] as? String == "queued", "a message pinned to a capped modem waits: \(late.json)")
        #expect(await probe.phoneMessages["pinned-late"] == nil)
        await probe.shutdown()
    }

    @Test("rate_per_minute spaces a modem's submissions by 60/rate seconds",
          .enabled(if: haveBinary, "build smskit first: swift build"), .timeLimit(.minutes(2)))
    func rateLimitSpacesSubmissions() async throws {
        let configDir = try TempDir("rate-config")
        defer { configDir.remove() }
        let rig = try await GatewayRig(name: "rate", modems: 1, faults: nil, seed: 12,
                                       gatewayOptions: ["--config", configDir.path + "/gateway.yaml"])
        try "rate_per_minute: 120\n".write(toFile: configDir.path + "/gateway.yaml", atomically: true, encoding: .utf8)
        try await rig.startGateway()
        let http = await rig.client
        for i in 0..<5 {
            let r = try await http.request("POST", "/v1/messages", json: ["to": "+199900000\(i)", "text": "rate-\(i)"])
            #expect(r.status == 202)
        }
        #expect(await rig.waitForPhones(timeout: .seconds(60)) { phones in (0..<5).allSatisfy { phones["rate-\($0)"] != nil } })
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        // A phone may see its message a moment before the gateway commits `sent`.
        var sent: [Date] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while sent.count < 5, ContinuousClock.now < deadline {
            sent = try await http.allMessages().compactMap { ($0["sent_at"] as? String).flatMap(formatter.date(from:)) }.sorted()
            if sent.count < 5 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(sent.count == 5)
        // 120 per minute: one submission every 0.5 s, so five span at least 2 s. `sent_at` is taken at
        // each commit after +CMGS, whose latency varies on a loaded machine: allow 0.25 s of it
        // (unlimited, the five go out within a few tens of milliseconds).
        let span = (sent.last ?? .distantPast).timeIntervalSince(sent.first ?? .distantFuture)
        #expect(span >= 1.75, "five submissions at 120 per minute spanned \(span) s: \(sent)")
        await rig.shutdown()
    }
}
