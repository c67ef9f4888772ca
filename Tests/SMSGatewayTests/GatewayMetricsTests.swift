import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SMSGateway

@Suite("Metrics: transitions, queue, modems, HTTP")
struct GatewayMetricsTests {
    let modem = ModemClaim(id: "imei-1", number: "+15550001")

    /// Every transition is counted once from the store's event log, with its modem, and the
    /// latencies land in their histograms; a second scrape counts nothing again.
    @Test(arguments: storeBackends) func transitionsAreCountedOnceWithTheirModem(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let metrics = GatewayMetrics()
        let t0 = Date()
        // A message accepted before counting starts is not counted (its later transitions are).
        _ = try await store.accept(try newMessage(to: "+15550999", text: "before"), idempotency: nil, now: t0)
        await metrics.startCounting(from: store)
        var ids: [String] = []
        for i in 0..<3 { ids.append(try await store.accept(try newMessage(to: "+1555010\(i)"), idempotency: nil, now: t0).message.id) }
        let canceled = try await store.accept(try newMessage(to: "+15550200"), idempotency: nil, now: t0).message
        _ = try await store.cancel(id: canceled.id, now: t0)
        // Three sends on the modem (the message from before the start stays queued behind them or is claimed).
        var sent = 0
        while sent < 3, let claim = try await store.claim(modem: modem, now: t0.addingTimeInterval(1)) {
            try await store.partSending(messageID: claim.id, seq: 1, modem: modem.id, now: t0.addingTimeInterval(1))
            try await store.partSent(messageID: claim.id, seq: 1, reference: 10 + sent, now: t0.addingTimeInterval(2))
            _ = try await store.finishAttempt(messageID: claim.id, outcome: .done, now: t0.addingTimeInterval(2))
            let delivered = try await store.applyStatusReport(.init(modem: modem.id, reference: 10 + sent, recipient: claim.to,
                                                                    tpStatus: 0, dischargeTime: nil), now: t0.addingTimeInterval(5))
            #expect(delivered?.status == .delivered)
            // The same report again changes nothing and counts nothing.
            _ = try await store.applyStatusReport(.init(modem: modem.id, reference: 10 + sent, recipient: claim.to,
                                                        tpStatus: 0, dischargeTime: nil), now: t0.addingTimeInterval(6))
            sent += 1
        }
        let runtime = FakeRuntime(modems: [ModemResource(id: modem.id, port: "/dev/pts/9", number: modem.number, signal: 17,
                                                         registered: true, state: "ready", healthy: true, failed: 2)])
        let first = try PrometheusText(await metrics.scrape(store: store, runtime: runtime))
        let second = try PrometheusText(await metrics.scrape(store: store, runtime: runtime))
        for text in [first, second] {
            let n = GatewayMetrics.Name.messages
            #expect(text.sum(n, ["state": "queued", "modem": "none"]) == 4)
            #expect(text.sum(n, ["state": "canceled", "modem": "none"]) == 1)
            #expect(text.sum(n, ["state": "sending", "modem": modem.id]) == 3)
            #expect(text.sum(n, ["state": "sent", "modem": modem.id]) == 3)
            #expect(text.sum(n, ["state": "delivered", "modem": modem.id]) == 3)
            #expect(text.types[n] == "counter")
            #expect(text.sum(GatewayMetrics.Name.sendLatency + "_count", ["modem": modem.id]) == 3)
            #expect(text.sum(GatewayMetrics.Name.sendLatency + "_sum", ["modem": modem.id]) == 6)  // 2 s each
            #expect(text.sum(GatewayMetrics.Name.sendLatency + "_bucket", ["modem": modem.id, "le": "1.0"]) == 0)
            #expect(text.sum(GatewayMetrics.Name.sendLatency + "_bucket", ["modem": modem.id, "le": "2.5"]) == 3)
            #expect(text.sum(GatewayMetrics.Name.deliveryLatency + "_count", ["modem": modem.id]) == 3)
            #expect(text.sum(GatewayMetrics.Name.deliveryLatency + "_sum", ["modem": modem.id]) == 9)  // 3 s each
            #expect(text.sum(GatewayMetrics.Name.queueDepth, ["state": "queued"]) == Double(5 - 1 - 3))
            #expect(text.sum(GatewayMetrics.Name.modemSignal, ["modem": modem.id]) == 17)
            #expect(text.sum(GatewayMetrics.Name.modemRegistered, ["modem": modem.id]) == 1)
            #expect(text.sum(GatewayMetrics.Name.modemErrors, ["modem": modem.id]) == 2)  // not again on the second scrape
        }
        await h.close()
    }

    /// Requests are timed by route template and status, never by raw path.
    @Test func requestsAreTimedByRouteTemplate() async throws {
        let harness = try await APIHarness()
        let metrics = GatewayMetrics()
        try await harness.test(metrics: metrics) { client in
            let accepted = try await client.post("/v1/messages", #"{"to":"+15550100","text":"hi"}"#)
            #expect(accepted.status == .accepted)
            let id = try #require(try accepted.object()["id"] as? String)
            _ = try await client.get("/v1/messages/\(id)")
            _ = try await client.get("/v1/messages/msg_nope")
            _ = try await client.get("/v1/nothing-here")
            _ = try await client.request(.get, "/v1/modems", auth: .none)
            let text = try PrometheusText(String(buffer: try await client.request(.get, "/metrics", auth: .none).body))
            let n = GatewayMetrics.Name.httpDuration + "_count"
            #expect(text.sum(n, ["method": "POST", "route": "/v1/messages", "status": "202"]) == 1)
            #expect(text.sum(n, ["method": "GET", "route": "/v1/messages/{id}", "status": "200"]) == 1)
            #expect(text.sum(n, ["method": "GET", "route": "/v1/messages/{id}", "status": "404"]) == 1)
            #expect(text.sum(n, ["method": "GET", "route": "unmatched", "status": "404"]) == 1)
            #expect(text.sum(n, ["method": "GET", "route": "/v1/modems", "status": "401"]) == 1)
            #expect(!text.samples.contains { $0.labels["route"]?.contains("msg_") == true })
            #expect(text.types[GatewayMetrics.Name.httpDuration] == "histogram")
        }
    }
}
