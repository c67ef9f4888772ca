import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SMSGateway

@Suite("HTTP API: health, authentication, request ids")
struct APIAuthTests {
    @Test func healthNeedsNoToken() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let response = try await client.request(.get, "/health", auth: .none)
            #expect(response.status == .ok)
            #expect(try response.decode(StatusBody.self) == StatusBody(status: "ok"))
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.xRequestID]?.hasPrefix("req_") == true)
        }
    }

    @Test(arguments: [
        APIHarness.Client.Auth.none,
        .header("Bearer smsk_0000000000000000000000000000000000000000000000000000000000000000"),
        .header("Basic dXNlcjpwYXNz"),
        .header("Bearer"),
        .header("Bearer "),
    ])
    func missingOrWrongTokenIs401(auth: APIHarness.Client.Auth) async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            for (method, uri) in [(HTTPRequest.Method.get, "/v1/messages"), (.get, "/v1/modems"), (.get, "/v1/inbox")] {
                let response = try await client.request(method, uri, auth: auth)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                let problem = try response.problem()
                #expect(problem.type == "urn:smskit:problem:unauthorized" && problem.instance == uri)
            }
            let post = try await client.request(.post, "/v1/messages", json: #"{"to":"+15550100","text":"hi"}"#, auth: auth)
            #expect(post.status == .unauthorized)
        }
        #expect(try await harness.messageCount() == 0)
    }

    @Test func bearerSchemeIsCaseInsensitive() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let response = try await client.request(.get, "/v1/messages", auth: .header("bearer \(harness.token)"))
            #expect(response.status == .ok)
        }
    }

    @Test func revokedTokenIs401() async throws {
        let harness = try await APIHarness()
        #expect(try await harness.store.revokeToken("test", now: Date()))
        try await harness.test { client in
            let response = try await client.get("/v1/messages")
            #expect(response.status == .unauthorized)
        }
    }

    @Test func saneRequestIDIsEchoedOthersAreReplaced() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let echoed = try await client.request(.get, "/v1/messages", headers: [.xRequestID: "abc-123_x.y:z"])
            #expect(echoed.headers[.xRequestID] == "abc-123_x.y:z")
            for insane in ["has space", String(repeating: "a", count: 129), "semi;colon", "ünïcode"] {
                let replaced = try await client.request(.get, "/v1/messages", headers: [.xRequestID: insane])
                let id = try #require(replaced.headers[.xRequestID])
                #expect(id != insane && id.hasPrefix("req_"))
            }
            // Problems and unauthenticated answers carry it too.
            let unauthorized = try await client.request(.get, "/v1/messages", auth: .none, headers: [.xRequestID: "r-1"])
            #expect(unauthorized.headers[.xRequestID] == "r-1")
            let missing = try await client.request(.get, "/nowhere", headers: [.xRequestID: "r-2"])
            #expect(missing.headers[.xRequestID] == "r-2")
        }
    }

    @Test func logsCarryRequestAndMessageIDsButNeverTheTokenOrText() async throws {
        let harness = try await APIHarness()
        let secretText = "my secret text 4711"
        try await harness.test { client in
            let accepted = try await client.request(.post, "/v1/messages", json: #"{"to":"+15550100","text":"\#(secretText)"}"#,
                                                    headers: [.xRequestID: "trace-me"])
            #expect(accepted.status == .accepted)
            let id = try #require(try accepted.object()["id"] as? String)
            _ = try await client.request(.post, "/v1/messages", json: #"{"to":"+15550100","text":"\#(secretText)","priority":77}"#)
            _ = try await client.request(.get, "/v1/messages", auth: .header("Bearer \(harness.token)x"))
            let logs = harness.logs.text
            #expect(logs.contains("request_id=trace-me"))
            #expect(logs.contains("message_id=\(id)"))
            #expect(!logs.contains(harness.token))
            #expect(!logs.contains(secretText))
            #expect(!logs.contains("Bearer"))
        }
    }
}
