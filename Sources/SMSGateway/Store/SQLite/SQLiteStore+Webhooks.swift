import Foundation
import GRDB
import SMSPDU

/// The outbox in SQLite: webhooks, per-message callbacks and their deliveries.
///
/// Deliveries are written by ``outbox(_:messageID:type:now:data:)``, which ``event(_:_:_:_:_:)``
/// calls for every event it records, inside the transaction of the state change: a committed
/// change always has its deliveries, and a rolled-back one has none. The dispatcher only reads
/// due rows and records attempts.
extension SQLiteStore: WebhookStore {
    /// The system row whose secret signs per-message callbacks (`status_callback`, Kannel `dlr-url`).
    static let callbacksWebhookID = "wh_callbacks"

    public func upsertWebhook(_ w: NewWebhook, now: Date) async throws -> WebhookResource {
        try await write { db in
            try db.exec("""
                INSERT INTO webhooks (id, kind, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, url = excluded.url, events = excluded.events,
                    secret = excluded.secret
                """, [w.id, w.kind.rawValue, w.url, w.events.map(\.rawValue).joined(separator: ","), Data(w.sealedSecret),
                      now.timeIntervalSince1970])
            try Self.event(db, nil, "webhook.upserted", now, ["webhook": w.id])
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM webhooks WHERE id = ?"), arguments: [w.id]) else {
                throw GatewayError.storeUnavailable("webhook \(w.id) vanished in its own transaction")
            }
            return Self.webhookResource(row)
        }
    }

    public func webhooks() async throws -> [WebhookResource] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM webhooks WHERE kind != 'callbacks' ORDER BY created_at, id"))
                .map(Self.webhookResource)
        }
    }

    public func webhook(id: String) async throws -> WebhookResource? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM webhooks WHERE id = ?"), arguments: [id]).map(Self.webhookResource)
        }
    }

    public func sealedWebhookSecret(id: String) async throws -> [UInt8]? {
        try await read { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT secret FROM webhooks WHERE id = ?"), arguments: [id]).map { Array($0) }
        }
    }

    public func deleteWebhook(id: String, now: Date) async throws -> Bool {
        try await write { db in
            try db.exec("DELETE FROM webhooks WHERE id = ? AND kind != 'callbacks'", [id])
            guard db.changesCount > 0 else { return false }
            try db.exec("UPDATE outbox SET state = 'canceled', updated_at = ? WHERE webhook_id = ? AND state = 'pending'",
                        [now.timeIntervalSince1970, id])
            try db.exec("DELETE FROM webhook_attempts WHERE webhook_id = ?", [id])
            try Self.event(db, nil, "webhook.deleted", now, ["webhook": id])
            return true
        }
    }

    public func webhookAttempts(webhookID: String, limit: Int) async throws -> [WebhookAttempt] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT a.attempt, a.at, a.status_code, a.error, a.duration, o.event_id, o.event_type, o.state
                FROM webhook_attempts a JOIN outbox o ON o.id = a.outbox_id
                WHERE a.webhook_id = ? ORDER BY a.id DESC LIMIT ?
                """), arguments: [webhookID, max(1, limit)]).map { r in
                WebhookAttempt(eventID: r["event_id"], eventType: r["event_type"], attempt: r["attempt"],
                               at: Date(timeIntervalSince1970: r["at"]), statusCode: r["status_code"], error: r["error"],
                               durationMs: Int(((r["duration"] as Double?) ?? 0) * 1000), state: r["state"])
            }
        }
    }

    /// Reads due rows without marking them (one dispatcher per data directory): `lease` is not needed.
    public func dueDeliveries(now: Date, busy: Set<String>, perReceiver: Int, limit: Int,
                              lease: Duration) async throws -> [OutboxDelivery] {
        let busyJSON = String(decoding: (try? JSONEncoder().encode(busy.sorted())) ?? Data("[]".utf8), as: UTF8.self)
        return try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT o.*, w.secret FROM (
                    SELECT *, ROW_NUMBER() OVER (PARTITION BY receiver ORDER BY next_at, id) AS rn FROM outbox
                    WHERE state = 'pending' AND next_at <= ? AND receiver NOT IN (SELECT value FROM json_each(?))
                      AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.state = 'pending' AND e.receiver = outbox.receiver
                                      AND e.ordering_key = outbox.ordering_key AND e.id < outbox.id)
                ) o JOIN webhooks w ON w.id = o.webhook_id
                WHERE o.rn <= ? ORDER BY o.next_at, o.id LIMIT ?
                """), arguments: [now.timeIntervalSince1970, busyJSON, max(1, perReceiver), max(1, limit)]).map { r in
                let headersJSON: String = r["headers"]
                let secret: Data = r["secret"]
                return OutboxDelivery(
                    id: r["id"], eventID: r["event_id"], eventType: r["event_type"], receiver: r["receiver"],
                    webhookID: r["webhook_id"], method: r["method"], url: r["url"], body: r["body"], contentType: r["content_type"],
                    headers: (try? JSONDecoder().decode([String: String].self, from: Data(headersJSON.utf8))) ?? [:],
                    attempts: r["attempts"], createdAt: Date(timeIntervalSince1970: r["created_at"]), sealedSecret: Array(secret))
            }
        }
    }

    /// Nothing was claimed: the rows stay pending and are read again.
    public func releaseDeliveries(_ ids: [Int64]) async throws {}

    public func recordAttempt(_ result: DeliveryAttemptResult, now: Date) async throws {
        try await write { db in
            let t = now.timeIntervalSince1970
            let (state, next): (String, Double) = switch result.outcome {
            case .delivered: ("delivered", t)
            case .retry(let at): ("pending", at.timeIntervalSince1970)
            case .gaveUp: ("failed", t)
            }
            try db.exec("UPDATE outbox SET attempts = attempts + 1, state = ?, next_at = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
                        [state, next, t, result.deliveryID])
            guard db.changesCount > 0 else { return }
            try db.exec("""
                INSERT INTO webhook_attempts (outbox_id, webhook_id, attempt, at, status_code, error, duration)
                SELECT id, webhook_id, attempts, ?, ?, ?, ? FROM outbox WHERE id = ?
                """, [t, result.statusCode, result.error.map { String($0.prefix(500)) }, result.duration, result.deliveryID])
        }
    }

    public func nextDeliveryDue(after now: Date) async throws -> Date? {
        try await read { db in
            try Double.fetchOne(db.cachedStatement(sql: "SELECT MIN(next_at) FROM outbox WHERE state = 'pending' AND next_at > ?"),
                                arguments: [now.timeIntervalSince1970])
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func pruneOutbox(before: Date) async throws -> Int {
        try await write { db in
            let t = before.timeIntervalSince1970
            try db.exec("DELETE FROM webhook_attempts WHERE at < ?", [t])
            try db.exec("DELETE FROM outbox WHERE state != 'pending' AND updated_at < ?", [t])
            return db.changesCount
        }
    }

    static func webhookResource(_ r: Row) -> WebhookResource {
        let events: String = r["events"]
        return WebhookResource(id: r["id"], kind: WebhookKind(rawValue: r["kind"]) ?? .webhook, url: r["url"],
                               events: events.split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) },
                               createdAt: Date(timeIntervalSince1970: r["created_at"]))
    }
}

// MARK: - Writing the outbox inside state transitions

extension SQLiteStore {
    /// Stores a message's callback; called by `accept` in its transaction, before the first event.
    static func storeCallback(_ db: Database, messageID: String, _ callback: MessageCallback?) throws {
        guard let callback else { return }
        let context = String(decoding: (try? JSONEncoder.sorted.encode(callback.context)) ?? Data("{}".utf8), as: UTF8.self)
        try db.exec("INSERT INTO message_callbacks (message_id, kind, url, dlr_mask, context) VALUES (?, ?, ?, ?, ?)",
                    [messageID, callback.kind.rawValue, callback.url, callback.dlrMask, context])
    }

    /// Adds the deliveries an event causes (none when nobody listens). Runs in the event's transaction.
    static func outbox(_ db: Database, messageID: String?, type: String, now: Date, data: [String: String]) throws {
        if type == "message.received" {
            guard let cursor = data["cursor"].flatMap({ Int64($0) }) else { return }
            try outboxReceived(db, cursor: cursor, now: now)
            return
        }
        guard let messageID else { return }
        if messageID.hasPrefix("frm_") { return }  // a secure message's frame: its message reports, not the frame
        var status: MessageStatus?
        var buffered = false
        if type.hasPrefix("message.") {
            status = MessageStatus(rawValue: String(type.dropFirst("message.".count)))
        } else if type == "part.report", let tp = data["tp_status"].flatMap({ Int($0) }), (0x20...0x3F).contains(tp) {
            buffered = true
        }
        guard status != nil || buffered else { return }
        var subscribers: [Row] = []
        if status != nil {
            subscribers = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT id, url FROM webhooks WHERE kind = 'webhook' AND instr(events, 'message.status') > 0
                """))
        }
        let callback = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM message_callbacks WHERE message_id = ?"),
                                        arguments: [messageID])
        guard !subscribers.isEmpty || callback != nil else { return }
        guard let resource = try resources(db, where: "m.id = ?", [messageID], limit: 1).first else { return }
        let eventID = GatewayID.make("evt", at: now)
        let kind = callback.flatMap { MessageCallback.Kind(rawValue: $0["kind"]) }

        if status != nil, !subscribers.isEmpty || kind == .status {
            let body = try envelope(id: eventID, type: WebhookEventType.messageStatus.rawValue, now: now, data: resource)
            for s in subscribers {
                try insertDelivery(db, eventID: eventID, type: "message.status", receiver: s["id"], webhookID: s["id"],
                                   method: "POST", url: s["url"], body: body, contentType: "application/json",
                                   orderingKey: messageID, now: now)
            }
            if kind == .status, let callback {
                let url: String = callback["url"]
                try insertDelivery(db, eventID: eventID, type: "message.status", receiver: "cb:" + WebhookURL.origin(url),
                                   webhookID: callbacksWebhookID, method: "POST", url: url, body: body,
                                   contentType: "application/json", orderingKey: messageID, now: now)
            }
        }
        if kind == .kannelDLR, let callback {
            guard let value = buffered ? KannelDLR.buffered : status.flatMap({ KannelDLR.value(for: $0, errorCode: resource.error?.code) })
            else { return }
            let mask: Int = callback["dlr_mask"]
            var sent: Int = callback["sent_bits"]
            guard sent & KannelDLR.finalBits == 0 else { return }
            // A message can reach `delivered` without passing `sent` (its reports came before the
            // attempt ended): it was accepted by the SMSC all the same, so 8 goes first.
            var values: [Int] = []
            let reachedNetwork: Set<MessageStatus> = [.sent, .delivered, .undelivered]
            if let status, reachedNetwork.contains(status), value != KannelDLR.smscSuccess, sent & KannelDLR.smscSuccess == 0 {
                values.append(KannelDLR.smscSuccess)
            }
            values.append(value)
            for v in values where sent & v == 0 {
                sent |= v
                guard mask & v != 0 else { continue }
                try insertKannelDLR(db, value: v, callback: callback, resource: resource, eventID: eventID, now: now)
            }
            try db.exec("UPDATE message_callbacks SET sent_bits = ? WHERE message_id = ?", [sent, messageID])
        }
    }

    /// One Kannel DLR fetch, its URL expanded for `value`.
    static func insertKannelDLR(_ db: Database, value: Int, callback: Row, resource: MessageResource, eventID: String, now: Date) throws {
        let fetch = KannelDLR.fetch(value: value, pattern: callback["url"], contextJSON: callback["context"], resource: resource,
                                    eventID: eventID, now: now)
        try insertDelivery(db, eventID: fetch.eventID, type: "kannel.dlr", receiver: "cb:" + WebhookURL.origin(fetch.url),
                           webhookID: callbacksWebhookID, method: "GET", url: fetch.url, body: nil, contentType: nil,
                           orderingKey: resource.id, now: now)
    }

    /// `message.received` for webhooks and Kannel `sms-service` forwarding.
    static func outboxReceived(_ db: Database, cursor: Int64, now: Date) throws {
        let subscribers = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, kind, url FROM webhooks WHERE kind != 'callbacks' AND instr(events, 'message.received') > 0
            """))
        guard !subscribers.isEmpty,
              let message = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM inbox WHERE cursor = ?"), arguments: [cursor])
                .map(inboxMessage) else { return }
        let eventID = GatewayID.make("evt", at: now)
        var jsonBody: String?
        for s in subscribers {
            let id: String = s["id"], url: String = s["url"]
            switch WebhookKind(rawValue: s["kind"]) {
            case .webhook:
                if jsonBody == nil { jsonBody = try envelope(id: eventID, type: "message.received", now: now, data: message) }
                try insertDelivery(db, eventID: eventID, type: "message.received", receiver: id, webhookID: id, method: "POST",
                                   url: url, body: jsonBody, contentType: "application/json", now: now)
            case .kannelGet, .kannelPost:
                let v = KannelInbound.values(message)
                let expanded = KannelEscapes.expand(url, v)
                let post = WebhookKind(rawValue: s["kind"]) == .kannelPost
                try insertDelivery(db, eventID: eventID, type: "kannel.mo", receiver: id, webhookID: id,
                                   method: post ? "POST" : "GET", url: expanded,
                                   body: post ? (message.text ?? message.dataHex ?? "") : nil,
                                   contentType: post ? "text/plain; charset=utf-8" : nil,
                                   headers: post ? KannelInbound.headers(message) : [:], now: now)
            case .callbacks, nil:
                continue
            }
        }
    }

    /// One pending delivery. Deliveries with the same `orderingKey` (a message id) to one receiver
    /// go out one after the other, in commit order: a receiver never sees `delivered` before `sent`.
    static func insertDelivery(_ db: Database, eventID: String, type: String, receiver: String, webhookID: String, method: String,
                               url: String, body: String?, contentType: String?, headers: [String: String] = [:],
                               orderingKey: String? = nil, now: Date) throws {
        let t = now.timeIntervalSince1970
        let headersJSON = headers.isEmpty ? "{}" : String(decoding: (try? JSONEncoder.sorted.encode(headers)) ?? Data("{}".utf8), as: UTF8.self)
        try db.exec("""
            INSERT INTO outbox (event_id, event_type, receiver, webhook_id, ordering_key, method, url, body, content_type, headers,
                state, attempts, next_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
            """, [eventID, type, receiver, webhookID, orderingKey, method, url, body, contentType, headersJSON, t, t, t])
        db.afterNextTransaction(onCommit: { _ in Task { await OutboxBell.shared.ring() } })
    }

    /// `{id, type, created_at, data}` in the API's JSON.
    static func envelope<T: Encodable>(id: String, type: String, now: Date, data: T) throws -> String {
        String(decoding: try APIJSON.encoder().encode(WebhookEnvelope(id: id, type: type, createdAt: now, data: data)), as: UTF8.self)
    }
}

/// The body of every webhook delivery.
struct WebhookEnvelope<T: Encodable>: Encodable {
    var id: String
    var type: String
    var createdAt: Date
    var data: T
    enum CodingKeys: String, CodingKey { case id, type, data, createdAt = "created_at" }
}
