import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SMSGateway

@Suite("HTTP API: inbox, modems, emulator")
struct APIInboxTests {
    static let sender = "+15550777"

    /// Stores a received single-part message; returns its cursor.
    static func receive(_ text: String, into store: SQLiteStore, reference: UInt8 = 1) async throws -> Int64 {
        let tpdu = try deliverTPDUs(text, from: sender, reference: reference)[0]
        guard case .stored(let message?, _) = try await store.receive(
            inboundRecord(tpdu, sender: sender, reference: nil, total: 1, sequence: 1), now: Date()) else {
            throw GatewayError.storeUnavailable("not stored")
        }
        return message.cursor
    }

    @Test func inboxPagesWithTheCursor() async throws {
        let harness = try await APIHarness()
        let first = try await Self.receive("one", into: harness.store, reference: 1)
        let second = try await Self.receive("two", into: harness.store, reference: 2)
        try await harness.test { client in
            let all = try await client.get("/v1/inbox")
            #expect(all.status == .ok)
            let page = try all.decode(InboxPage.self)
            #expect(page.messages.map(\.text) == ["one", "two"] && page.next == second)
            let json = try all.object()
            let message = try #require((json["messages"] as? [[String: Any]])?.first)
            #expect(message["from"] as? String == Self.sender && message["received_at"] is String)
            #expect(message["received_parts"] as? [Int] == [1])

            let rest = try await client.get("/v1/inbox?after=\(first)&limit=5").decode(InboxPage.self)
            #expect(rest.messages.map(\.text) == ["two"] && rest.next == second)
            let none = try await client.get("/v1/inbox?after=\(second)&wait=0").decode(InboxPage.self)
            #expect(none.messages.isEmpty && none.next == second)
            let one = try await client.get("/v1/inbox?limit=1").decode(InboxPage.self)
            #expect(one.messages.map(\.text) == ["one"] && one.next == first)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func longPollReturnsPromptlyWhenTheRuntimeSignals() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let started = ContinuousClock.now
            async let polled = client.get("/v1/inbox?after=0&wait=30")
            // Wait until the handler read an empty inbox and is waiting.
            while await harness.runtime.waiting == 0 {
                try await Task.sleep(for: .milliseconds(5))
                if ContinuousClock.now - started > .seconds(10) { Issue.record("the long poll never waited"); break }
            }
            let cursor = try await Self.receive("wake up", into: harness.store)
            await harness.runtime.signalInbox()
            let response = try await polled
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(response.status == .ok)
            let page = try response.decode(InboxPage.self)
            #expect(page.messages.map(\.text) == ["wake up"] && page.next == cursor)
        }
    }

    @Test func longPollIsCappedAtMaxLongPoll() async throws {
        let harness = try await APIHarness(configuration: APIConfiguration(maxLongPoll: .milliseconds(100)))
        try await harness.test { client in
            let started = ContinuousClock.now
            let response = try await client.get("/v1/inbox?after=7&wait=3600")
            // Capped at 100 ms instead of the 3,600 s asked for; the bound leaves room for a loaded machine.
            #expect(ContinuousClock.now - started < .seconds(30))
            #expect(try response.decode(InboxPage.self) == InboxPage(messages: [], next: 7))
        }
    }

    @Test(arguments: ["after=-1", "after=x", "after=1.5", "limit=0", "limit=501", "wait=-1", "wait=soon", "wait=nan", "wait=inf"])
    func badInboxParametersAre422(query: String) async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let response = try await client.get("/v1/inbox?\(query)")
            #expect(response.status == .unprocessableContent)
            #expect(try response.problem().field == String(query.prefix { $0 != "=" }))
        }
    }

    @Test func modemsComeFromTheRuntime() async throws {
        let modem = ModemResource(id: "860000000000001", port: "/dev/ttyUSB2", number: "+15550001", registered: true,
                                  state: "ready", healthy: true, sentToday: 3, dailyCap: 500)
        let harness = try await APIHarness(runtime: FakeRuntime(modems: [modem]))
        try await harness.test { client in
            let response = try await client.get("/v1/modems")
            #expect(response.status == .ok)
            #expect(try response.decode(ModemList.self) == ModemList(modems: [modem]))
            let json = try #require((try response.object()["modems"] as? [[String: Any]])?.first)
            #expect(json["sent_today"] as? Int == 3 && json["daily_cap"] as? Int == 500)
        }
    }

    @Test func emulatorPhonesAre404WhenNotEmulating() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let response = try await client.post("/v1/emulator/phones/send", #"{"from":"+15550777","to":"+15550001","text":"hi"}"#)
            #expect(response.status == .notFound)
            #expect(try response.problem().type == "urn:smskit:problem:not-found")
        }
        #expect(await harness.runtime.phoneSends.isEmpty)
    }

    @Test func emulatorPhoneSends() async throws {
        let modem = ModemResource(id: "emu-1", port: "/dev/pts/9", number: "+15550001", state: "ready", healthy: true)
        let harness = try await APIHarness(runtime: FakeRuntime(isEmulated: true, modems: [modem]))
        try await harness.test { client in
            let response = try await client.post("/v1/emulator/phones/send", #"{"from":"+15550777","to":"+15550001","text":"hi"}"#)
            #expect(response.status == .accepted)
            #expect(try response.decode(StatusBody.self) == StatusBody(status: "sent"))

            let unknownModem = try await client.post("/v1/emulator/phones/send", #"{"from":"+15550777","to":"+15559999","text":"hi"}"#)
            #expect(unknownModem.status == .notFound)
            let badFrom = try await client.post("/v1/emulator/phones/send", #"{"from":"me","to":"+15550001","text":"hi"}"#)
            #expect(badFrom.status == .unprocessableContent)
            #expect(try badFrom.problem().field == "from")
            let emptyText = try await client.post("/v1/emulator/phones/send", #"{"from":"+15550777","to":"+15550001","text":""}"#)
            #expect(emptyText.status == .unprocessableContent)
            #expect(try emptyText.problem().field == "text")
            let unauthenticated = try await client.request(.post, "/v1/emulator/phones/send",
                                                           json: #"{"from":"+15550777","to":"+15550001","text":"hi"}"#, auth: .none)
            #expect(unauthenticated.status == .unauthorized)
        }
        #expect(await harness.runtime.phoneSends == [PhoneSendRequest(from: "+15550777", to: "+15550001", text: "hi")])
    }
}
