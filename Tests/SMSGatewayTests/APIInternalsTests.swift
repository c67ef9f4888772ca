import Foundation
import HTTPTypes
import Hummingbird
import Testing
@testable import SMSGateway

@Suite("HTTP API: internals")
struct APIInternalsTests {
    struct DiskOnFire: Error, CustomStringConvertible {
        var description: String { "SQLite error 10: disk I/O error at /var/lib/smskit/gateway.sqlite" }
    }

    @Test func nonGatewayStoreErrorsBecome503WithoutTheirCause() async throws {
        await #expect(throws: GatewayError.storeUnavailable(DiskOnFire().description)) {
            try await storeCall { () async throws -> Int in throw DiskOnFire() }
        }
        await #expect(throws: GatewayError.notFound(kind: "message", id: "x")) {
            try await storeCall { () async throws -> Int in throw GatewayError.notFound(kind: "message", id: "x") }
        }
        let problem = HTTPProblem(.storeUnavailable(DiskOnFire().description))
        #expect(problem.details.status == 503 && problem.details.type == "urn:smskit:problem:store-unavailable")
        #expect(!problem.details.detail.contains("SQLite") && !problem.details.detail.contains("/var/lib"))
    }

    @Test func problemJSONShape() throws {
        let response = ProblemMiddleware.response(for: HTTPProblem(.invalidField(field: "to", detail: "bad")), path: "/v1/messages")
        #expect(response.status.code == 422)
        #expect(response.headers[.contentType] == "application/problem+json")
        let unauthorized = ProblemMiddleware.response(for: HTTPProblem(.unauthorized), path: "/v1/inbox")
        #expect(unauthorized.headers[.wwwAuthenticate] == "Bearer")
    }

    @Test func datesAreUTCWithMilliseconds() throws {
        let date = Date(timeIntervalSince1970: 1_796_185_800.5)
        #expect(APIJSON.format(date) == "2026-12-02T04:30:00.500Z")
        #expect(APIJSON.parseDate("2026-12-02T04:30:00Z") == Date(timeIntervalSince1970: 1_796_185_800))
        #expect(APIJSON.parseDate("2026-12-02T04:30:00.500Z") == date)
        #expect(APIJSON.parseDate("2026-12-02") == nil)
        #expect(APIJSON.parseDate("1796013000") == nil)
    }

    @Test func requestDigestIgnoresFormattingButNotContent() throws {
        let a = try JSONBody.decode(SendMessageRequest.self, from: Array(#"{"to":"+15550100","text":"hi","metadata":{"a":"1","b":"2"}}"#.utf8))
        let b = try JSONBody.decode(SendMessageRequest.self, from: Array(#"{ "metadata": {"b":"2", "a":"1"}, "text": "hi", "to": "+15550100" }"#.utf8))
        let c = try JSONBody.decode(SendMessageRequest.self, from: Array(#"{"to":"+15550100","text":"hi!"}"#.utf8))
        #expect(try IdempotencyHeader.requestDigest(of: a) == IdempotencyHeader.requestDigest(of: b))
        #expect(try IdempotencyHeader.requestDigest(of: a) != IdempotencyHeader.requestDigest(of: c))
        #expect(try IdempotencyHeader.requestDigest(of: a).count == 64)
    }

    @Test func routeTableMatchesCaptures() {
        let table = RouteTable([
            APIRoute(.get, "/v1/messages/{id}") { _, _ in Response(status: .ok) },
            APIRoute(.delete, "/v1/messages/{id}") { _, _ in Response(status: .ok) },
            APIRoute(.get, "/v1/messages") { _, _ in Response(status: .ok) },
        ])
        #expect(table.allowedMethods(for: "/v1/messages/msg_1") == [.get, .delete])
        #expect(table.allowedMethods(for: "/v1/messages/") == [.get])
        #expect(table.allowedMethods(for: "/v1/messages/a/b").isEmpty)
        #expect(table.allowedMethods(for: "/v1").isEmpty)
    }

    @Test func bearerTokenParsing() {
        #expect(BearerAuthMiddleware.bearerToken("Bearer abc") == "abc")
        #expect(BearerAuthMiddleware.bearerToken("BEARER  abc ") == "abc")
        #expect(BearerAuthMiddleware.bearerToken("Bearer a b") == nil)
        #expect(BearerAuthMiddleware.bearerToken("Bearer") == nil)
        #expect(BearerAuthMiddleware.bearerToken("Token abc") == nil)
    }
}
