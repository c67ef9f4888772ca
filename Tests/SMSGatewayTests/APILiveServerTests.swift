import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SMSGateway

/// The same router behind a real HTTP/1.1 server on a loopback port: what the router tests cannot
/// show (the connection survives a refused body; headers as a real client sees them).
@Suite("HTTP API: live server")
struct APILiveServerTests {
    @Test(.timeLimit(.minutes(1)))
    func refusedBodiesLeaveTheConnectionUsable() async throws {
        let harness = try await APIHarness(configuration: APIConfiguration(maxBodyBytes: 1024))
        try await harness.test(.live) { client in
            let big = #"{"to":"+15550100","text":"\#(String(repeating: "a", count: 200_000))"}"#
            let refused = try await client.post("/v1/messages", big)
            #expect(refused.status == .contentTooLarge)
            #expect(try refused.problem().type == "urn:smskit:problem:body-too-large")
            #expect(refused.headers[.xRequestID] != nil)

            let accepted = try await client.post("/v1/messages", #"{"to":"+15550100","text":"after"}"#, idempotencyKey: "live-1")
            #expect(accepted.status == .accepted)
            let replay = try await client.post("/v1/messages", #"{"text":"after", "to":"+15550100"}"#, idempotencyKey: "live-1")
            #expect(replay.status == .accepted && replay.headers[.idempotentReplayed] == "true")

            let health = try await client.request(.get, "/health", auth: .none)
            #expect(health.status == .ok)
            let unauthorized = try await client.request(.get, "/v1/messages", auth: .none)
            #expect(unauthorized.status == .unauthorized && unauthorized.headers[.wwwAuthenticate] == "Bearer")
        }
        #expect(try await harness.messageCount() == 1)
    }
}
