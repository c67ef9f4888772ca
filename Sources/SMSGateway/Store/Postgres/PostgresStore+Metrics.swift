import Foundation

/// The metrics' view of the shared store. Its `events` log holds every host's transitions, and
/// concurrent transactions may commit out of id order, so a transition committed just after a
/// scrape under a lower id than one already read is not counted (the counters are a close
/// lower bound on PostgreSQL, exact on SQLite).
extension PostgresStore: MetricsSource {
    public func lastEventID() async throws -> Int64 {
        try await read { tx in try await tx.scalar("SELECT COALESCE(MAX(id), 0) FROM events", as: Int64.self) ?? 0 }
    }

    public func transitions(after: Int64, limit: Int) async throws -> [MessageTransition] {
        try await read { tx in
            try await tx.rows(MessageTransition.query, [after, Int64(limit)]).compactMap { r in
                MessageTransition.make(eventID: try r["id"], type: try r["type"], data: try r["data"], at: try r["at"],
                                       messageModem: try r["modem"], createdAt: try r["created_at"], sendAt: try r["send_at"],
                                       sentAt: try r["sent_at"], deliveredAt: try r["delivered_at"])
            }
        }
    }

    public func queueDepth() async throws -> [MessageStatus: Int] {
        try await read { tx in
            var depth: [MessageStatus: Int] = [.scheduled: 0, .queued: 0, .sending: 0]
            for r in try await tx.rows("""
                SELECT status, COUNT(*)::bigint AS n FROM messages WHERE status IN ('scheduled', 'queued', 'sending') GROUP BY status
                """) {
                let n: Int64 = try r["n"]
                if let s = MessageStatus(rawValue: try r["status"]) { depth[s] = Int(n) }
            }
            return depth
        }
    }
}
