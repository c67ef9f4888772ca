import Foundation
import PostgresNIO
import SMSPDU

/// The outbox on PostgreSQL: the SQLite store's webhooks, per-message callbacks and deliveries
/// (``SQLiteStore``, statement for statement), plus what several hosts need.
///
/// - **Written in the transition.** ``event(_:_:_:_:_:)`` calls ``outbox(_:messageID:type:now:data:)``
///   inside the transaction of every state change, so a committed change has its deliveries and a
///   rolled-back one has none. The fan-out of one message's event takes that message's row lock, so
///   its deliveries' ids follow commit order on every host (a receiver never gets `delivered`
///   before `sent`), and Kannel's `sent_bits` are updated by one transaction at a time.
/// - **Claimed, not just read.** ``dueDeliveries(now:busy:perReceiver:limit:lease:)`` takes due rows
///   with `FOR UPDATE SKIP LOCKED` and stamps them with this process's holder and a lease on the
///   database's clock (`locked_by`, `locked_until`), as River and graphile-worker do. Another host
///   skips them until the attempt is recorded, they are released, or the lease lapses (the holder
///   died mid-attempt): then any host takes them again, with the same event id.
/// - **Fenced records.** ``recordAttempt(_:now:)`` changes a delivery only while this process holds
///   its claim; a process restarted under the same node name frees its predecessor's claims at start.
/// - **Woken across hosts.** A commit that added deliveries rings this process's ``OutboxBell`` and
///   announces `outbox` on the cluster channel, which rings the other hosts' bells.
extension PostgresStore: WebhookStore {
    public func upsertWebhook(_ w: NewWebhook, now: Date) async throws -> WebhookResource {
        try await write { tx in
            try await tx.exec("""
                INSERT INTO webhooks (id, kind, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, url = excluded.url, events = excluded.events,
                    secret = excluded.secret
                """, [w.id, w.kind.rawValue, w.url, w.events.map(\.rawValue).joined(separator: ","), Data(w.sealedSecret),
                      now.timeIntervalSince1970])
            try await Self.event(tx, nil, "webhook.upserted", now, ["webhook": w.id])
            guard let row = try await tx.one("SELECT * FROM webhooks WHERE id = ?", [w.id]) else {
                throw GatewayError.storeUnavailable("webhook \(w.id) vanished in its own transaction")
            }
            return try Self.webhookResource(row)
        }
    }

    public func webhooks() async throws -> [WebhookResource] {
        try await read { tx in
            try await tx.rows("SELECT * FROM webhooks WHERE kind != 'callbacks' ORDER BY created_at, id").map(Self.webhookResource)
        }
    }

    public func webhook(id: String) async throws -> WebhookResource? {
        try await read { tx in try await tx.one("SELECT * FROM webhooks WHERE id = ?", [id]).map(Self.webhookResource) }
    }

    public func sealedWebhookSecret(id: String) async throws -> [UInt8]? {
        try await read { tx in
            try await tx.scalar("SELECT secret FROM webhooks WHERE id = ?", [id], as: Data.self).map { Array($0) }
        }
    }

    public func deleteWebhook(id: String, now: Date) async throws -> Bool {
        try await write { tx in
            let gone = try await tx.rows("DELETE FROM webhooks WHERE id = ? AND kind != 'callbacks' RETURNING id", [id])
            guard !gone.isEmpty else { return false }
            try await tx.exec("UPDATE outbox SET state = 'canceled', updated_at = ? WHERE webhook_id = ? AND state = 'pending'",
                              [now.timeIntervalSince1970, id])
            try await tx.exec("DELETE FROM webhook_attempts WHERE webhook_id = ?", [id])
            try await Self.event(tx, nil, "webhook.deleted", now, ["webhook": id])
            return true
        }
    }

    public func webhookAttempts(webhookID: String, limit: Int) async throws -> [WebhookAttempt] {
        try await read { tx in
            try await tx.rows("""
                SELECT a.attempt, a.at, a.status_code, a.error, a.duration, o.event_id, o.event_type, o.state
                FROM webhook_attempts a JOIN outbox o ON o.id = a.outbox_id
                WHERE a.webhook_id = ? ORDER BY a.id DESC LIMIT ?
                """, [webhookID, max(1, limit)]).map { r in
                let duration: Double = try r["duration"]
                return WebhookAttempt(eventID: try r["event_id"], eventType: try r["event_type"], attempt: try r["attempt"],
                                      at: Date(timeIntervalSince1970: try r["at"]), statusCode: try r["status_code"],
                                      error: try r["error"], durationMs: Int(duration * 1000), state: try r["state"])
            }
        }
    }

    /// Claims the due rows for `lease` (see the type's notes): rows another host holds are skipped,
    /// rows whose holder's lease lapsed are taken again.
    public func dueDeliveries(now: Date, busy: Set<String>, perReceiver: Int, limit: Int,
                              lease: Duration) async throws -> [OutboxDelivery] {
        let seconds = max(1, PGSession.seconds(lease))
        let rows = try await write { tx in
            // Window functions cannot take row locks: number the candidates first, then lock those
            // still free (SKIP LOCKED: another host's claim in progress), re-checked on the locked row.
            try await tx.rows("""
                WITH candidates AS (
                    SELECT c.id FROM (
                        SELECT o.id, o.next_at, ROW_NUMBER() OVER (PARTITION BY o.receiver ORDER BY o.next_at, o.id) AS rn
                        FROM outbox o
                        WHERE o.state = 'pending' AND o.next_at <= ? AND NOT (o.receiver = ANY(?))
                          AND (o.locked_until IS NULL OR o.locked_until < \(PGSQL.dbNow))
                          AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.state = 'pending' AND e.receiver = o.receiver
                                          AND e.ordering_key = o.ordering_key AND e.id < o.id)
                    ) c WHERE c.rn <= ? ORDER BY c.next_at, c.id LIMIT ?
                ), claimed AS (
                    SELECT id FROM outbox
                    WHERE id IN (SELECT id FROM candidates) AND state = 'pending'
                      AND (locked_until IS NULL OR locked_until < \(PGSQL.dbNow))
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE outbox SET locked_by = ?, locked_until = \(PGSQL.dbNow) + ?
                FROM claimed, webhooks w
                WHERE outbox.id = claimed.id AND w.id = outbox.webhook_id
                RETURNING outbox.*, w.secret
                """, [now.timeIntervalSince1970, busy.sorted().pgArray, max(1, perReceiver), max(1, limit), self.holder, seconds])
        }
        return try rows.map { r in
            let headersJSON: String = try r["headers"]
            let secret: Data = try r["secret"]
            return (try r.get("next_at", as: Double.self), OutboxDelivery(
                id: try r["id"], eventID: try r["event_id"], eventType: try r["event_type"], receiver: try r["receiver"],
                webhookID: try r["webhook_id"], method: try r["method"], url: try r["url"], body: try r["body"],
                contentType: try r["content_type"],
                headers: (try? JSONDecoder().decode([String: String].self, from: Data(headersJSON.utf8))) ?? [:],
                attempts: try r["attempts"], createdAt: Date(timeIntervalSince1970: try r["created_at"]),
                sealedSecret: Array(secret)))
        }
        .sorted { ($0.0, $0.1.id) < ($1.0, $1.1.id) }
        .map(\.1)
    }

    public func releaseDeliveries(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await write { tx in
            try await tx.exec("UPDATE outbox SET locked_by = NULL, locked_until = NULL WHERE id = ANY(?) AND locked_by = ?",
                              [ids, self.holder])
        }
    }

    public func recordAttempt(_ result: DeliveryAttemptResult, now: Date) async throws {
        try await write { tx in
            let t = now.timeIntervalSince1970
            let (state, next): (String, Double) = switch result.outcome {
            case .delivered: ("delivered", t)
            case .retry(let at): ("pending", at.timeIntervalSince1970)
            case .gaveUp: ("failed", t)
            }
            let changed = try await tx.rows("""
                UPDATE outbox SET attempts = attempts + 1, state = ?, next_at = ?, updated_at = ?, locked_by = NULL, locked_until = NULL
                WHERE id = ? AND state = 'pending' AND locked_by = ? RETURNING webhook_id, attempts
                """, [state, next, t, result.deliveryID, self.holder])
            guard let row = changed.first else { return }
            let webhookID: String = try row["webhook_id"]
            let attempt: Int = try row["attempts"]
            try await tx.exec("""
                INSERT INTO webhook_attempts (outbox_id, webhook_id, attempt, at, status_code, error, duration)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [result.deliveryID, webhookID, attempt, t, result.statusCode, result.error.map { String($0.prefix(500)) },
                      result.duration])
        }
    }

    /// The earliest of: a pending row's next attempt, and a claimed row's lease end (when its
    /// holder may have died), in the caller's clock.
    public func nextDeliveryDue(after now: Date) async throws -> Date? {
        try await read { tx in
            try await tx.scalar("""
                SELECT MIN(due) FROM (
                    SELECT CASE WHEN locked_until IS NOT NULL AND locked_until >= \(PGSQL.dbNow)
                                THEN GREATEST(next_at, ?::float8 + (locked_until - \(PGSQL.dbNow))) ELSE next_at END AS due
                    FROM outbox WHERE state = 'pending'
                ) d WHERE due > ?
                """, [now.timeIntervalSince1970, now.timeIntervalSince1970], as: Double.self)
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func pruneOutbox(before: Date) async throws -> Int {
        try await write { tx in
            let t = before.timeIntervalSince1970
            try await tx.exec("DELETE FROM webhook_attempts WHERE at < ?", [t])
            return try await tx.scalar("""
                WITH gone AS (DELETE FROM outbox WHERE state != 'pending' AND updated_at < ? RETURNING 1) SELECT COUNT(*) FROM gone
                """, [t], as: Int.self) ?? 0
        }
    }

    /// Frees the delivery claims of this node's earlier processes: the node name is held by this
    /// process (a session advisory lock), so they are gone and their attempts ended with them.
    func releasePredecessorDeliveries() async throws {
        try await write { tx in
            try await tx.exec("""
                UPDATE outbox SET locked_by = NULL, locked_until = NULL
                WHERE locked_by IS NOT NULL AND left(locked_by, length(?) + 1) = ? || '/' AND locked_by != ?
                """, [self.node, self.node, self.holder])
        }
    }

    static func webhookResource(_ r: PGRow) throws -> WebhookResource {
        let events: String = try r["events"]
        return WebhookResource(id: try r["id"], kind: WebhookKind(rawValue: try r["kind"]) ?? .webhook, url: try r["url"],
                               events: events.split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) },
                               createdAt: Date(timeIntervalSince1970: try r["created_at"]))
    }
}

// MARK: - Writing the outbox inside state transitions

extension PostgresStore {
    /// Stores a message's callback; called by `accept` in its transaction, before the first event.
    static func storeCallback(_ tx: PGTx, messageID: String, _ callback: MessageCallback?) async throws {
        guard let callback else { return }
        let context = String(decoding: (try? JSONEncoder.sorted.encode(callback.context)) ?? Data("{}".utf8), as: UTF8.self)
        try await tx.exec("INSERT INTO message_callbacks (message_id, kind, url, dlr_mask, context) VALUES (?, ?, ?, ?, ?)",
                          [messageID, callback.kind.rawValue, callback.url, callback.dlrMask, context])
    }

    /// Adds the deliveries an event causes (none when nobody listens). Runs in the event's transaction.
    static func outbox(_ tx: PGTx, messageID: String?, type: String, now: Date, data: [String: String]) async throws {
        if type == "message.received" {
            guard let cursor = data["cursor"].flatMap({ Int64($0) }) else { return }
            try await outboxReceived(tx, cursor: cursor, now: now)
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
        var subscribers: [PGRow] = []
        if status != nil {
            subscribers = try await tx.rows("""
                SELECT id, url FROM webhooks WHERE kind = 'webhook' AND strpos(events, 'message.status') > 0 ORDER BY created_at, id
                """)
        }
        let hasCallback = try await tx.scalar("SELECT COUNT(*) FROM message_callbacks WHERE message_id = ?", [messageID],
                                              as: Int.self) ?? 0 > 0
        guard !subscribers.isEmpty || hasCallback else { return }
        // One transaction at a time per message from here to commit (the transitions mostly hold
        // the row already): delivery ids follow commit order, and `sent_bits` is read and written safely.
        try await tx.exec("SELECT 1 FROM messages WHERE id = ? FOR UPDATE", [messageID])
        var callback: PGRow?
        if hasCallback { callback = try await tx.one("SELECT * FROM message_callbacks WHERE message_id = ?", [messageID]) }
        guard let resource = try await resources(tx, where: "m.id = ?", [messageID], limit: 1).first else { return }
        let eventID = GatewayID.make("evt", at: now)
        let kind = try callback.flatMap { MessageCallback.Kind(rawValue: try $0["kind"]) }

        if status != nil, !subscribers.isEmpty || kind == .status {
            let body = try SQLiteStore.envelope(id: eventID, type: WebhookEventType.messageStatus.rawValue, now: now, data: resource)
            for s in subscribers {
                let id: String = try s["id"]
                try await insertDelivery(tx, eventID: eventID, type: "message.status", receiver: id, webhookID: id,
                                         method: "POST", url: try s["url"], body: body, contentType: "application/json",
                                         orderingKey: messageID, now: now)
            }
            if kind == .status, let callback {
                let url: String = try callback["url"]
                try await insertDelivery(tx, eventID: eventID, type: "message.status", receiver: "cb:" + WebhookURL.origin(url),
                                         webhookID: SQLiteStore.callbacksWebhookID, method: "POST", url: url, body: body,
                                         contentType: "application/json", orderingKey: messageID, now: now)
            }
        }
        if kind == .kannelDLR, let callback {
            guard let value = buffered ? KannelDLR.buffered : status.flatMap({ KannelDLR.value(for: $0, errorCode: resource.error?.code) })
            else { return }
            let mask: Int = try callback["dlr_mask"]
            var sent: Int = try callback["sent_bits"]
            guard sent & KannelDLR.finalBits == 0 else { return }
            // As on SQLite: a message can reach `delivered` without passing `sent`; 8 goes first.
            var values: [Int] = []
            let reachedNetwork: Set<MessageStatus> = [.sent, .delivered, .undelivered]
            if let status, reachedNetwork.contains(status), value != KannelDLR.smscSuccess, sent & KannelDLR.smscSuccess == 0 {
                values.append(KannelDLR.smscSuccess)
            }
            values.append(value)
            for v in values where sent & v == 0 {
                sent |= v
                guard mask & v != 0 else { continue }
                try await insertKannelDLR(tx, value: v, callback: callback, resource: resource, eventID: eventID, now: now)
            }
            try await tx.exec("UPDATE message_callbacks SET sent_bits = ? WHERE message_id = ?", [sent, messageID])
        }
    }

    /// One Kannel DLR fetch, its URL expanded for `value`.
    static func insertKannelDLR(_ tx: PGTx, value: Int, callback: PGRow, resource: MessageResource, eventID: String,
                                now: Date) async throws {
        let fetch = KannelDLR.fetch(value: value, pattern: try callback["url"], contextJSON: try callback["context"],
                                    resource: resource, eventID: eventID, now: now)
        try await insertDelivery(tx, eventID: fetch.eventID, type: "kannel.dlr", receiver: "cb:" + WebhookURL.origin(fetch.url),
                                 webhookID: SQLiteStore.callbacksWebhookID, method: "GET", url: fetch.url, body: nil,
                                 contentType: nil, orderingKey: resource.id, now: now)
    }

    /// `message.received` for webhooks and Kannel `sms-service` forwarding.
    static func outboxReceived(_ tx: PGTx, cursor: Int64, now: Date) async throws {
        let subscribers = try await tx.rows("""
            SELECT id, kind, url FROM webhooks WHERE kind != 'callbacks' AND strpos(events, 'message.received') > 0
            ORDER BY created_at, id
            """)
        guard !subscribers.isEmpty,
              let message = try await tx.one("SELECT * FROM inbox WHERE cursor = ?", [cursor]).map(inboxMessage) else { return }
        let eventID = GatewayID.make("evt", at: now)
        var jsonBody: String?
        for s in subscribers {
            let id: String = try s["id"], url: String = try s["url"]
            let kind = WebhookKind(rawValue: try s["kind"])
            switch kind {
            case .webhook:
                if jsonBody == nil { jsonBody = try SQLiteStore.envelope(id: eventID, type: "message.received", now: now, data: message) }
                try await insertDelivery(tx, eventID: eventID, type: "message.received", receiver: id, webhookID: id, method: "POST",
                                         url: url, body: jsonBody, contentType: "application/json", now: now)
            case .kannelGet, .kannelPost:
                let expanded = KannelEscapes.expand(url, KannelInbound.values(message))
                let post = kind == .kannelPost
                try await insertDelivery(tx, eventID: eventID, type: "kannel.mo", receiver: id, webhookID: id,
                                         method: post ? "POST" : "GET", url: expanded,
                                         body: post ? (message.text ?? message.dataHex ?? "") : nil,
                                         contentType: post ? "text/plain; charset=utf-8" : nil,
                                         headers: post ? KannelInbound.headers(message) : [:], now: now)
            case .callbacks, nil:
                continue
            }
        }
    }

    /// One pending delivery, as on SQLite (one message's deliveries to one receiver go out in
    /// commit order); the commit rings this host's ``OutboxBell`` and the other hosts' (`NOTIFY`).
    static func insertDelivery(_ tx: PGTx, eventID: String, type: String, receiver: String, webhookID: String, method: String,
                               url: String, body: String?, contentType: String?, headers: [String: String] = [:],
                               orderingKey: String? = nil, now: Date) async throws {
        let t = now.timeIntervalSince1970
        let headersJSON = headers.isEmpty ? "{}" : String(decoding: (try? JSONEncoder.sorted.encode(headers)) ?? Data("{}".utf8), as: UTF8.self)
        try await tx.exec("""
            INSERT INTO outbox (event_id, event_type, receiver, webhook_id, ordering_key, method, url, body, content_type, headers,
                state, attempts, next_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
            """, [eventID, type, receiver, webhookID, orderingKey, method, url, body, contentType, headersJSON, t, t, t])
        tx.notes.insert(.outbox)
    }
}
