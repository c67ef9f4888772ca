import Foundation
import PostgresNIO
import SMSPDU

extension PostgresStore {
    /// At start-up: the leases this node's previous run left (it held the node name, so it is gone)
    /// are dropped, then every claim whose lease is not live is rescued (`rescue(_:now:)`),
    /// exactly as ``SQLiteStore/recover(now:)`` recovers a single host.
    public func recover(now: Date) async throws -> RecoverySummary {
        try await write { tx in
            try await tx.exec("DELETE FROM modem_leases WHERE node = ? AND holder != ?", [self.node, self.holder])
            try await tx.exec("DELETE FROM modem_leases WHERE expires_at < \(PGSQL.dbNow)")
            return try await Self.rescue(tx, now: now)
        }
    }

    /// Claims that no live lease covers — their message's `(modem, claimed_by)` has no unexpired
    /// lease — go back to the queue under the single-host crash rule: parts left `sending` become
    /// `unknown` (at most once) or `pending` again (at least once); a message with unsent parts is
    /// queued again (kept on its modem when a part went out), else its status is settled.
    static func rescue(_ tx: PGTx, now: Date) async throws -> RecoverySummary {
        var summary = RecoverySummary()
        let t = now.timeIntervalSince1970
        let dead = """
            m.claimed_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM modem_leases l
                WHERE l.modem = m.modem AND l.holder = m.claimed_by AND l.expires_at >= \(PGSQL.dbNow))
            """
        let stuck = try await tx.rows("""
            SELECT p.message_seq, p.seq, m.id, m.guarantee FROM parts p JOIN messages m ON m.seq = p.message_seq
            WHERE p.status = 'sending' AND \(dead) ORDER BY p.message_seq, p.seq FOR UPDATE OF m SKIP LOCKED
            """)
        for row in stuck {
            let seq: Int64 = try row["message_seq"]
            let partSeq: Int = try row["seq"]
            let id: String = try row["id"]
            if DeliveryGuarantee(rawValue: try row["guarantee"]) == .atLeastOnce {
                try await tx.exec("UPDATE parts SET status = 'pending', error = 'resent after restart' WHERE message_seq = ? AND seq = ?",
                                  [seq, partSeq])
                try await event(tx, id, "part.resend", now, ["seq": "\(partSeq)"])
                summary.resentParts += 1
            } else {
                try await tx.exec("""
                    UPDATE parts SET status = 'unknown', sent_at = COALESCE(sent_at, ?),
                        error = 'the gateway stopped between writing the part and its +CMGS result'
                    WHERE message_seq = ? AND seq = ?
                    """, [t, seq, partSeq])
                try await event(tx, id, "part.unknown", now, ["seq": "\(partSeq)"])
                summary.unknownParts += 1
            }
        }
        let claimed = try await tx.rows("SELECT m.seq, m.id FROM messages m WHERE m.status = 'sending' AND \(dead) FOR UPDATE SKIP LOCKED")
        for row in claimed {
            let seq: Int64 = try row["seq"]
            let id: String = try row["id"]
            let counts = try await tx.one("""
                SELECT COUNT(*) FILTER (WHERE status = 'pending') AS pending, COUNT(*) FILTER (WHERE status != 'pending') AS written
                FROM parts WHERE message_seq = ?
                """, [seq])
            let pending = try counts?.get("pending", as: Int.self) ?? 0
            let written = try counts?.get("written", as: Int.self) ?? 0
            if pending > 0 {
                try await tx.exec("""
                    UPDATE messages SET status = 'queued', available_at = ?, updated_at = ?,
                        modem = CASE WHEN ?::bigint > 0 THEN modem ELSE NULL END WHERE seq = ?
                    """, [t, t, written, seq])
                try await event(tx, id, "message.queued", now, ["reason": "recovered after restart"])
                summary.requeued += 1
                tx.notes.insert(.send)
            } else {
                try await settle(tx, seq: seq, now: now)
            }
        }
        return summary
    }

    /// Takes or renews this process's lease on `modem`. A lease another live holder has is left
    /// alone (false); an expired one is taken over after its claims are rescued.
    func takeLease(_ tx: PGTx, modem: String, now: Date) async throws -> Bool {
        let renewed = try await tx.rows("""
            INSERT INTO modem_leases AS l (modem, holder, node, acquired_at, heartbeat_at, expires_at)
            VALUES (?, ?, ?, \(PGSQL.dbNow), \(PGSQL.dbNow), \(PGSQL.dbNow) + ?)
            ON CONFLICT (modem) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at
                WHERE l.holder = excluded.holder
            RETURNING l.holder
            """, [modem, holder, node, leaseSeconds])
        if !renewed.isEmpty { return true }
        guard let lease = try await tx.one("""
            SELECT holder, expires_at < \(PGSQL.dbNow) AS expired FROM modem_leases WHERE modem = ? FOR UPDATE
            """, [modem]) else { return false }
        guard try lease.get("expired", as: Bool.self) else { return false }
        let previous: String = try lease["holder"]
        try await tx.exec("DELETE FROM modem_leases WHERE modem = ?", [modem])
        let summary = try await Self.rescue(tx, now: now)
        try await tx.exec("""
            INSERT INTO modem_leases (modem, holder, node, acquired_at, heartbeat_at, expires_at)
            VALUES (?, ?, ?, \(PGSQL.dbNow), \(PGSQL.dbNow), \(PGSQL.dbNow) + ?)
            """, [modem, holder, node, leaseSeconds])
        try await Self.event(tx, nil, "lease.taken_over", now, ["modem": modem, "from": previous, "to": holder,
                                                                 "requeued": "\(summary.requeued)", "unknown": "\(summary.unknownParts)"])
        return true
    }

    public func claim(modem: ModemClaim, now: Date) async throws -> ClaimedMessage? {
        try await write { tx in
            guard try await self.takeLease(tx, modem: modem.id, now: now) else { return nil }
            let t = now.timeIntervalSince1970
            guard let row = try await tx.one("""
                SELECT * FROM messages m
                WHERE m.status IN ('queued', 'scheduled') AND m.available_at <= ? AND m.secure_role IS DISTINCT FROM 'message'
                  AND (m.expires_at IS NULL OR m.expires_at > ?)
                  AND (m.modem IS NULL OR m.modem = ?)
                  AND (m.pinned IS NULL OR m.pinned = ? OR m.pinned = ?)
                  AND (m.avoid_modem IS NULL OR m.avoid_modem != ? OR m.avoid_until <= ?)
                  AND NOT EXISTS (SELECT 1 FROM messages e WHERE e.recipient_key = m.recipient_key AND e.seq < m.seq
                                  AND e.status IN ('queued', 'scheduled', 'sending') AND (e.send_at IS NULL OR e.send_at <= ?))
                ORDER BY m.priority DESC, m.seq ASC LIMIT 1
                FOR UPDATE OF m SKIP LOCKED
                """, [t, t, modem.id, modem.id, modem.number ?? modem.id, modem.id, t, t]) else { return nil }
            let seq: Int64 = try row["seq"]
            let id: String = try row["id"]
            let segments: Int = try row["segments"]
            var reference: Int? = try row["concat_ref"]
            if reference == nil {
                try await tx.exec("INSERT INTO modems (id, port, updated_at) VALUES (?, '', ?) ON CONFLICT (id) DO NOTHING", [modem.id, t])
                reference = try await tx.scalar("UPDATE modems SET next_ref = (next_ref + 1) % 256 WHERE id = ? RETURNING (next_ref + 255) % 256",
                                                [modem.id], as: Int.self) ?? 0
            }
            try await tx.exec("""
                UPDATE messages SET status = 'sending', modem = ?, modem_number = ?, attempts = attempts + 1,
                    concat_ref = ?, claimed_by = ?, updated_at = ? WHERE seq = ?
                """, [modem.id, modem.number, reference, self.holder, t, seq])
            try await Self.event(tx, id, "message.sending", now, ["modem": modem.id])
            let parts = try await tx.rows("SELECT seq, status FROM parts WHERE message_seq = ? ORDER BY seq", [seq])
            var pending: [Int] = []
            var written = 0
            for p in parts {
                if try p.get("status", as: String.self) == "pending" { pending.append(try p["seq"]) } else { written += 1 }
            }
            let kind: String = try row["body_kind"]
            let body: String = try row["body"]
            let content: NewMessage.Content = kind == "data" ? .data((try? Hex.decode(body)) ?? []) : .text(body)
            let dst: Int? = try row["ports_dst"], src: Int? = try row["ports_src"]
            let expires: Double? = try row["expires_at"]
            return ClaimedMessage(
                id: id, to: try row["recipient"], content: content, ports: dst.flatMap { d in src.map { Ports(dst: d, src: $0) } },
                report: try row["report"], validityLeft: expires.map { max(60, Int($0 - t)) }, reference: reference ?? 0,
                pendingParts: pending, segments: segments, attempts: (try row.get("attempts", as: Int.self)) + 1,
                guarantee: DeliveryGuarantee(rawValue: try row["guarantee"]) ?? .atMostOnce, partiallySent: written > 0)
        }
    }

    /// Fenced: the part is marked only while this process's claim on the message stands and its
    /// lease on the modem is live on the database's clock; otherwise nothing is written and this
    /// throws, so the worker does not write the PDU.
    ///
    /// The message row is locked (`FOR UPDATE`) and the lease row shared (`FOR SHARE`), the rows a
    /// rescuer on another host locks and deletes: either this commit comes first and the rescuer
    /// finds the part `sending` (→ `unknown` or resent under the message's guarantee), or the
    /// rescuer's comes first and this finds the claim or the lease gone. Without the locks both
    /// could read the other's snapshot, and the message would be queued again while this host
    /// writes its part: a double send.
    public func partSending(messageID: String, seq: Int, modem: String, now: Date) async throws {
        try await write { tx in
            let marked = try await tx.rows("""
                UPDATE parts SET status = 'sending', modem = ?, error = NULL
                WHERE message_seq = (SELECT seq FROM messages WHERE id = ? AND status = 'sending' AND claimed_by = ? FOR UPDATE)
                  AND seq = ?
                  AND EXISTS (SELECT 1 FROM modem_leases WHERE modem = ? AND holder = ? AND expires_at > \(PGSQL.dbNow) FOR SHARE)
                RETURNING seq
                """, [modem, messageID, self.holder, seq, modem, self.holder])
            if marked.isEmpty {
                throw GatewayError.storeUnavailable(
                    "not sending part \(seq) of \(messageID): this process no longer holds the claim or the lease on modem \(modem)")
            }
        }
    }

    public func partSent(messageID: String, seq: Int, reference: Int, now: Date) async throws {
        try await write { tx in
            guard let row = try await tx.one("SELECT seq, recipient_key, modem FROM messages WHERE id = ?", [messageID]) else { return }
            let messageSeq: Int64 = try row["seq"]
            let modem: String? = try row["modem"]
            // Serialised with a status report for the same (modem, TP-MR) on any host.
            try await tx.lock("report:\(modem ?? "")/\(reference)")
            try await tx.exec("UPDATE parts SET status = 'sent', reference = ?, sent_at = ? WHERE message_seq = ? AND seq = ?",
                              [reference, now.timeIntervalSince1970, messageSeq, seq])
            try await Self.event(tx, messageID, "part.sent", now, ["seq": "\(seq)", "reference": "\(reference)"])
            // A report that arrived before this commit (recent: TP-MR wraps at 256).
            if let orphan = try await tx.one("""
                SELECT id, tp_status, discharge_at FROM orphan_reports
                WHERE modem = ? AND reference = ? AND recipient_key = ? AND received_at >= ? ORDER BY id DESC LIMIT 1
                """, [modem, reference, try row.get("recipient_key", as: String.self), now.timeIntervalSince1970 - 600]) {
                try await tx.exec("DELETE FROM orphan_reports WHERE id = ?", [try orphan.get("id", as: Int64.self)])
                let tp: Int = try orphan["tp_status"]
                let status = DeliveryStatusMapping.partStatus(tpStatus: tp)
                let discharge: Double? = try orphan["discharge_at"]
                try await tx.exec("""
                    UPDATE parts SET status = ?, tp_status = ?, delivered_at = CASE WHEN ?::text = 'delivered' THEN ? ELSE delivered_at END
                    WHERE message_seq = ? AND seq = ?
                    """, [status.rawValue, tp, status.rawValue, discharge ?? now.timeIntervalSince1970, messageSeq, seq])
                try await Self.event(tx, messageID, "part.report", now, ["seq": "\(seq)", "tp_status": "\(tp)", "orphan": "true"])
                try await Self.settle(tx, seq: messageSeq, now: now)
            }
        }
    }

    public func partUnconfirmed(messageID: String, seq: Int, detail: String, now: Date) async throws {
        try await write { tx in
            guard let g: String = try await tx.scalar("SELECT guarantee FROM messages WHERE id = ?", [messageID]) else { return }
            let resend = DeliveryGuarantee(rawValue: g) == .atLeastOnce
            try await tx.exec("""
                UPDATE parts SET status = ?, error = ?, sent_at = ?
                WHERE message_seq = (SELECT seq FROM messages WHERE id = ?) AND seq = ?
                """, [resend ? "pending" : "unknown", detail, now.timeIntervalSince1970, messageID, seq])
            try await Self.event(tx, messageID, resend ? "part.resend" : "part.unknown", now, ["seq": "\(seq)", "detail": detail])
        }
    }

    /// Fenced like ``partSending(messageID:seq:modem:now:)``: when the claim was rescued meanwhile
    /// (this process lost its lease), the message is returned as it stands and nothing changes.
    public func finishAttempt(messageID: String, outcome: AttemptOutcome, now: Date) async throws -> MessageResource {
        try await write { tx in
            guard let row = try await tx.one("SELECT seq, status, claimed_by FROM messages WHERE id = ? FOR UPDATE", [messageID]) else {
                throw GatewayError.notFound(kind: "message", id: messageID)
            }
            let seq: Int64 = try row["seq"]
            let status: String = try row["status"]
            let claimedBy: String? = try row["claimed_by"]
            let t = now.timeIntervalSince1970
            if status == MessageStatus.sending.rawValue && claimedBy == self.holder {
                switch outcome {
                case .done:
                    let pending: Int = try await tx.scalar("SELECT COUNT(*) FROM parts WHERE message_seq = ? AND status IN ('pending','sending')",
                                                           [seq]) ?? 0
                    if pending > 0 {
                        try await tx.exec("UPDATE messages SET status = 'queued', available_at = ?, updated_at = ? WHERE seq = ?", [t, t, seq])
                        try await Self.event(tx, messageID, "message.queued", now, ["reason": "resend unconfirmed parts"])
                        tx.notes.insert(.send)
                    } else {
                        try await Self.settle(tx, seq: seq, now: now)
                    }
                case .retry(let at, let avoid, let error):
                    try await tx.exec("UPDATE parts SET status = 'pending' WHERE message_seq = ? AND status = 'sending'", [seq])
                    let written: Int = try await tx.scalar("SELECT COUNT(*) FROM parts WHERE message_seq = ? AND status != 'pending'", [seq]) ?? 0
                    let retryAt = at.timeIntervalSince1970
                    try await tx.exec("""
                        UPDATE messages SET status = 'queued', available_at = ?, updated_at = ?,
                            modem = CASE WHEN ?::bigint > 0 THEN modem ELSE NULL END,
                            modem_number = CASE WHEN ?::bigint > 0 THEN modem_number ELSE NULL END,
                            avoid_modem = ?, avoid_until = ?, error_code = ?, error_detail = ?
                        WHERE seq = ?
                        """, [retryAt, t, written, written, written > 0 ? nil : avoid, retryAt + max(1, retryAt - t),
                              error.code, error.detail, seq])
                    try await Self.event(tx, messageID, "message.queued", now, ["reason": "retry", "code": error.code, "detail": error.detail])
                    tx.notes.insert(.send)
                case .fail(let error):
                    try await tx.exec("UPDATE parts SET status = 'failed', error = ? WHERE message_seq = ? AND status IN ('pending','sending')",
                                      [error.detail, seq])
                    try await Self.finish(tx, seq: seq, id: messageID, status: .failed, partStatus: .failed, error: error, now: now)
                }
            }
            guard let m = try await Self.resources(tx, where: "m.seq = ?", [seq], limit: 1).first else {
                throw GatewayError.notFound(kind: "message", id: messageID)
            }
            return m
        }
    }

    public func expire(now: Date) async throws -> Int {
        try await write { tx in
            let t = now.timeIntervalSince1970
            let rows = try await tx.rows("""
                SELECT seq, id FROM messages WHERE status IN ('queued','scheduled') AND expires_at IS NOT NULL AND expires_at <= ?
                ORDER BY seq FOR UPDATE SKIP LOCKED
                """, [t])
            for r in rows {
                let seq: Int64 = try r["seq"]
                let written: Int = try await tx.scalar("SELECT COUNT(*) FROM parts WHERE message_seq = ? AND status != 'pending'", [seq]) ?? 0
                if written > 0 {
                    try await tx.exec("UPDATE parts SET status = 'canceled', error = 'validity passed' WHERE message_seq = ? AND status = 'pending'", [seq])
                    try await Self.settle(tx, seq: seq, now: now)
                } else {
                    try await Self.finish(tx, seq: seq, id: try r["id"], status: .expired, partStatus: .canceled,
                                          error: MessageError(code: "expired", detail: "its validity passed before it could be sent"), now: now)
                }
            }
            // Scheduled messages that are due become queued.
            let due = try await tx.rows("""
                UPDATE messages SET status = 'queued', updated_at = ? WHERE seq IN (
                    SELECT seq FROM messages WHERE status = 'scheduled' AND available_at <= ? ORDER BY seq FOR UPDATE SKIP LOCKED)
                RETURNING id
                """, [t, t])
            for r in due { try await Self.event(tx, try r["id"], "message.queued", now, ["reason": "send_at reached"]) }
            if !due.isEmpty { tx.notes.insert(.send) }
            return rows.count
        }
    }

    public func nextDue(now: Date) async throws -> Date? {
        try await read { tx in
            guard let r = try await tx.one("""
                SELECT (SELECT MIN(available_at) FROM messages WHERE status IN ('queued','scheduled')
                            AND secure_role IS DISTINCT FROM 'message') AS a,
                       (SELECT MIN(avoid_until) FROM messages WHERE status = 'queued' AND avoid_until IS NOT NULL AND avoid_until > ?) AS b,
                       (SELECT MIN(expires_at) FROM messages WHERE status IN ('queued','scheduled') AND expires_at IS NOT NULL) AS e
                """, [now.timeIntervalSince1970]) else { return nil }
            let values: [Double?] = [try r["a"], try r["b"], try r["e"]]
            return values.compactMap { $0 }.min().map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func partsSent(modem: String, since: Date) async throws -> Int {
        try await read { tx in
            try await tx.scalar("SELECT COUNT(*) FROM parts WHERE modem = ? AND sent_at >= ?", [modem, since.timeIntervalSince1970]) ?? 0
        }
    }

    public func queuedPinned(modem: String, number: String?) async throws -> Int {
        try await read { tx in
            try await tx.scalar("""
                SELECT COUNT(*) FROM messages WHERE status IN ('queued','scheduled') AND (pinned = ? OR pinned = ? OR modem = ?)
                """, [modem, number ?? modem, modem]) ?? 0
        }
    }

    public func applyStatusReport(_ report: StatusReportRecord, now: Date) async throws -> MessageResource? {
        try await write { tx in
            let key = MessageStatusRule.recipientKey(report.recipient)
            try await tx.lock("report:\(report.modem)/\(report.reference)")
            var found = try await tx.one("""
                SELECT p.message_seq, p.seq, p.status FROM parts p
                WHERE p.modem = ? AND p.reference = ? AND p.recipient_key = ? AND p.status IN ('sent','delivered','undelivered')
                ORDER BY p.sent_at DESC NULLS LAST LIMIT 1
                """, [report.modem, report.reference, key])
            if found == nil { found = try await Self.resolveUnknown(tx, report, key: key, now: now) }
            guard let part = found else {
                // Its part may still be `sending` (the report overtook the +CMGS commit): keep it for partSent.
                try await tx.exec("""
                    INSERT INTO orphan_reports (modem, reference, recipient_key, tp_status, discharge_at, received_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, [report.modem, report.reference, key, report.tpStatus, report.dischargeTime?.timeIntervalSince1970,
                          now.timeIntervalSince1970])
                try await Self.event(tx, nil, "report.unmatched", now, ["modem": report.modem, "reference": "\(report.reference)"])
                return nil
            }
            let seq: Int64 = try part["message_seq"]
            let partSeq: Int = try part["seq"]
            let status = DeliveryStatusMapping.partStatus(tpStatus: report.tpStatus)
            let t = (report.dischargeTime ?? now).timeIntervalSince1970
            try await tx.exec("""
                UPDATE parts SET status = ?, tp_status = ?, delivered_at = CASE WHEN ?::text = 'delivered' THEN ? ELSE delivered_at END
                WHERE message_seq = ? AND seq = ?
                """, [status.rawValue, report.tpStatus, status.rawValue, t, seq, partSeq])
            let id: String? = try await tx.scalar("SELECT id FROM messages WHERE seq = ?", [seq])
            try await Self.event(tx, id, "part.report", now, ["seq": "\(partSeq)", "tp_status": "\(report.tpStatus)"])
            try await Self.settle(tx, seq: seq, now: now)
            return try await Self.resources(tx, where: "m.seq = ?", [seq], limit: 1).first
        }
    }

    /// ``SQLiteStore/resolveUnknown(_:_:key:now:)``: a report with a TP-MR no sent part has settles
    /// the one `unknown` part written to that recipient on that modem in the last day, if there is exactly one,
    /// and no part to that recipient on that modem is `sending` (the report may be that part's).
    static func resolveUnknown(_ tx: PGTx, _ report: StatusReportRecord, key: String, now: Date) async throws -> PGRow? {
        let candidates = try await tx.rows("""
            SELECT message_seq, seq, status FROM parts
            WHERE modem = ? AND recipient_key = ? AND status = 'unknown' AND sent_at >= ?
              AND NOT EXISTS (SELECT 1 FROM parts s WHERE s.modem = ? AND s.recipient_key = ? AND s.status = 'sending')
            LIMIT 2
            """, [report.modem, key, now.timeIntervalSince1970 - 86_400, report.modem, key])
        guard candidates.count == 1, let part = candidates.first else { return nil }
        try await tx.exec("UPDATE parts SET reference = ?, error = NULL WHERE message_seq = ? AND seq = ?",
                          [report.reference, try part.get("message_seq", as: Int64.self), try part.get("seq", as: Int.self)])
        return part
    }
}
