import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SMSGateway

/// Bad requests to `POST /v1/messages` (and the router's own refusals): each answers the right
/// problem, and none stores anything.
@Suite("HTTP API: bad requests")
struct APIValidationTests {
    struct BadBody: Sendable, CustomTestStringConvertible {
        var json: String
        var status: Int
        var type: String
        var field: String?
        var testDescription: String { "\(status) \(field ?? "-"): \(json.prefix(60))" }
    }

    static let invalid = "urn:smskit:problem:invalid-field"
    static let malformed = "urn:smskit:problem:malformed-body"

    static let badBodies: [BadBody] = [
        // 422: values
        .init(json: #"{"to":"call me","text":"hi"}"#, status: 422, type: invalid, field: "to"),
        .init(json: #"{"to":"12","text":"hi"}"#, status: 422, type: invalid, field: "to"),
        .init(json: #"{"to":"+15550100","text":""}"#, status: 422, type: invalid, field: "text"),
        .init(json: #"{"to":"+15550100"}"#, status: 422, type: invalid, field: "text"),
        .init(json: #"{"to":"+15550100","text":"hi","data_hex":"00"}"#, status: 422, type: invalid, field: "data_hex"),
        .init(json: #"{"to":"+15550100","data_hex":"0g"}"#, status: 422, type: invalid, field: "data_hex"),
        .init(json: #"{"to":"+15550100","text":"hi","priority":12}"#, status: 422, type: invalid, field: "priority"),
        .init(json: #"{"to":"+15550100","text":"hi","priority":-1}"#, status: 422, type: invalid, field: "priority"),
        .init(json: #"{"to":"+15550100","text":"hi","validity":5}"#, status: 422, type: invalid, field: "validity"),
        .init(json: #"{"to":"+15550100","text":"hi","ports":{"dst":70000,"src":1}}"#, status: 422, type: invalid, field: "ports.dst"),
        .init(json: #"{"to":"+15550100","text":"hi","guarantee":"exactly_once"}"#, status: 422, type: invalid, field: "guarantee"),
        .init(json: #"{"text":"hi"}"#, status: 422, type: invalid, field: "to"),
        .init(json: #"{"to":"+15550100","text":"hi","ports":{"dst":1}}"#, status: 422, type: invalid, field: "ports.src"),
        // 413: segments
        .init(json: #"{"to":"+15550100","text":"\#(String(repeating: "a", count: 153 * 10 + 1))"}"#, status: 413,
              type: "urn:smskit:problem:message-too-long"),
        // 400: not JSON, or the wrong types
        .init(json: #"{"to":"+15550100","text":"hi""#, status: 400, type: malformed),
        .init(json: "not json", status: 400, type: malformed),
        .init(json: "", status: 400, type: malformed),
        .init(json: #"["+15550100","hi"]"#, status: 400, type: malformed),
        .init(json: #"{"to":15550100,"text":"hi"}"#, status: 400, type: malformed, field: "to"),
        .init(json: #"{"to":"+15550100","text":["hi"]}"#, status: 400, type: malformed, field: "text"),
        .init(json: #"{"to":"+15550100","text":"hi","priority":"5"}"#, status: 400, type: malformed, field: "priority"),
        .init(json: #"{"to":"+15550100","text":"hi","report":"yes"}"#, status: 400, type: malformed, field: "report"),
        .init(json: #"{"to":"+15550100","text":"hi","metadata":{"a":1}}"#, status: 400, type: malformed, field: "metadata.a"),
        .init(json: #"{"to":null,"text":"hi"}"#, status: 400, type: malformed, field: "to"),
    ]

    @Test(arguments: badBodies)
    func badBodyIsAProblemAndStoresNothing(_ bad: BadBody) async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let response = try await client.post("/v1/messages", bad.json)
            #expect(Int(response.status.code) == bad.status)
            let problem = try response.problem()
            #expect(problem.type == bad.type)
            #expect(problem.field == bad.field)
            #expect(problem.instance == "/v1/messages")
            #expect(!problem.title.isEmpty && !problem.detail.isEmpty)
        }
        #expect(try await harness.messageCount() == 0)
        #expect(await harness.runtime.acceptedSignals == 0)
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "tab\there", "ключ"])
    func badIdempotencyKeyIs422(key: String) async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let response = try await client.post("/v1/messages", #"{"to":"+15550100","text":"hi"}"#, idempotencyKey: key)
            #expect(response.status == .unprocessableContent)
            #expect(try response.problem().field == "Idempotency-Key")
        }
        #expect(try await harness.messageCount() == 0)
    }

    @Test func longestIdempotencyKeyIsFine() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let key = String(repeating: "k", count: 255)
            let response = try await client.post("/v1/messages", #"{"to":"+15550100","text":"hi"}"#, idempotencyKey: key)
            #expect(response.status == .accepted)
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        let harness = try await APIHarness(configuration: APIConfiguration(maxBodyBytes: 1024))
        try await harness.test { client in
            let json = #"{"to":"+15550100","text":"hi","metadata":{"pad":"\#(String(repeating: "p", count: 2000))"}}"#
            let response = try await client.post("/v1/messages", json)
            #expect(response.status == .contentTooLarge)
            let problem = try response.problem()
            #expect(problem.type == "urn:smskit:problem:body-too-large")
            // Just under the limit is read.
            let small = #"{"to":"+15550100","text":"\#(String(repeating: "a", count: 980))"}"#
            #expect(try await client.post("/v1/messages", small).status == .accepted)
        }
        #expect(try await harness.messageCount() == 1)
    }

    @Test func streamedBodyIsRefusedBeforeItsEnd() async throws {
        // No Content-Length: the reader stops at the first chunk past the limit; the stream never
        // finishes, so reading it all would hang.
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        for _ in 0..<3 { continuation.yield(ByteBuffer(string: String(repeating: "x", count: 16))) }
        let request = Request(head: HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/v1/messages"),
                              body: RequestBody(asyncSequence: stream))
        await #expect {
            _ = try await JSONBody.read(request, maxBytes: 20)
        } throws: { error in
            (error as? HTTPProblem)?.details.type == "urn:smskit:problem:body-too-large"
        }
        continuation.finish()
    }

    @Test(arguments: [nil, "text/plain", "application/x-www-form-urlencoded", "application/jsonx"])
    func nonJSONContentTypeIs415(contentType: String?) async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            var headers: HTTPFields = [:]
            if let contentType { headers[.contentType] = contentType }
            let response = try await client.request(.post, "/v1/messages", json: #"{"to":"+15550100","text":"hi"}"#,
                                                    contentType: nil, headers: headers)
            #expect(response.status == .unsupportedMediaType)
            #expect(try response.problem().type == "urn:smskit:problem:unsupported-media-type")
        }
        #expect(try await harness.messageCount() == 0)
    }

    @Test(arguments: ["application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"])
    func jsonContentTypesAreAccepted(contentType: String) async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let response = try await client.request(.post, "/v1/messages", json: #"{"to":"+15550100","text":"hi"}"#,
                                                    contentType: contentType)
            #expect(response.status == .accepted)
        }
    }

    @Test func unknownRouteIs404AndWrongMethodIs405() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            for uri in ["/v1/nope", "/v2/messages", "/", "/v1/messages/a/b"] {
                let response = try await client.get(uri)
                #expect(response.status == .notFound, "\(uri)")
                let problem = try response.problem()
                #expect(problem.type == "urn:smskit:problem:not-found" && problem.instance == uri)
            }
            let unauthenticated = try await client.request(.get, "/v1/nope", auth: .none)
            #expect(unauthenticated.status == .notFound)

            let put = try await client.request(.put, "/v1/messages", json: "{}")
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "POST, GET")
            #expect(try put.problem().type == "urn:smskit:problem:method-not-allowed")
            let patch = try await client.request(.patch, "/v1/messages/msg_X", json: "{}")
            #expect(patch.status == .methodNotAllowed && patch.headers[.allow] == "GET, DELETE")
            let postHealth = try await client.request(.post, "/health", json: "{}", auth: .none)
            #expect(postHealth.status == .methodNotAllowed && postHealth.headers[.allow] == "GET")
        }
        #expect(try await harness.messageCount() == 0)
    }
}
