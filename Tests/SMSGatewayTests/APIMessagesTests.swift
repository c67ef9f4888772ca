import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SMSGateway

@Suite("HTTP API: messages")
struct APIMessagesTests {
    @Test func sendAnswers202WithTheResourceAndLocation() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let response = try await client.post("/v1/messages", #"{"to": "+1 555-0100", "text": "hello", "priority": 5, "metadata": {"order": "42"}}"#)
            #expect(response.status == .accepted)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.idempotentReplayed] == nil)
            let json = try response.object()
            let id = try #require(json["id"] as? String)
            #expect(id.hasPrefix("msg_"))
            #expect(response.headers[.location] == "/v1/messages/\(id)")
            #expect(json["status"] as? String == "queued")
            #expect(json["segments"] as? Int == 1)
            #expect(json["encoding"] as? String == "gsm7")
            #expect(json["to"] as? String == "+15550100")
            #expect(json["text"] as? String == "hello")
            #expect(json["priority"] as? Int == 5)
            #expect(json["guarantee"] as? String == "at_most_once")
            #expect((json["metadata"] as? [String: String]) == ["order": "42"])
            let created = try #require(json["created_at"] as? String)
            #expect(created.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/#) != nil, "created_at \(created)")
            #expect(json["updated_at"] is String)
            let parts = try #require(json["parts"] as? [[String: Any]])
            #expect(parts.count == 1 && parts[0]["seq"] as? Int == 1 && parts[0]["status"] as? String == "pending")

            let fetched = try await client.get("/v1/messages/\(id)")
            #expect(fetched.status == .ok)
            let resource = try fetched.decode(MessageResource.self)
            #expect(resource.id == id && resource.status == .queued && resource.metadata == ["order": "42"])
            #expect(String(buffer: fetched.body) == String(buffer: response.body))
        }
        #expect(await harness.runtime.acceptedSignals == 1)
        #expect(try await harness.messageCount() == 1)
    }

    @Test func dataHexWithPortsIs8Bit() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let response = try await client.post("/v1/messages", #"{"to":"+15550100","data_hex":"0102A0ff","ports":{"dst":2948,"src":9200}}"#)
            #expect(response.status == .accepted)
            let resource = try response.decode(MessageResource.self)
            #expect(resource.encoding == "8bit" && resource.ports == Ports(dst: 2948, src: 9200) && resource.text == nil)
        }
    }

    @Test func sendAtWithAndWithoutFractionalSeconds() async throws {
        let now = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-29
        let harness = try await APIHarness(configuration: APIConfiguration(now: { now }))
        try await harness.test { client in
            for (sent, echoed) in [("2026-12-02T04:30:00Z", "2026-12-02T04:30:00.000Z"),
                                   ("2026-12-02T04:30:00.250Z", "2026-12-02T04:30:00.250Z"),
                                   ("2026-12-02T06:30:00+02:00", "2026-12-02T04:30:00.000Z")] {
                let response = try await client.post("/v1/messages", #"{"to":"+15550100","text":"later","send_at":"\#(sent)"}"#)
                #expect(response.status == .accepted)
                let json = try response.object()
                #expect(json["status"] as? String == "scheduled")
                #expect(json["send_at"] as? String == echoed)
            }
            let bad = try await client.post("/v1/messages", #"{"to":"+15550100","text":"later","send_at":"tomorrow"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(try bad.problem().field == "send_at")
        }
        #expect(try await harness.messageCount() == 3)
    }

    @Test func unknownFieldsAreIgnored() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let response = try await client.post("/v1/messages", #"{"to":"+15550100","text":"hi","colour":"blue","nested":{"a":[1,2]}}"#)
            #expect(response.status == .accepted)
        }
    }

    @Test func idempotentReplayAnswersTheFirstMessageAndStoresNothing() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let first = try await client.post("/v1/messages", #"{"to":"+15550100","text":"once","priority":3}"#, idempotencyKey: "order-42")
            #expect(first.status == .accepted)
            // The same request with other whitespace, key order and an unknown field.
            let again = try await client.post("/v1/messages", "{\n  \"priority\" : 3,\n  \"text\": \"once\",\n  \"to\": \"+15550100\", \"x\": 1\n}",
                                              idempotencyKey: "order-42")
            #expect(again.status == .accepted)
            #expect(again.headers[.idempotentReplayed] == "true")
            #expect(again.headers[.location] == first.headers[.location])
            #expect(try again.decode(MessageResource.self) == first.decode(MessageResource.self))

            let list = try await client.get("/v1/messages")
            let page = try list.decode(MessagePage.self)
            #expect(page.messages.count == 1)

            let conflict = try await client.post("/v1/messages", #"{"to":"+15550100","text":"twice","priority":3}"#, idempotencyKey: "order-42")
            #expect(conflict.status == .conflict)
            #expect(try conflict.problem().type == "urn:smskit:problem:idempotency-conflict")

            // Another key is another message.
            let other = try await client.post("/v1/messages", #"{"to":"+15550100","text":"once","priority":3}"#, idempotencyKey: "order-43")
            #expect(other.status == .accepted && other.headers[.idempotentReplayed] == nil)
            #expect(try other.decode(MessageResource.self).id != first.decode(MessageResource.self).id)
        }
        #expect(try await harness.messageCount() == 2)
        #expect(await harness.runtime.acceptedSignals == 2)
    }

    @Test func unknownIDIs404() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            for (method, uri) in [(HTTPRequest.Method.get, "/v1/messages/msg_NOPE"), (.delete, "/v1/messages/msg_NOPE")] {
                let response = try await client.request(method, uri)
                #expect(response.status == .notFound)
                let problem = try response.problem()
                #expect(problem.type == "urn:smskit:problem:not-found" && problem.instance == uri)
                #expect(problem.detail.contains("msg_NOPE"))
            }
        }
    }

    @Test func deleteCancelsThenSecondDeleteIs409() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let id = try await client.post("/v1/messages", #"{"to":"+15550100","text":"cancel me"}"#).decode(MessageResource.self).id
            let canceled = try await client.request(.delete, "/v1/messages/\(id)")
            #expect(canceled.status == .ok)
            let resource = try canceled.decode(MessageResource.self)
            #expect(resource.id == id && resource.status == .canceled)
            #expect(resource.parts.allSatisfy { $0.status == .canceled })

            let again = try await client.request(.delete, "/v1/messages/\(id)")
            #expect(again.status == .conflict)
            let problem = try again.problem()
            #expect(problem.type == "urn:smskit:problem:not-cancelable")

            #expect(try await client.get("/v1/messages/\(id)").decode(MessageResource.self).status == .canceled)
        }
    }

    @Test func listPagesFiltersAndWritesNextAsNull() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let empty = try await client.get("/v1/messages")
            #expect(empty.status == .ok)
            #expect(String(buffer: empty.body) == #"{"messages":[],"next":null}"#)

            var ids: [String] = []
            for i in 0..<5 {
                ids.append(try await client.post("/v1/messages", #"{"to":"+15550100","text":"m\#(i)"}"#).decode(MessageResource.self).id)
            }
            _ = try await client.request(.delete, "/v1/messages/\(ids[1])")

            let first = try await client.get("/v1/messages?limit=2").decode(MessagePage.self)
            #expect(first.messages.map(\.id) == Array(ids[0..<2]) && first.next == ids[1])
            let second = try await client.get("/v1/messages?limit=2&after=\(ids[1])").decode(MessagePage.self)
            #expect(second.messages.map(\.id) == Array(ids[2..<4]) && second.next == ids[3])
            let last = try await client.get("/v1/messages?limit=2&after=\(ids[3])").decode(MessagePage.self)
            #expect(last.messages.map(\.id) == [ids[4]] && last.next == ids[4])
            let end = try await client.get("/v1/messages?limit=2&after=\(ids[4])").decode(MessagePage.self)
            #expect(end.messages.isEmpty && end.next == nil)

            let canceled = try await client.get("/v1/messages?status=canceled").decode(MessagePage.self)
            #expect(canceled.messages.map(\.id) == [ids[1]])
            let queued = try await client.get("/v1/messages?status=queued&limit=500").decode(MessagePage.self)
            #expect(queued.messages.count == 4)
        }
    }

    @Test(arguments: ["status=bogus", "status=QUEUED", "limit=0", "limit=501", "limit=abc", "limit=-1", "limit=1.5",
                      "after=" + String(repeating: "x", count: 129)])
    func badListParametersAre422(query: String) async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let response = try await client.get("/v1/messages?\(query)")
            #expect(response.status == .unprocessableContent)
            let problem = try response.problem()
            #expect(problem.type == "urn:smskit:problem:invalid-field")
            #expect(problem.field == String(query.prefix { $0 != "=" }))
        }
    }
}
