import Foundation
import PostgresNIO

/// Inbound reassembly: the rules of ``SQLiteStore``'s (see SQLiteStore+Inbound.swift), statement
/// for statement. What one SQLite writer serialises is serialised here by advisory locks: the
/// parts of one modem (`inbound:MODEM`), and inbox cursors (`inbox`), so cursors become visible in
/// the order they were taken and a long poll never skips one.
extension PostgresStore {
    public func receive(_ part: InboundPartRecord, now: Date) async throws -> InboundOutcome {
        try await write { tx in
            try await tx.lock("inbound:\(part.modem)")
            let t = now.timeIntervalSince1970
            let digest = TokenDigest.hex(TokenDigest.digest(bytes: Array(part.tpduHex.uppercased().utf8)))
            let total = max(1, part.total)
            let single = total == 1 || part.reference == nil
            if single {
                if try await tx.scalar("SELECT COUNT(*) FROM inbound_parts WHERE modem = ? AND digest = ?", [part.modem, digest], as: Int.self) ?? 0 > 0 {
                    return .duplicate
                }
                let group = try await Self.newGroup(tx, part, total: 1, duplicateOf: nil, t: t)
                try await Self.insertPart(tx, part, group: group, seq: 1, digest: digest, t: t)
                return .stored(completed: try await Self.complete(tx, group: group, part: part, total: 1, now: now), displaced: nil)
            }
            let seqNo = min(max(1, part.sequence), total)
            var displaced: InboxMessage?
            var group: Int64? = try await tx.scalar("""
                SELECT id FROM inbound_groups WHERE modem = ? AND sender = ? AND reference = ? AND total = ? AND state = 'open'
                ORDER BY id DESC LIMIT 1
                """, [part.modem, part.sender, part.reference, total])
            if let g = group,
               let existing: String = try await tx.scalar("SELECT digest FROM inbound_parts WHERE group_id = ? AND seq = ?", [g, seqNo]) {
                if existing == digest { return .duplicate }
                displaced = try await Self.close(tx, group: g, now: now)
                group = nil
            }
            if group == nil {
                // Does this part repeat a completed message under the same key? Then the new group may be that message again.
                let twin: Int64? = try await tx.scalar("""
                    SELECT g.id FROM inbound_groups g JOIN inbound_parts p ON p.group_id = g.id
                    WHERE g.modem = ? AND g.sender = ? AND g.reference = ? AND g.total = ? AND g.state = 'complete'
                      AND p.seq = ? AND p.digest = ? ORDER BY g.id DESC LIMIT 1
                    """, [part.modem, part.sender, part.reference, total, seqNo, digest])
                group = try await Self.newGroup(tx, part, total: total, duplicateOf: twin, t: t)
            }
            guard let g = group else { return .duplicate }
            try await Self.insertPart(tx, part, group: g, seq: seqNo, digest: digest, t: t)
            let count: Int = try await tx.scalar("SELECT COUNT(*) FROM inbound_parts WHERE group_id = ?", [g]) ?? 0
            guard count >= total else { return .stored(completed: nil, displaced: displaced) }
            if try await Self.repeatsTwin(tx, group: g) {
                try await tx.exec("UPDATE inbound_groups SET state = 'duplicate', updated_at = ? WHERE id = ?", [t, g])
                return displaced.map { .stored(completed: nil, displaced: $0) } ?? .duplicate
            }
            return .stored(completed: try await Self.complete(tx, group: g, part: part, total: total, now: now), displaced: displaced)
        }
    }

    public func expireIncomplete(before: Date, now: Date) async throws -> [InboxMessage] {
        try await write { tx in
            let groups = try await tx.rows("SELECT id, modem FROM inbound_groups WHERE state = 'open' AND started_at < ? ORDER BY id",
                                           [before.timeIntervalSince1970])
            // The modems' locks in one order (then the inbox lock inside close): no deadlock with
            // receive or another host's sweep. Then the state again: a part may have closed a group meanwhile.
            for modem in Set(try groups.map { try $0.get("modem", as: String.self) }).sorted() {
                try await tx.lock("inbound:\(modem)")
            }
            var out: [InboxMessage] = []
            for row in groups {
                let id: Int64 = try row["id"]
                let state: String? = try await tx.scalar("SELECT state FROM inbound_groups WHERE id = ?", [id])
                guard state == "open" else { continue }
                if let m = try await Self.close(tx, group: id, now: now) { out.append(m) }
            }
            return out
        }
    }

    public func oldestOpenGroup() async throws -> Date? {
        try await read { tx in
            try await tx.scalar("SELECT MIN(started_at) FROM inbound_groups WHERE state = 'open'", as: Double.self)
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    // MARK: - Helpers

    static func newGroup(_ tx: PGTx, _ part: InboundPartRecord, total: Int, duplicateOf: Int64?, t: Double) async throws -> Int64 {
        try await tx.scalar("""
            INSERT INTO inbound_groups (modem, sender, reference, total, state, duplicate_of, started_at, updated_at)
            VALUES (?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id
            """, [part.modem, part.sender, part.reference, total, duplicateOf, t, t]) ?? 0
    }

    static func insertPart(_ tx: PGTx, _ part: InboundPartRecord, group: Int64, seq: Int, digest: String, t: Double) async throws {
        try await tx.exec("""
            INSERT INTO inbound_parts (group_id, modem, sender, seq, tpdu, digest, timestamp, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [group, part.modem, part.sender, seq, part.tpduHex.uppercased(), digest, part.timestamp?.timeIntervalSince1970, t])
    }

    /// Whether every part of `group` equals the same part of the completed message it may repeat.
    static func repeatsTwin(_ tx: PGTx, group: Int64) async throws -> Bool {
        guard let twin: Int64 = try await tx.scalar("SELECT duplicate_of FROM inbound_groups WHERE id = ?", [group]) else { return false }
        let differing: Int = try await tx.scalar("""
            SELECT COUNT(*) FROM inbound_parts p WHERE p.group_id = ?
              AND NOT EXISTS (SELECT 1 FROM inbound_parts q WHERE q.group_id = ? AND q.seq = p.seq AND q.digest = p.digest)
            """, [group, twin]) ?? 1
        return differing == 0
    }

    /// Ends an open group: a duplicate of its twin is dropped, anything else surfaces as incomplete.
    static func close(_ tx: PGTx, group: Int64, now: Date) async throws -> InboxMessage? {
        let t = now.timeIntervalSince1970
        if try await repeatsTwin(tx, group: group) {
            try await tx.exec("UPDATE inbound_groups SET state = 'duplicate', updated_at = ? WHERE id = ?", [t, group])
            return nil
        }
        guard let g = try await tx.one("SELECT * FROM inbound_groups WHERE id = ?", [group]) else { return nil }
        try await tx.exec("UPDATE inbound_groups SET state = 'expired', updated_at = ? WHERE id = ?", [t, group])
        let record = InboundPartRecord(modem: try g["modem"], modemNumber: nil, sender: try g["sender"], tpduHex: "",
                                       reference: try g["reference"], total: try g["total"], sequence: 0, timestamp: nil)
        return try await inboxRow(tx, group: group, part: record, total: try g["total"], complete: false, now: now)
    }

    static func complete(_ tx: PGTx, group: Int64, part: InboundPartRecord, total: Int, now: Date) async throws -> InboxMessage? {
        try await tx.exec("UPDATE inbound_groups SET state = 'complete', updated_at = ? WHERE id = ?", [now.timeIntervalSince1970, group])
        return try await inboxRow(tx, group: group, part: part, total: total, complete: true, now: now)
    }

    static func inboxRow(_ tx: PGTx, group: Int64, part: InboundPartRecord, total: Int, complete: Bool,
                         now: Date) async throws -> InboxMessage? {
        let rows = try await tx.rows("SELECT seq, tpdu FROM inbound_parts WHERE group_id = ? ORDER BY seq", [group])
        let parts = try rows.map { (seq: try $0.get("seq", as: Int.self), tpdu: try $0.get("tpdu", as: String.self)) }
        let assembled = InboundAssembler.assemble(parts)
        var number = part.modemNumber
        if number == nil { number = try await tx.scalar("SELECT number FROM modems WHERE id = ?", [part.modem]) }
        let id = GatewayID.make("in", at: now)
        let received = parts.map { "\($0.seq)" }.joined(separator: ",")
        // One global order: the cursor is taken under a lock held to commit, so no cursor commits before a smaller one.
        try await tx.lock("inbox")
        guard let row = try await tx.one("""
            INSERT INTO inbox (id, group_id, modem, to_number, sender, text, data_hex, ports_dst, ports_src, parts, received_parts,
                complete, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
            """, [id, group, part.modem, number ?? part.modem, part.sender, assembled.text, assembled.dataHex,
                  assembled.ports?.dst, assembled.ports?.src, total, received, complete, now.timeIntervalSince1970]) else { return nil }
        let message = try inboxMessage(row)
        try await event(tx, nil, "message.received", now, ["inbox": id, "cursor": "\(message.cursor)"])
        tx.notes.insert(.inbox)
        return message
    }
}
