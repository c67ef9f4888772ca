import Foundation
import GRDB

/// Inbound reassembly in the store. Rules (docs/gateway.md, "Inbound"):
/// - a single-part SMS whose TPDU is byte-identical to one already stored from that modem is a
///   duplicate (a `+CMT` re-delivery or a network duplicate);
/// - a part identical to one already in its open group is a duplicate;
/// - a part whose sequence is already in its open group with other content starts a new group and
///   surfaces the old one as incomplete (the sender reused the reference);
/// - a group is dropped as a duplicate only when **every** part equals the parts of a message
///   already completed under the same key: a shared templated part alone never drops a message.
extension SQLiteStore {
    public func receive(_ part: InboundPartRecord, now: Date) async throws -> InboundOutcome {
        try await write { db in
            let t = now.timeIntervalSince1970
            let digest = TokenDigest.hex(TokenDigest.digest(bytes: Array(part.tpduHex.uppercased().utf8)))
            let total = max(1, part.total)
            let single = total == 1 || part.reference == nil
            if single {
                if try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM inbound_parts WHERE modem = ? AND digest = ?"),
                                    arguments: [part.modem, digest]) ?? 0 > 0 { return .duplicate }
                let group = try Self.newGroup(db, part, total: 1, duplicateOf: nil, t: t)
                try Self.insertPart(db, part, group: group, seq: 1, digest: digest, t: t)
                return .stored(completed: try Self.complete(db, group: group, part: part, total: 1, now: now), displaced: nil)
            }
            let seqNo = min(max(1, part.sequence), total)
            var displaced: InboxMessage?
            var group = try Int64.fetchOne(db.cachedStatement(sql: """
                SELECT id FROM inbound_groups WHERE modem = ? AND sender = ? AND reference = ? AND total = ? AND state = 'open'
                ORDER BY id DESC LIMIT 1
                """), arguments: [part.modem, part.sender, part.reference, total])
            if let g = group,
               let existing = try String.fetchOne(db.cachedStatement(sql: "SELECT digest FROM inbound_parts WHERE group_id = ? AND seq = ?"),
                                                  arguments: [g, seqNo]) {
                if existing == digest { return .duplicate }
                displaced = try Self.close(db, group: g, now: now)
                group = nil
            }
            if group == nil {
                // Does this part repeat a completed message under the same key? Then the new group may be that message again.
                let twin = try Int64.fetchOne(db.cachedStatement(sql: """
                    SELECT g.id FROM inbound_groups g JOIN inbound_parts p ON p.group_id = g.id
                    WHERE g.modem = ? AND g.sender = ? AND g.reference = ? AND g.total = ? AND g.state = 'complete'
                      AND p.seq = ? AND p.digest = ? ORDER BY g.id DESC LIMIT 1
                    """), arguments: [part.modem, part.sender, part.reference, total, seqNo, digest])
                group = try Self.newGroup(db, part, total: total, duplicateOf: twin, t: t)
            }
            guard let g = group else { return .duplicate }
            try Self.insertPart(db, part, group: g, seq: seqNo, digest: digest, t: t)
            let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM inbound_parts WHERE group_id = ?"), arguments: [g]) ?? 0
            guard count >= total else { return .stored(completed: nil, displaced: displaced) }
            if try Self.repeatsTwin(db, group: g) {
                try db.exec("UPDATE inbound_groups SET state = 'duplicate', updated_at = ? WHERE id = ?", [t, g])
                return displaced.map { .stored(completed: nil, displaced: $0) } ?? .duplicate
            }
            return .stored(completed: try Self.complete(db, group: g, part: part, total: total, now: now), displaced: displaced)
        }
    }

    public func expireIncomplete(before: Date, now: Date) async throws -> [InboxMessage] {
        try await write { db in
            let groups = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM inbound_groups WHERE state = 'open' AND started_at < ? ORDER BY id"),
                                            arguments: [before.timeIntervalSince1970])
            return try groups.compactMap { try Self.close(db, group: $0, now: now) }
        }
    }

    public func oldestOpenGroup() async throws -> Date? {
        try await read { db in
            try Double.fetchOne(db.cachedStatement(sql: "SELECT MIN(started_at) FROM inbound_groups WHERE state = 'open'")).map { Date(timeIntervalSince1970: $0) }
        }
    }

    // MARK: - Helpers

    static func newGroup(_ db: Database, _ part: InboundPartRecord, total: Int, duplicateOf: Int64?, t: Double) throws -> Int64 {
        try db.exec("""
            INSERT INTO inbound_groups (modem, sender, reference, total, state, duplicate_of, started_at, updated_at)
            VALUES (?, ?, ?, ?, 'open', ?, ?, ?)
            """, [part.modem, part.sender, part.reference, total, duplicateOf, t, t])
        return db.lastInsertedRowID
    }

    static func insertPart(_ db: Database, _ part: InboundPartRecord, group: Int64, seq: Int, digest: String, t: Double) throws {
        try db.exec("""
            INSERT INTO inbound_parts (group_id, modem, sender, seq, tpdu, digest, timestamp, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [group, part.modem, part.sender, seq, part.tpduHex.uppercased(), digest,
                             part.timestamp?.timeIntervalSince1970, t])
    }

    /// Whether every part of `group` equals the same part of the completed message it may repeat.
    static func repeatsTwin(_ db: Database, group: Int64) throws -> Bool {
        guard let twin = try Int64.fetchOne(db.cachedStatement(sql: "SELECT duplicate_of FROM inbound_groups WHERE id = ?"), arguments: [group]) else {
            return false
        }
        let differing = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM inbound_parts p WHERE p.group_id = ?
              AND NOT EXISTS (SELECT 1 FROM inbound_parts q WHERE q.group_id = ? AND q.seq = p.seq AND q.digest = p.digest)
            """), arguments: [group, twin]) ?? 1
        return differing == 0
    }

    /// Ends an open group: a duplicate of its twin is dropped, anything else surfaces as incomplete.
    static func close(_ db: Database, group: Int64, now: Date) throws -> InboxMessage? {
        let t = now.timeIntervalSince1970
        if try repeatsTwin(db, group: group) {
            try db.exec("UPDATE inbound_groups SET state = 'duplicate', updated_at = ? WHERE id = ?", [t, group])
            return nil
        }
        guard let g = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM inbound_groups WHERE id = ?"), arguments: [group]) else { return nil }
        try db.exec("UPDATE inbound_groups SET state = 'expired', updated_at = ? WHERE id = ?", [t, group])
        let record = InboundPartRecord(modem: g["modem"], modemNumber: nil, sender: g["sender"], tpduHex: "",
                                       reference: g["reference"], total: g["total"], sequence: 0, timestamp: nil)
        return try inboxRow(db, group: group, part: record, total: g["total"], complete: false, now: now)
    }

    static func complete(_ db: Database, group: Int64, part: InboundPartRecord, total: Int, now: Date) throws -> InboxMessage? {
        try db.exec("UPDATE inbound_groups SET state = 'complete', updated_at = ? WHERE id = ?", [now.timeIntervalSince1970, group])
        return try inboxRow(db, group: group, part: part, total: total, complete: true, now: now)
    }

    static func inboxRow(_ db: Database, group: Int64, part: InboundPartRecord, total: Int, complete: Bool,
                         now: Date) throws -> InboxMessage? {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, tpdu FROM inbound_parts WHERE group_id = ? ORDER BY seq"), arguments: [group])
        let parts = rows.map { (seq: $0["seq"] as Int, tpdu: $0["tpdu"] as String) }
        let assembled = InboundAssembler.assemble(parts)
        var number = part.modemNumber
        if number == nil { number = try String.fetchOne(db.cachedStatement(sql: "SELECT number FROM modems WHERE id = ?"), arguments: [part.modem]) }
        let id = GatewayID.make("in", at: now)
        let received = parts.map { "\($0.seq)" }.joined(separator: ",")
        try db.exec("""
            INSERT INTO inbox (id, group_id, modem, to_number, sender, text, data_hex, ports_dst, ports_src, parts, received_parts,
                complete, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [id, group, part.modem, number ?? part.modem, part.sender, assembled.text, assembled.dataHex,
                             assembled.ports?.dst, assembled.ports?.src, total, received, complete, now.timeIntervalSince1970])
        let cursor = db.lastInsertedRowID
        try event(db, nil, "message.received", now, ["inbox": id, "cursor": "\(cursor)"])
        return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM inbox WHERE cursor = ?"), arguments: [cursor]).map(inboxMessage)
    }
}
