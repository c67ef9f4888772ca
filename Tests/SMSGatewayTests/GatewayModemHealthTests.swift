import Foundation
import SMSKitTestSupport
import Testing

@Suite("Gateway modem supervision: a modem that keeps failing is reset, then rested", .serialized)
struct GatewayModemHealthTests {
    @Test("Every submit refused by the SMSC: after 5 failures the modem is reset (AT+CFUN=1,1), after 5 more it is unhealthy; no message counts as sent",
          .enabled(if: haveBinary, "build smskit first: swift build"), .timeLimit(.minutes(2)))
    func failingModemIsResetThenRested() async throws {
        let rig = try await GatewayRig(name: "health", modems: 1, faults: "smsc-error=1", seed: 5,
                                       gatewayOptions: ["--retry-base", "0.01"])
        try await rig.startGateway()
        let http = await rig.client
        var ids: [String] = []
        for i in 0..<3 {  // each gives up after 8 attempts; 3 give the modem 10 failures in a row
            let r = try await http.request("POST", "/v1/messages", json: ["to": "+199900000\(i)", "text": "never goes \(i)"])
            #expect(r.status == 202)
            ids.append(try #require(r.json["id"] as? String))
        }
        var modem: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let list = try await http.request("GET", "/v1/modems")
            modem = (list.json["modems"] as? [[String: Any]])?.first ?? [:]
            if modem["healthy"] as? Bool == false, (modem["resets"] as? Int ?? 0) >= 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(modem["resets"] as? Int == 1, "one reset before resting: \(modem)")
        #expect(modem["healthy"] as? Bool == false, "rested as unhealthy: \(modem)")
        #expect((modem["failed"] as? Int ?? 0) >= 10)
        for id in ids {
            let status = try await http.request("GET", "/v1/messages/\(id)").json["status"] as? String ?? ""
            #expect(["queued", "scheduled", "failed"].contains(status), "\(id): \(status)")
        }
        await rig.shutdown()
    }
}
