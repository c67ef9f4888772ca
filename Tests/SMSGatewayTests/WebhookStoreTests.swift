import Foundation
import GRDB
import Testing
@testable import SMSGateway

/// A store with the outbox, as the webhook tests use it.
typealias OutboxStore = any GatewayStore & WebhookStore

/// The outbox in the store, on every backend (SQLite always; PostgreSQL when a server is
/// configured, each case in its own schema): deliveries are written in the transaction of the
/// change that causes them.
@Suite("Store contract: webhook outbox")
struct WebhookStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let modem = ModemClaim(id: "imei-a", number: "+15550001")
    let box = SecretBox.ephemeral()

    /// A fresh store of `backend` with its outbox interface.
    func open(_ backend: StoreBackend, _ name: String = #function) async throws -> (StoreHandle, OutboxStore) {
        let h = try await backend.make(name)
        let store = try #require(h.store as? OutboxStore, "\(backend.testDescription) store has no outbox")
        return (h, store)
    }

    func hook(_ store: OutboxStore, url: String = "http://127.0.0.1:9/h", events: [WebhookEventType] = [.messageStatus]) async throws -> WebhookResource {
        try await store.upsertWebhook(NewWebhook(id: GatewayID.make("wh"), kind: .webhook, url: url, events: events,
                                                 sealedSecret: box.seal(Array("whsec_x".utf8))), now: now)
    }

    /// Sends every part of the claimed message and finishes the attempt.
    func sendAll(_ store: OutboxStore, _ id: String, firstReference: Int) async throws {
        let claim = try #require(try await store.claim(modem: modem, now: now))
        #expect(claim.id == id)
        for seq in claim.pendingParts {
            try await store.partSending(messageID: id, seq: seq, modem: modem.id, now: now)
            try await store.partSent(messageID: id, seq: seq, reference: firstReference + seq, now: now)
        }
        _ = try await store.finishAttempt(messageID: id, outcome: .done, now: now)
    }

    func report(_ store: OutboxStore, reference: Int, tp: Int) async throws {
        _ = try await store.applyStatusReport(.init(modem: modem.id, reference: reference, recipient: "+15550100", tpStatus: tp,
                                                    dischargeTime: nil), now: now)
    }

    /// Due deliveries, given back at once (a shared store claims what it returns): a look without
    /// taking, the same on both backends.
    func peek(_ store: OutboxStore, now: Date? = nil, busy: Set<String> = [], perReceiver: Int, limit: Int) async throws -> [OutboxDelivery] {
        let due = try await store.dueDeliveries(now: now ?? self.now, busy: busy, perReceiver: perReceiver, limit: limit)
        try await store.releaseDeliveries(due.map(\.id))
        return due
    }

    /// Takes due deliveries and records each delivered until none is left: all of them, in the
    /// order a receiver may see them.
    func drain(_ store: OutboxStore) async throws -> [OutboxDelivery] {
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

    func count(_ store: OutboxStore, _ sql: String) async throws -> Int {
        if let s = store as? SQLiteStore { return try await s.read { db in try Int.fetchOne(db, sql: sql) ?? -1 } }
        if let p = store as? PostgresStore { return try await p.read { tx in try await tx.scalar(sql, as: Int.self) ?? -1 } }
        return -1
    }

    @Test(arguments: storeBackends) func everyStatusChangeBecomesOneSignedEventWithTheResourceAsOfThatChange(backend: StoreBackend) async throws {
        let (h0, store) = try await open(backend)
        defer { Task { await h0.close() } }
        let none = try await store.accept(try newMessage(text: "before any webhook"), idempotency: nil, now: now).message
        #expect(try await count(store, "SELECT COUNT(*) FROM outbox") == 0)  // nobody listened
        let h = try await hook(store)
        _ = try await store.cancel(id: none.id, now: now)
        let m = try await store.accept(try newMessage(), idempotency: nil, now: now).message
        try await sendAll(store, m.id, firstReference: 10)
        try await report(store, reference: 11, tp: 0)
        // One message's events go out one after the other: only its first is due at a time.
        let first = try await peek(store, perReceiver: 100, limit: 100)
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

    @Test(arguments: storeBackends) func aFailedChangeWritesNoDelivery(backend: StoreBackend) async throws {
        let (h0, store) = try await open(backend)
        defer { Task { await h0.close() } }
        _ = try await hook(store)
        await #expect(throws: GatewayError.self) { _ = try await store.cancel(id: "msg_missing", now: now) }
        let m = try await store.accept(try newMessage(), idempotency: nil, now: now).message
        _ = try #require(try await store.claim(modem: modem, now: now))
        await #expect(throws: GatewayError.self) { _ = try await store.cancel(id: m.id, now: now) }  // sending: not cancelable
        #expect(try await count(store, "SELECT COUNT(*) FROM outbox") == 2)  // queued, sending
    }

    @Test(arguments: storeBackends) func perReceiverBoundAndBusyReceiversAreSkipped(backend: StoreBackend) async throws {
        let (h0, store) = try await open(backend)
        defer { Task { await h0.close() } }
        let a = try await hook(store, url: "http://127.0.0.1:9/a")
        let b = try await hook(store, url: "http://127.0.0.1:9/b")
        for i in 0..<5 { _ = try await store.accept(try newMessage(text: "m\(i)"), idempotency: nil, now: now) }
        let first = try await peek(store, perReceiver: 2, limit: 100)
        #expect(first.filter { $0.receiver == a.id }.count == 2 && first.filter { $0.receiver == b.id }.count == 2)
        let onlyB = try await peek(store, busy: [a.id], perReceiver: 3, limit: 100)
        #expect(onlyB.count == 3 && onlyB.allSatisfy { $0.receiver == b.id })
        #expect(try await peek(store, busy: [a.id, b.id], perReceiver: 3, limit: 100).isEmpty)
        #expect(try await peek(store, perReceiver: 5, limit: 3).count == 3)
    }

    @Test(arguments: storeBackends) func attemptsRetryThenDeliverAndAreListedNewestFirst(backend: StoreBackend) async throws {
        let (h0, store) = try await open(backend)
        defer { Task { await h0.close() } }
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

    @Test(arguments: storeBackends) func deletingAWebhookDropsItsPendingDeliveries(backend: StoreBackend) async throws {
        let (h0, store) = try await open(backend)
        defer { Task { await h0.close() } }
        let h = try await hook(store)
        _ = try await store.accept(try newMessage(), idempotency: nil, now: now)
        #expect(try await store.deleteWebhook(id: h.id, now: now))
        #expect(try await store.deleteWebhook(id: h.id, now: now) == false)
        #expect(try await store.dueDeliveries(now: now, busy: [], perReceiver: 9, limit: 9).isEmpty)
        #expect(try await store.webhooks().isEmpty)
    }

    @Test(arguments: storeBackends) func inboxMessagesReachReceivedSubscribersAndKannelServices(backend: StoreBackend) async throws {
        let (h0, store) = try await open(backend)
        defer { Task { await h0.close() } }
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

    @Test(arguments: storeBackends) func statusCallbackGetsEveryChangeOfItsMessageOnly(backend: StoreBackend) async throws {
        let (h0, store) = try await open(backend)
        defer { Task { await h0.close() } }
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
    @Test(arguments: storeBackends, [(0, 0, 1), (0, 0x45, 2), (0x45, 0, 2)])
    func multipartKannelDLRIsSentOnceWithTheFinalValue(backend: StoreBackend, reports: (Int, Int, Int)) async throws {
        let (first, second, expected) = reports
        let (h0, store) = try await open(backend)
        defer { Task { await h0.close() } }
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

    @Test(arguments: storeBackends) func dlrMaskSelectsTheValues(backend: StoreBackend) async throws {
        let (h0, store) = try await open(backend)
        defer { Task { await h0.close() } }
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

extension WebhookStoreTests {
    /// A delivery in flight when its process died goes out again after the restart, with the same
    /// event id (PostgreSQL: the process restarted under the same node name frees its predecessor's
    /// claims at once instead of waiting for the lease).
    @Test(arguments: storeBackends) func aDeliveryInFlightAtACrashGoesOutAgainAfterRestart(backend: StoreBackend) async throws {
        let (h0, store) = try await open(backend)
        defer { Task { await h0.close() } }
        _ = try await hook(store)
        _ = try await store.accept(try newMessage(), idempotency: nil, now: now)
        let taken = try await store.dueDeliveries(now: now, busy: [], perReceiver: 9, limit: 9, lease: .seconds(300))
        try #require(taken.count == 1)
        let restarted = try #require(try await h0.reopen() as? OutboxStore)
        let again = try await restarted.dueDeliveries(now: now, busy: [], perReceiver: 9, limit: 9)
        #expect(again.map(\.id) == taken.map(\.id) && again.map(\.eventID) == taken.map(\.eventID) && again.first?.attempts == 0)
        try await restarted.recordAttempt(.init(deliveryID: taken[0].id, outcome: .delivered, statusCode: 200, error: nil, duration: 0),
                                          now: now)
        #expect(try await count(restarted, "SELECT COUNT(*) FROM outbox WHERE state = 'delivered' AND attempts = 1") == 1)
    }
}

/// Several gateway hosts' dispatchers on one PostgreSQL outbox: each `PostgresStore` is one host.
@Suite("PostgreSQL store: webhook outbox on many hosts",
       .enabled(if: postgresTestURL != nil, "SMSKIT_TEST_POSTGRES_URL is not set: scripts/test.sh starts a throwaway PostgreSQL and sets it"))
struct PostgresWebhookClusterTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let box = SecretBox.ephemeral()

    /// `count` hosts (distinct node names) on one fresh schema.
    func hosts(_ count: Int) async throws -> [PostgresStore] {
        let url = try #require(postgresTestURL)
        let schema = "w_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
        var hosts: [PostgresStore] = []
        for i in 0..<count {
            hosts.append(try await PostgresStore.open(url: url, options: .init(node: "\(schema)-host\(i)", maxConnections: 8, schema: schema),
                                                      logger: quietLogger))
        }
        return hosts
    }

    func closeAll(_ hosts: [PostgresStore]) async { for h in hosts { await h.close() } }

    func hook(_ store: PostgresStore, _ name: String) async throws -> WebhookResource {
        try await store.upsertWebhook(NewWebhook(id: "wh_" + name, kind: .webhook, url: "http://127.0.0.1:9/" + name,
                                                 events: [.messageStatus], sealedSecret: box.seal(Array("whsec_\(name)".utf8))), now: now)
    }

    func delivered(_ id: Int64) -> DeliveryAttemptResult {
        .init(deliveryID: id, outcome: .delivered, statusCode: 200, error: nil, duration: 0.001)
    }

    /// Who got which delivery.
    actor Handouts {
        var taken: [(host: Int, id: Int64)] = []
        func add(_ host: Int, _ ids: [Int64]) { taken += ids.map { (host, $0) } }
    }

    @Test func twoHostsClaimingAtOnceHandEachDeliveryToExactlyOne() async throws {
        let hosts = try await hosts(2)
        let now = self.now
        for name in ["a", "b", "c"] { _ = try await hook(hosts[0], name) }
        for i in 0..<120 { _ = try await hosts[i % 2].accept(try newMessage(to: "+1555\(300_000 + i)"), idempotency: nil, now: now) }
        let total = 360  // one message.status (queued) per message and webhook
        let handouts = Handouts()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, host) in hosts.enumerated() {
                for _ in 0..<2 {  // two claimers per host: more contention than one dispatcher makes
                    group.addTask {
                        while true {
                            let due = try await host.dueDeliveries(now: now, busy: [], perReceiver: 8, limit: 16, lease: .seconds(60))
                            if due.isEmpty {
                                let left = try await host.read { tx in
                                    try await tx.scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'", as: Int.self) ?? 0
                                }
                                if left == 0 { return }
                                try await Task.sleep(for: .milliseconds(5))
                                continue
                            }
                            await handouts.add(index, due.map(\.id))
                            for d in due { try await host.recordAttempt(delivered(d.id), now: now) }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let taken = await handouts.taken
        let perHost = Dictionary(grouping: taken, by: { $0.host }).mapValues { $0.count }
        print("webhook claims on two hosts: \(taken.count) deliveries in \(ContinuousClock.now - started), per host \(perHost)")
        #expect(taken.count == total && Set(taken.map { $0.id }).count == total, "handed out \(taken.count), distinct \(Set(taken.map { $0.id }).count)")
        #expect(perHost.count == 2, "both hosts took deliveries: \(perHost)")
        let rows = try await hosts[1].read { tx in
            try await tx.scalar("SELECT COUNT(*) FROM outbox WHERE state = 'delivered' AND attempts = 1 AND locked_by IS NULL", as: Int.self) ?? 0
        }
        let attempts = try await hosts[1].read { tx in try await tx.scalar("SELECT COUNT(*) FROM webhook_attempts", as: Int.self) ?? 0 }
        #expect(rows == total && attempts == total)
        await closeAll(hosts)
    }

    @Test func aLapsedDeliveryLeaseGoesToAnotherHostAndTheLateRecordChangesNothing() async throws {
        let hosts = try await hosts(2)
        let h = try await hook(hosts[0], "lease")
        _ = try await hosts[0].accept(try newMessage(), idempotency: nil, now: now)
        let first = try await hosts[0].dueDeliveries(now: now, busy: [], perReceiver: 4, limit: 4, lease: .seconds(1))
        try #require(first.count == 1)
        // Host 0 "hangs" mid-attempt: host 1 does not get the delivery while the lease lives…
        #expect(try await hosts[1].dueDeliveries(now: now, busy: [], perReceiver: 4, limit: 4).isEmpty)
        let wake = try #require(try await hosts[1].nextDeliveryDue(after: now))
        #expect(wake > now && wake <= now.addingTimeInterval(1.5), "wakes when the lease lapses: \(wake.timeIntervalSince(now)) s")
        try await Task.sleep(for: .milliseconds(1200))
        // …and takes it, same delivery and event id, once the lease lapsed.
        let second = try await hosts[1].dueDeliveries(now: now, busy: [], perReceiver: 4, limit: 4)
        #expect(second.map(\.id) == first.map(\.id) && second.map(\.eventID) == first.map(\.eventID))
        try await hosts[0].recordAttempt(delivered(first[0].id), now: now)  // the late record of the first holder
        #expect(try await hosts[0].webhookAttempts(webhookID: h.id, limit: 9).isEmpty)
        #expect(try await hosts[0].dueDeliveries(now: now, busy: [], perReceiver: 4, limit: 4).isEmpty)  // still host 1's
        try await hosts[1].recordAttempt(delivered(second[0].id), now: now)
        let attempts = try await hosts[0].webhookAttempts(webhookID: h.id, limit: 9)
        #expect(attempts.map(\.attempt) == [1] && attempts.map(\.state) == ["delivered"])
        await closeAll(hosts)
    }

    @Test func webhooksRegisteredOnOneHostServeEveryHostAndOneMessagesEventsStayInOrder() async throws {
        let hosts = try await hosts(2)
        let h = try await hook(hosts[0], "order")
        #expect(try await hosts[1].webhooks().map(\.id) == [h.id])
        let m = try await hosts[1].accept(try newMessage(), idempotency: nil, now: now).message
        _ = try #require(try await hosts[1].claim(modem: ModemClaim(id: "imei-o", number: nil), now: now))  // queued, then sending
        let first = try await hosts[0].dueDeliveries(now: now, busy: [], perReceiver: 9, limit: 9)
        #expect(first.count == 1 && first.first?.body?.contains("\"status\":\"queued\"") == true)
        #expect(box.open(first[0].sealedSecret) == Array("whsec_order".utf8))
        // The next event of that message waits until the first is done, whichever host asks.
        #expect(try await hosts[1].dueDeliveries(now: now, busy: [], perReceiver: 9, limit: 9).isEmpty)
        try await hosts[0].recordAttempt(delivered(first[0].id), now: now)
        let next = try await hosts[1].dueDeliveries(now: now, busy: [], perReceiver: 9, limit: 9)
        #expect(next.count == 1 && next.first?.body?.contains("\"status\":\"sending\"") == true && next.first?.body?.contains(m.id) == true)
        try await hosts[1].releaseDeliveries(next.map(\.id))
        #expect(try await hosts[0].dueDeliveries(now: now, busy: [], perReceiver: 9, limit: 9).map(\.id) == next.map(\.id))
        await closeAll(hosts)
    }
}
