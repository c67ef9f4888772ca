import Foundation
import GRDB

/// The metrics' view of the store: the `events` log (one writer, so ids increase in commit order)
/// and the queue.
extension SQLiteStore: MetricsSource {
    public func lastEventID() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(id), 0) FROM events")) ?? 0 }
    }

    public func transitions(after: Int64, limit: Int) async throws -> [MessageTransition] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: MessageTransition.query), arguments: [after, limit]).compactMap { r in
                MessageTransition.make(eventID: r["id"], type: r["type"], data: r["data"], at: r["at"], messageModem: r["modem"],
                                       createdAt: r["created_at"], sendAt: r["send_at"], sentAt: r["sent_at"],
                                       deliveredAt: r["delivered_at"])
            }
        }
    }

    public func queueDepth() async throws -> [MessageStatus: Int] {
        try await read { db in
            var depth: [MessageStatus: Int] = [.scheduled: 0, .queued: 0, .sending: 0]
            for r in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT status, COUNT(*) AS n FROM messages WHERE status IN ('scheduled', 'queued', 'sending') GROUP BY status
                """)) {
                if let s = MessageStatus(rawValue: r["status"]) { depth[s] = r["n"] }
            }
            return depth
        }
    }
}
