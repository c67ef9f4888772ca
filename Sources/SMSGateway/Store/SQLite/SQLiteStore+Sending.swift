import Foundation
import GRDB
import SMSPDU

extension SQLiteStore {
    public func recover(now: Date) async throws -> RecoverySummary {
        try await write { db in
            var summary = RecoverySummary()
            let t = now.timeIntervalSince1970
            let stuck = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT p.message_seq, p.seq, m.id, m.guarantee FROM parts p JOIN messages m ON m.seq = p.message_seq
                WHERE p.status = 'sending'
                """))
            for row in stuck {
                let seq: Int64 = row["message_seq"]
                let id: String = row["id"]
                if DeliveryGuarantee(rawValue: row["guarantee"]) == .atLeastOnce {
                    try db.exec("UPDATE parts SET status = 'pending', error = 'resent after restart' WHERE message_seq = ? AND seq = ?", [seq, row["seq"] as Int])
                    try Self.event(db, id, "part.resend", now, ["seq": "\(row["seq"] as Int)"])
                    summary.resentParts += 1
                } else {
                    try db.exec("""
                        UPDATE parts SET status = 'unknown', sent_at = COALESCE(sent_at, ?),
                            error = 'the gateway stopped between writing the part and its +CMGS result'
                        WHERE message_seq = ? AND seq = ?
                        """, [t, seq, row["seq"] as Int])
                    try Self.event(db, id, "part.unknown", now, ["seq": "\(row["seq"] as Int)"])
                    summary.unknownParts += 1
                }
            }
            // Claimed messages: unsent parts go back to the queue (on the same modem when a part went out).
            let claimed = try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, id FROM messages WHERE status = 'sending'"))
            for row in claimed {
                let seq: Int64 = row["seq"]
                let pending = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM parts WHERE message_seq = ? AND status = 'pending'"),
                                               arguments: [seq]) ?? 0
                if pending > 0 {
                    let anyWritten = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM parts WHERE message_seq = ? AND status != 'pending'"),
                                                      arguments: [seq]) ?? 0
                    try db.exec("""
                        UPDATE messages SET status = 'queued', available_at = ?, updated_at = ?,
                            modem = CASE WHEN ? > 0 THEN modem ELSE NULL END WHERE seq = ?
                        """, [t, t, anyWritten, seq])
                    try Self.event(db, row["id"], "message.queued", now, ["reason": "recovered after restart"])
                    summary.requeued += 1
                } else {
                    try Self.settle(db, seq: seq, now: now)
                }
            }
            return summary
        }
    }

    public func claim(modem: ModemClaim, now: Date) async throws -> ClaimedMessage? {
        try await write { db in
            let t = now.timeIntervalSince1970
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM messages m
                WHERE m.status IN ('queued', 'scheduled') AND +m.available_at <= ? AND m.secure_role IS NOT 'message'
                  AND (m.expires_at IS NULL OR m.expires_at > ?)
                  AND (m.modem IS NULL OR m.modem = ?)
                  AND (m.pinned IS NULL OR m.pinned = ? OR m.pinned = ?)
                  AND (m.avoid_modem IS NULL OR m.avoid_modem != ? OR m.avoid_until <= ?)
                  AND NOT EXISTS (SELECT 1 FROM messages e WHERE e.recipient_key = m.recipient_key AND e.seq < m.seq
                                  AND e.status IN ('queued', 'scheduled', 'sending') AND (e.send_at IS NULL OR e.send_at <= ?))
                ORDER BY m.priority DESC, m.seq ASC LIMIT 1
                """), arguments: [t, t, modem.id, modem.id, modem.number ?? modem.id, modem.id, t, t]) else { return nil }
            let seq: Int64 = row["seq"]
            let id: String = row["id"]
            let segments: Int = row["segments"]
            var reference: Int? = row["concat_ref"]
            if reference == nil {
                try db.exec("INSERT OR IGNORE INTO modems (id, port, updated_at) VALUES (?, '', ?)", [modem.id, t])
                let next = try Int.fetchOne(db.cachedStatement(sql: "SELECT next_ref FROM modems WHERE id = ?"), arguments: [modem.id]) ?? 0
                try db.exec("UPDATE modems SET next_ref = ? WHERE id = ?", [(next + 1) & 0xFF, modem.id])
                reference = next
            }
            try db.exec("""
                UPDATE messages SET status = 'sending', modem = ?, modem_number = ?, attempts = attempts + 1,
                    concat_ref = ?, updated_at = ? WHERE seq = ?
                """, [modem.id, modem.number, reference, t, seq])
            try Self.event(db, id, "message.sending", now, ["modem": modem.id])
            let pending = try Int.fetchAll(db.cachedStatement(sql: "SELECT seq FROM parts WHERE message_seq = ? AND status = 'pending' ORDER BY seq"),
                                           arguments: [seq])
            let written = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM parts WHERE message_seq = ? AND status != 'pending'"),
                                           arguments: [seq]) ?? 0
            let kind: String = row["body_kind"]
            let body: String = row["body"]
            let content: NewMessage.Content = kind == "data" ? .data((try? Hex.decode(body)) ?? []) : .text(body)
            let dst: Int? = row["ports_dst"], src: Int? = row["ports_src"]
            let expires: Double? = row["expires_at"]
            return ClaimedMessage(
                id: id, to: row["recipient"], content: content, ports: dst.flatMap { d in src.map { Ports(dst: d, src: $0) } },
                report: row["report"], validityLeft: expires.map { max(60, Int($0 - t)) }, reference: reference ?? 0,
                pendingParts: pending, segments: segments, attempts: (row["attempts"] as Int) + 1,
                guarantee: DeliveryGuarantee(rawValue: row["guarantee"]) ?? .atMostOnce, partiallySent: written > 0)
        }
    }

    public func partSending(messageID: String, seq: Int, modem: String, now: Date) async throws {
        try await write { db in
            try db.exec("""
                UPDATE parts SET status = 'sending', modem = ?, error = NULL
                WHERE message_seq = (SELECT seq FROM messages WHERE id = ?) AND seq = ?
                """, [modem, messageID, seq])
        }
    }

    public func partSent(messageID: String, seq: Int, reference: Int, now: Date) async throws {
        try await write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, recipient_key, modem FROM messages WHERE id = ?"),
                                             arguments: [messageID]) else { return }
            let messageSeq: Int64 = row["seq"]
            try db.exec("UPDATE parts SET status = 'sent', reference = ?, sent_at = ? WHERE message_seq = ? AND seq = ?", [reference, now.timeIntervalSince1970, messageSeq, seq])
            try Self.event(db, messageID, "part.sent", now, ["seq": "\(seq)", "reference": "\(reference)"])
            // A report that arrived before this commit (recent: TP-MR wraps at 256).
            let modem: String? = row["modem"]
            if let orphan = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT id, tp_status, discharge_at FROM orphan_reports
                WHERE modem = ? AND reference = ? AND recipient_key = ? AND received_at >= ? ORDER BY id DESC LIMIT 1
                """), arguments: [modem, reference, row["recipient_key"] as String, now.timeIntervalSince1970 - 600]) {
                try db.exec("DELETE FROM orphan_reports WHERE id = ?", [orphan["id"] as Int64])
                let tp: Int = orphan["tp_status"]
                let status = DeliveryStatusMapping.partStatus(tpStatus: tp)
                let discharge: Double? = orphan["discharge_at"]
                try db.exec("""
                    UPDATE parts SET status = ?, tp_status = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END
                    WHERE message_seq = ? AND seq = ?
                    """, [status.rawValue, tp, status.rawValue, discharge ?? now.timeIntervalSince1970, messageSeq, seq])
                try Self.event(db, messageID, "part.report", now, ["seq": "\(seq)", "tp_status": "\(tp)", "orphan": "true"])
                try Self.settle(db, seq: messageSeq, now: now)
            }
        }
    }

    public func partUnconfirmed(messageID: String, seq: Int, detail: String, now: Date) async throws {
        try await write { db in
            guard let g = try String.fetchOne(db.cachedStatement(sql: "SELECT guarantee FROM messages WHERE id = ?"), arguments: [messageID]) else { return }
            let resend = DeliveryGuarantee(rawValue: g) == .atLeastOnce
            try db.exec("""
                UPDATE parts SET status = ?, error = ?, sent_at = ?
                WHERE message_seq = (SELECT seq FROM messages WHERE id = ?) AND seq = ?
                """, [resend ? "pending" : "unknown", detail, now.timeIntervalSince1970, messageID, seq])
            try Self.event(db, messageID, resend ? "part.resend" : "part.unknown", now, ["seq": "\(seq)", "detail": detail])
        }
    }

    public func finishAttempt(messageID: String, outcome: AttemptOutcome, now: Date) async throws -> MessageResource {
        try await write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq FROM messages WHERE id = ?"), arguments: [messageID]) else {
                throw GatewayError.notFound(kind: "message", id: messageID)
            }
            let seq: Int64 = row["seq"]
            let t = now.timeIntervalSince1970
            switch outcome {
            case .done:
                let pending = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM parts WHERE message_seq = ? AND status IN ('pending','sending')"),
                                               arguments: [seq]) ?? 0
                if pending > 0 {
                    // At-least-once parts put back to pending: send them again on this modem.
                    try db.exec("UPDATE messages SET status = 'queued', available_at = ?, updated_at = ? WHERE seq = ?", [t, t, seq])
                    try Self.event(db, messageID, "message.queued", now, ["reason": "resend unconfirmed parts"])
                } else {
                    // sent, delivered (reports already in), or unknown: derived from the parts.
                    try Self.settle(db, seq: seq, now: now)
                }
            case .retry(let at, let avoid, let error):
                try db.exec("UPDATE parts SET status = 'pending' WHERE message_seq = ? AND status = 'sending'", [seq])
                let written = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM parts WHERE message_seq = ? AND status != 'pending'"),
                                               arguments: [seq]) ?? 0
                let retryAt = at.timeIntervalSince1970
                try db.exec("""
                    UPDATE messages SET status = 'queued', available_at = ?, updated_at = ?,
                        modem = CASE WHEN ? > 0 THEN modem ELSE NULL END,
                        modem_number = CASE WHEN ? > 0 THEN modem_number ELSE NULL END,
                        avoid_modem = ?, avoid_until = ?, error_code = ?, error_detail = ?
                    WHERE seq = ?
                    """, [retryAt, t, written, written, written > 0 ? nil : avoid,
                                     retryAt + max(1, retryAt - t), error.code, error.detail, seq])
                try Self.event(db, messageID, "message.queued", now, ["reason": "retry", "code": error.code, "detail": error.detail])
            case .fail(let error):
                try db.exec("UPDATE parts SET status = 'failed', error = ? WHERE message_seq = ? AND status IN ('pending','sending')", [error.detail, seq])
                try Self.finish(db, seq: seq, id: messageID, status: .failed, partStatus: .failed, error: error, now: now)
            }
            guard let m = try Self.resources(db, where: "m.seq = ?", [seq], limit: 1).first else {
                throw GatewayError.notFound(kind: "message", id: messageID)
            }
            return m
        }
    }

    public func expire(now: Date) async throws -> Int {
        try await write { db in
            let t = now.timeIntervalSince1970
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT seq, id FROM messages WHERE status IN ('queued','scheduled') AND expires_at IS NOT NULL AND expires_at <= ?
                """), arguments: [t])
            for r in rows {
                let seq: Int64 = r["seq"]
                let written = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM parts WHERE message_seq = ? AND status != 'pending'"),
                                               arguments: [seq]) ?? 0
                if written > 0 {
                    try db.exec("UPDATE parts SET status = 'canceled', error = 'validity passed' WHERE message_seq = ? AND status = 'pending'", [seq])
                    try Self.settle(db, seq: seq, now: now)
                } else {
                    try Self.finish(db, seq: seq, id: r["id"], status: .expired, partStatus: .canceled,
                                    error: MessageError(code: "expired", detail: "its validity passed before it could be sent"), now: now)
                }
            }
            // Scheduled messages that are due become queued.
            let due = try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM messages WHERE status = 'scheduled' AND available_at <= ?"), arguments: [t])
            for id in due {
                try db.exec("UPDATE messages SET status = 'queued', updated_at = ? WHERE id = ?", [t, id])
                try Self.event(db, id, "message.queued", now, ["reason": "send_at reached"])
            }
            return rows.count
        }
    }

    public func nextDue(now: Date) async throws -> Date? {
        try await read { db in
            let a = try Double.fetchOne(db.cachedStatement(sql: "SELECT MIN(available_at) FROM messages WHERE status IN ('queued','scheduled') AND secure_role IS NOT 'message'"))
            let b = try Double.fetchOne(db.cachedStatement(sql: "SELECT MIN(avoid_until) FROM messages WHERE status = 'queued' AND avoid_until IS NOT NULL AND avoid_until > ?"),
                                        arguments: [now.timeIntervalSince1970])
            let e = try Double.fetchOne(db.cachedStatement(sql: "SELECT MIN(expires_at) FROM messages WHERE status IN ('queued','scheduled') AND expires_at IS NOT NULL"))
            return [a, b, e].compactMap { $0 }.min().map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func partsSent(modem: String, since: Date) async throws -> Int {
        try await read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM parts WHERE modem = ? AND sent_at >= ?"),
                             arguments: [modem, since.timeIntervalSince1970]) ?? 0
        }
    }

    public func queuedPinned(modem: String, number: String?) async throws -> Int {
        try await read { db in
            try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM messages WHERE status IN ('queued','scheduled') AND (pinned = ? OR pinned = ? OR modem = ?)
                """), arguments: [modem, number ?? modem, modem]) ?? 0
        }
    }

    public func applyStatusReport(_ report: StatusReportRecord, now: Date) async throws -> MessageResource? {
        try await write { db in
            let key = MessageStatusRule.recipientKey(report.recipient)
            guard let part = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT p.message_seq, p.seq, p.status FROM parts p
                WHERE p.modem = ? AND p.reference = ? AND p.recipient_key = ? AND p.status IN ('sent','delivered','undelivered')
                ORDER BY p.sent_at DESC LIMIT 1
                """), arguments: [report.modem, report.reference, key]) ?? Self.resolveUnknown(db, report, key: key, now: now) else {
                // Its part may still be `sending` (the report overtook the +CMGS commit): keep it for partSent.
                try db.exec("""
                    INSERT INTO orphan_reports (modem, reference, recipient_key, tp_status, discharge_at, received_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, [report.modem, report.reference, key, report.tpStatus,
                                     report.dischargeTime?.timeIntervalSince1970, now.timeIntervalSince1970])
                try Self.event(db, nil, "report.unmatched", now, ["modem": report.modem, "reference": "\(report.reference)"])
                return nil
            }
            let seq: Int64 = part["message_seq"]
            let partSeq: Int = part["seq"]
            let status = DeliveryStatusMapping.partStatus(tpStatus: report.tpStatus)
            let t = (report.dischargeTime ?? now).timeIntervalSince1970
            try db.exec("""
                UPDATE parts SET status = ?, tp_status = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END
                WHERE message_seq = ? AND seq = ?
                """, [status.rawValue, report.tpStatus, status.rawValue, t, seq, partSeq])
            let id = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM messages WHERE seq = ?"), arguments: [seq])
            try Self.event(db, id, "part.report", now, ["seq": "\(partSeq)", "tp_status": "\(report.tpStatus)"])
            try Self.settle(db, seq: seq, now: now)
            return try Self.resources(db, where: "m.seq = ?", [seq], limit: 1).first
        }
    }
}

extension SQLiteStore {
    /// A report with a TP-MR no sent part has may be for the one `unknown` part to that recipient on
    /// that modem (its `+CMGS` result was lost): with exactly one such part written in the last day,
    /// the report settles it and the part takes the report's TP-MR. Not while a part to that
    /// recipient on that modem is `sending`: the report may be that part's, overtaking its
    /// `+CMGS` commit, and then it waits for the commit as an orphan.
    static func resolveUnknown(_ db: Database, _ report: StatusReportRecord, key: String, now: Date) throws -> Row? {
        let candidates = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT message_seq, seq, status FROM parts
            WHERE modem = ? AND recipient_key = ? AND status = 'unknown' AND sent_at >= ?
              AND NOT EXISTS (SELECT 1 FROM parts s WHERE s.modem = ? AND s.recipient_key = ? AND s.status = 'sending')
            LIMIT 2
            """), arguments: [report.modem, key, now.timeIntervalSince1970 - 86_400, report.modem, key])
        guard candidates.count == 1, let part = candidates.first else { return nil }
        try db.exec("UPDATE parts SET reference = ?, error = NULL WHERE message_seq = ? AND seq = ?",
                    [report.reference, part["message_seq"] as Int64, part["seq"] as Int])
        return part
    }
}

/// TP-ST (TS 23.040 §9.2.3.15) to part status.
enum DeliveryStatusMapping {
    static func partStatus(tpStatus: Int) -> PartStatus {
        switch tpStatus {
        case 0x00...0x1F: return .delivered
        case 0x20...0x3F: return .sent       // still trying
        default: return .undelivered
        }
    }
}
