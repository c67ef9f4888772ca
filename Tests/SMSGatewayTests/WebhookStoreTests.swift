import Foundation
import GRDB
import Testing
@testable import SMSGateway

/// The outbox in the store: deliveries are written in the transaction of the change that causes them.
@Suite("SQLite store: webhook outbox")
struct WebhookStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let modem = ModemClaim(id: "imei-a", number: "+15550001")
    let box = SecretBox.ephemeral()

    func hook(_ store: SQLiteStore, url: String = "http://127.0.0.1:9/h", events: [WebhookEventType] = [.messageStatus]) async throws -> WebhookResource {
        try await store.upsertWebhook(NewWebhook(id: GatewayID.make("wh"), kind: .webhook, url: url, events: events,
                                                 sealedSecret: box.seal(Array("whsec_x".utf8))), now: now)
    }

    /// Sends every part of the claimed message and finishes the attempt.
    func sendAll(_ store: SQLiteStore, _ id: String, firstReference: Int) async throws {
        let claim = try #require(try await store.claim(modem: modem, now: now))
        #expect(claim.id == id)
        for seq in claim.pendingParts {
            try await store.partSending(messageID: id, seq: seq, modem: modem.id, now: now)
            try await store.partSent(messageID: id, seq: seq, reference: firstReference + seq, now: now)
        }
        _ = try await store.finishAttempt(messageID: id, outcome: .done, now: now)
    }

    func report(_ store: SQLiteStore, reference: Int, tp: Int) async throws {
        _ = try await store.applyStatusReport(.init(modem: modem.id, reference: reference, recipient: "+15550100", tpStatus: tp,
                                                    dischargeTime: nil), now: now)
    }

    /// Takes due deliveries and records each delivered until none is left: all of them, in the
    /// order a receiver may see them.
    func drain(_ store: SQLiteStore) async throws -> [OutboxDelivery] {
        var all: [OutboxDelivery] = []
        while true {
            let due = try await store.dueDeliveries(now: now, busy: [], perReceiver: 100, limit: 100)
            if due.isEmpty { return all }
            for d in due {
                try await store.recordAttempt(.init(deliveryID: d.id, outcome: .delivered, statusCode: 200, error: nil, duration: 0), now: now)
            }
            all += due
        }
    }

    func count(_ store: SQLiteStore, _ sql: String) async throws -> Int {
        try await store.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    @Test func everyStatusChangeBecomesOneSignedEventWithTheResourceAsOfThatChange() async throws {
        let (store, _) = try makeStore()
        let none = try await store.accept(try newMessage(text: "before any webhook"), idempotency: nil, now: now).message
        #expect(try await count(store, "SELECT COUNT(*) FROM outbox") == 0)  // nobody listened
        let h = try await hook(store)
        _ = try await store.cancel(id: none.id, now: now)
        let m = try await store.accept(try newMessage(), idempotency: nil, now: now).message
        try await sendAll(store, m.id, firstReference: 10)
        try await report(store, reference: 11, tp: 0)
        // One message's events go out one after the other: only its first is due at a time.
        let first = try await store.dueDeliveries(now: now, busy: [], perReceiver: 100, limit: 100)
        #expect(first.count == 2)
        let due = try await drain(store)
        let bodies = try due.map { try JSONSerialization.jsonObject(with: Data(($0.body ?? "").utf8)) as? [String: Any] ?? [:] }
        let statuses = bodies.map { (($0["data"] as? [String: Any])?["status"] as? String) ?? "?" }
        #expect(statuses == ["canceled", "queued", "sending", "sent", "delivered"])
        #expect(Set(due.map(\.eventID)).count == due.count)
        #expect(due.allSatisfy { $0.receiver == h.id && $0.webhookID == h.id && $0.method == "POST" && $0.eventType == "message.status" })
        #expect(bodies.allSatisfy { ($0["type"] as? String) == "message.status" && ($0["id"] as? String)?.hasPrefix("evt_") == true })
        // The resource as of that change: the "sent" event has the part sent, not yet delivered.
        let sent = try #require(bodies.first { (($0["data"] as? [String: Any])?["status"] as? String) == "sent" })
        let parts = (sent["data"] as? [String: Any])?["parts"] as? [[String: Any]]
        #expect(parts?.first?["status"] as? String == "sent" && parts?.first?["reference"] as? Int == 11)
        #expect(box.open(due[0].sealedSecret) == Array("whsec_x".utf8))
    }

    @Test func aFailedChangeWritesNoDelivery() async throws {
        let (store, _) = try makeStore()
        _ = try await hook(store)
        await #expect(throws: GatewayError.self) { _ = try await store.cancel(id: "msg_missing", now: now) }
        let m = try await store.accept(try newMessage(), idempotency: nil, now: now).message
        _ = try #require(try await store.claim(modem: modem, now: now))
        await #expect(throws: GatewayError.self) { _ = try await store.cancel(id: m.id, now: now) }  // sending: not cancelable
        #expect(try await count(store, "SELECT COUNT(*) FROM outbox") == 2)  // queued, sending
    }

    @Test func perReceiverBoundAndBusyReceiversAreSkipped() async throws {
        let (store, _) = try makeStore()
        let a = try await hook(store, url: "http://127.0.0.1:9/a")
        let b = try await hook(store, url: "http://127.0.0.1:9/b")
        for i in 0..<5 { _ = try await store.accept(try newMessage(text: "m\(i)"), idempotency: nil, now: now) }
        let first = try await store.dueDeliveries(now: now, busy: [], perReceiver: 2, limit: 100)
        #expect(first.filter { $0.receiver == a.id }.count == 2 && first.filter { $0.receiver == b.id }.count == 2)
        let onlyB = try await store.dueDeliveries(now: now, busy: [a.id], perReceiver: 3, limit: 100)
        #expect(onlyB.count == 3 && onlyB.allSatisfy { $0.receiver == b.id })
        #expect(try await store.dueDeliveries(now: now, busy: [a.id, b.id], perReceiver: 3, limit: 100).isEmpty)
        #expect(try await store.dueDeliveries(now: now, busy: [], perReceiver: 5, limit: 3).count == 3)
    }

    @Test func attemptsRetryThenDeliverAndAreListedNewestFirst() async throws {
        let (store, _) = try makeStore()
        let h = try await hook(store)
        _ = try await store.accept(try newMessage(), idempotency: nil, now: now)
        let d = try #require(try await store.dueDeliveries(now: now, busy: [], perReceiver: 1, limit: 1).first)
        try await store.recordAttempt(.init(deliveryID: d.id, outcome: .retry(next: now.addingTimeInterval(30)), statusCode: 500,
                                            error: "HTTP 500", duration: 0.01), now: now)
        #expect(try await store.dueDeliveries(now: now.addingTimeInterval(29), busy: [], perReceiver: 1, limit: 1).isEmpty)
        #expect(try await store.nextDeliveryDue(after: now) == now.addingTimeInterval(30))
        let again = try #require(try await store.dueDeliveries(now: now.addingTimeInterval(30), busy: [], perReceiver: 1, limit: 1).first)
        #expect(again.id == d.id && again.eventID == d.eventID && again.attempts == 1 && again.body == d.body)
        try await store.recordAttempt(.init(deliveryID: d.id, outcome: .delivered, statusCode: 200, error: nil, duration: 0.02),
                                      now: now.addingTimeInterval(30))
        // A late duplicate record (an attempt that raced a restart) changes nothing.
        try await store.recordAttempt(.init(deliveryID: d.id, outcome: .retry(next: now), statusCode: nil, error: "late", duration: 0),
                                      now: now.addingTimeInterval(31))
        #expect(try await store.nextDeliveryDue(after: now) == nil)
        let attempts = try await store.webhookAttempts(webhookID: h.id, limit: 10)
        #expect(attempts.map(\.attempt) == [2, 1] && attempts.map(\.statusCode) == [200, 500])
        #expect(attempts.allSatisfy { $0.state == "delivered" && $0.eventID == d.eventID })
        #expect(try await store.pruneOutbox(before: now.addingTimeInterval(60)) == 1)
        #expect(try await store.webhookAttempts(webhookID: h.id, limit: 10).isEmpty)
    }

    @Test func deletingAWebhookDropsItsPendingDeliveries() async throws {
        let (store, _) = try makeStore()
        let h = try await hook(store)
        _ = try await store.accept(try newMessage(), idempotency: nil, now: now)
        #expect(try await store.deleteWebhook(id: h.id, now: now))
        #expect(try await store.deleteWebhook(id: h.id, now: now) == false)
        #expect(try await store.dueDeliveries(now: now, busy: [], perReceiver: 9, limit: 9).isEmpty)
        #expect(try await store.webhooks().isEmpty)
    }

    @Test func inboxMessagesReachReceivedSubscribersAndKannelServices() async throws {
        let (store, _) = try makeStore()
        let h = try await hook(store, events: [.messageReceived])
        _ = try await store.upsertWebhook(NewWebhook(id: "kannel:mo", kind: .kannelGet, url: "http://127.0.0.1:9/mo?from=%p&to=%P&text=%a&id=%I",
                                                     events: [.messageReceived], sealedSecret: box.seal([1])), now: now)
        let tpdu = try deliverTPDUs("hi there", from: "+19990001", reference: 1)[0]
        _ = try await store.receive(inboundRecord(tpdu, sender: "+19990001", reference: nil, total: 1, sequence: 1), now: now)
        let due = try await store.dueDeliveries(now: now, busy: [], perReceiver: 9, limit: 9)
        #expect(due.count == 2)
        let json = try #require(due.first { $0.receiver == h.id })
        let body = try #require(try JSONSerialization.jsonObject(with: Data((json.body ?? "").utf8)) as? [String: Any])
        let data = body["data"] as? [String: Any]
        #expect(body["type"] as? String == "message.received" && data?["text"] as? String == "hi there" && data?["from"] as? String == "+19990001")
        let kannel = try #require(due.first { $0.receiver == "kannel:mo" })
        let inboxID = data?["id"] as? String ?? "?"
        #expect(kannel.method == "GET" && kannel.url == "http://127.0.0.1:9/mo?from=%2B19990001&to=%2B15550001&text=hi+there&id=\(inboxID)")
        #expect(kannel.eventID == json.eventID)
    }

    @Test func statusCallbackGetsEveryChangeOfItsMessageOnly() async throws {
        let (store, _) = try makeStore()
        try await WebhookDispatcher.ensureCallbackKey(store: store, box: box, now: now)
        var withCallback = try newMessage(text: "cb")
        withCallback.callback = MessageCallback(kind: .status, url: "http://127.0.0.1:9/cb")
        let m = try await store.accept(withCallback, idempotency: nil, now: now).message
        _ = try await store.accept(try newMessage(text: "other"), idempotency: nil, now: now)
        let due = try await store.dueDeliveries(now: now, busy: [], perReceiver: 9, limit: 9)
        try #require(due.count == 1)
        #expect(due[0].receiver == "cb:http://127.0.0.1:9" && due[0].webhookID == SQLiteStore.callbacksWebhookID)
        #expect(due[0].body?.contains(m.id) == true)
    }

    /// jasmin#1136/#1190: a multipart message gets exactly one final DLR, with the message's value.
    @Test(arguments: [(0, 0, 1), (0, 0x45, 2), (0x45, 0, 2)])
    func multipartKannelDLRIsSentOnceWithTheFinalValue(first: Int, second: Int, expected: Int) async throws {
        let (store, _) = try makeStore()
        try await WebhookDispatcher.ensureCallbackKey(store: store, box: box, now: now)
        var message = try newMessage(text: String(repeating: "a", count: 300))
        message.callback = MessageCallback(kind: .kannelDLR, url: "http://127.0.0.1:9/dlr?id=%I&d=%d&to=%p&a=%A", dlrMask: 31,
                                           context: ["service": "app", "from": "+15550001"])
        let m = try await store.accept(message, idempotency: nil, now: now).message
        try await sendAll(store, m.id, firstReference: 20)
        try await report(store, reference: 21, tp: 0x21)   // SMSC still trying: 4
        try await report(store, reference: 21, tp: first)
        try await report(store, reference: 22, tp: second)
        try await report(store, reference: 22, tp: 0)      // a late or repeated report: nothing more
        let due = try await drain(store)
        let values = due.compactMap { URLComponents(string: $0.url)?.queryItems?.first { $0.name == "d" }?.value }
        #expect(values == ["8", "4", "\(expected)"])
        #expect(due.allSatisfy { $0.method == "GET" && $0.url.contains("id=\(m.id)") && $0.url.contains("to=%2B15550100") })
        #expect(values.filter { ["1", "2", "16"].contains($0) }.count == 1)
    }

    @Test func dlrMaskSelectsTheValues() async throws {
        let (store, _) = try makeStore()
        try await WebhookDispatcher.ensureCallbackKey(store: store, box: box, now: now)
        var message = try newMessage()
        message.callback = MessageCallback(kind: .kannelDLR, url: "http://127.0.0.1:9/dlr?d=%d", dlrMask: 1 | 2)
        let m = try await store.accept(message, idempotency: nil, now: now).message
        try await sendAll(store, m.id, firstReference: 30)
        try await report(store, reference: 31, tp: 0)
        let due = try await store.dueDeliveries(now: now, busy: [], perReceiver: 20, limit: 20)
        #expect(due.map(\.url) == ["http://127.0.0.1:9/dlr?d=1"])
    }
}
