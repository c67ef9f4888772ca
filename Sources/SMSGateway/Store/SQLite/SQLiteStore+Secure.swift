import Foundation
import GRDB
import SMSPDU

/// Secure messaging in the SQLite store (``SecureGatewayStore``): peers, sealed messages and their
/// engine ids, frames (ordinary data SMS, `secure_role = 'frame'`, hidden from `GET /v1/messages`
/// and from webhooks) and the secure inbox (unique on key, session and sequence).
extension SQLiteStore: SecureGatewayStore {
    // MARK: Peers

    public func insertPeer(publicKey: String, fingerprint: String, number: String, customerID: String?,
                           now: Date) async throws -> PeerResource {
        try await write { db in
            if let existing = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM gateway_peers WHERE public_key = ?"),
                                                  arguments: [publicKey]) {
                throw GatewayError.peerExists(id: existing)
            }
            let peer = PeerResource(id: GatewayID.make("peer", at: now), publicKey: publicKey, fingerprint: fingerprint,
                                    number: number, customerID: customerID, createdAt: Self.millis(now), state: "enrolling")
            try db.exec("""
                INSERT INTO gateway_peers (id, public_key, number, customer_id, state, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'enrolling', ?, ?)
                """, [peer.id, publicKey, number, customerID, now.timeIntervalSince1970, now.timeIntervalSince1970])
            try Self.event(db, nil, "peer.enrolled", now, ["peer": peer.id])
            return peer
        }
    }

    public func markPeer(id: String, state: String, now: Date) async throws {
        try await write { db in
            // `enrolled` only finishes an enrolment: it never overwrites a `revoking` a DELETE wrote meanwhile.
            try db.exec("UPDATE gateway_peers SET state = ?, updated_at = ? WHERE id = ? AND (? != 'enrolled' OR state = 'enrolling')",
                        [state, now.timeIntervalSince1970, id, state])
        }
    }

    public func peer(id: String) async throws -> PeerResource? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM gateway_peers WHERE id = ?"), arguments: [id]).map(Self.peerResource)
        }
    }

    public func peer(publicKey: String) async throws -> PeerResource? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM gateway_peers WHERE public_key = ?"), arguments: [publicKey])
                .map(Self.peerResource)
        }
    }

    public func peers(after: String?, limit: Int) async throws -> [PeerResource] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM gateway_peers WHERE id > ? ORDER BY id LIMIT ?"),
                             arguments: [after ?? "", max(1, limit)]).map(Self.peerResource)
        }
    }

    public func unfinishedPeers() async throws -> [PeerResource] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM gateway_peers WHERE state != 'enrolled' ORDER BY id"))
                .map(Self.peerResource)
        }
    }

    public func deletePeer(id: String, now: Date) async throws {
        try await write { db in
            try db.exec("DELETE FROM gateway_peers WHERE id = ?", [id])
            if db.changesCount > 0 { try Self.event(db, nil, "peer.deleted", now, ["peer": id]) }
        }
    }

    static func peerResource(_ r: Row) -> PeerResource {
        PeerResource(id: r["id"], publicKey: r["public_key"], fingerprint: SecurePeerKey.fingerprint(hex: r["public_key"]),
                     number: r["number"], customerID: r["customer_id"],
                     createdAt: Date(timeIntervalSince1970: r["created_at"]), state: r["state"])
    }

    // MARK: Messages

    public func acceptSecure(_ m: NewSecureMessage, idempotency: IdempotencyKey?, now: Date) async throws -> Accepted {
        let outcome: (created: Bool, id: String) = try await write { db in
            if let idem = idempotency,
               let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, request_digest FROM messages WHERE idempotency_key = ?"),
                                          arguments: [idem.key]) {
                let digest: String? = row["request_digest"]
                guard digest == idem.requestDigest else { throw GatewayError.idempotencyConflict(key: idem.key) }
                return (false, row["id"])
            }
            let id = GatewayID.make("msg", at: now)
            let (kind, body): (String, String)
            switch m.content {
            case .text(let t): (kind, body) = ("text", t)
            case .data(let d): (kind, body) = ("data", Hex.encode(d))
            }
            let metadata = String(decoding: (try? JSONEncoder.sorted.encode(m.metadata)) ?? Data("{}".utf8), as: UTF8.self)
            let t = now.timeIntervalSince1970
            // recipient_key is the peer's, not the number's: a message waiting to be sealed never holds
            // back the frames (ordinary messages) to that number.
            try db.exec("""
                INSERT INTO messages (id, status, recipient, recipient_key, body_kind, body, segments, encoding, report, priority,
                    guarantee, metadata, idempotency_key, request_digest, created_at, updated_at, available_at,
                    secure_role, secure_peer, secure_state)
                VALUES (?, 'queued', ?, ?, ?, ?, 0, 'secure', 0, ?, 'at_most_once', ?, ?, ?, ?, ?, ?, 'message', ?, 'pending')
                """, [id, m.peer.number, "secure:" + m.peer.id, kind, body, m.priority, metadata, idempotency?.key,
                                 idempotency?.requestDigest, t, t, t, m.peer.id])
            try Self.storeCallback(db, messageID: id, m.callback)
            try Self.event(db, id, "message.queued", now)
            return (true, id)
        }
        guard let resource = try await message(id: outcome.id) else {
            throw GatewayError.storeUnavailable("message \(outcome.id) vanished after commit")
        }
        return outcome.created ? .created(resource) : .replayed(resource)
    }

    public func claimSecureSeal(now: Date) async throws -> SecureSealJob? {
        try await write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT seq, id, secure_peer, body_kind, body FROM messages
                WHERE secure_role = 'message' AND secure_state = 'pending' AND status = 'queued'
                ORDER BY priority DESC, seq LIMIT 1
                """)) else { return nil }
            let seq: Int64 = row["seq"]
            try db.exec("UPDATE messages SET secure_state = 'sealing', attempts = attempts + 1, updated_at = ? WHERE seq = ?",
                        [now.timeIntervalSince1970, seq])
            let kind: String = row["body_kind"], body: String = row["body"]
            return SecureSealJob(id: row["id"], peer: row["secure_peer"],
                                 content: kind == "data" ? .data((try? Hex.decode(body)) ?? []) : .text(body))
        }
    }

    public func secureSealed(id: String, secureID: UInt64, now: Date) async throws {
        try await write { db in
            try db.exec("""
                UPDATE messages SET secure_id = ?, secure_state = 'sealed', updated_at = ? WHERE id = ? AND secure_role = 'message'
                """, [Int64(bitPattern: secureID), now.timeIntervalSince1970, id])
            try Self.markSecureSent(db, id: id, now: now)
        }
    }

    /// `queued` → `sent` once the engine holds the message (and so will send or retransmit its frames).
    static func markSecureSent(_ db: Database, id: String, now: Date) throws {
        let t = now.timeIntervalSince1970
        try db.exec("""
            UPDATE messages SET status = 'sent', sent_at = COALESCE(sent_at, ?), updated_at = ?
            WHERE id = ? AND secure_role = 'message' AND status = 'queued'
            """, [t, t, id])
        if db.changesCount > 0 { try event(db, id, "message.sent", now) }
    }

    public func secureSealFailed(id: String, error: MessageError, now: Date) async throws {
        try await write { db in
            guard let seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM messages WHERE id = ? AND secure_role = 'message'"),
                                               arguments: [id]) else { return }
            try db.exec("UPDATE messages SET secure_state = 'done' WHERE seq = ?", [seq])
            try Self.finish(db, seq: seq, id: id, status: .failed, partStatus: .failed, error: error, now: now)
        }
    }

    public func secureOutcome(secureID: UInt64, status: MessageStatus, error: MessageError?, now: Date) async throws -> MessageResource? {
        let id: String? = try await write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT seq, id, status FROM messages WHERE secure_role = 'message' AND secure_id = ?
                """), arguments: [Int64(bitPattern: secureID)]) else { return nil }
            let current = MessageStatus(rawValue: row["status"]) ?? .unknown
            let id: String = row["id"]
            guard current != status, current != .delivered else { return id }
            let t = now.timeIntervalSince1970
            try db.exec("""
                UPDATE messages SET status = ?, secure_state = 'done', updated_at = ?,
                    delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END,
                    error_code = COALESCE(?, error_code), error_detail = COALESCE(?, error_detail)
                WHERE seq = ?
                """, [status.rawValue, t, status.rawValue, t, error?.code, error?.detail, row["seq"] as Int64])
            try Self.event(db, id, "message.\(status.rawValue)", now, error.map { ["code": $0.code, "detail": $0.detail] } ?? [:])
            return id
        }
        guard let id else { return nil }
        return try await message(id: id)
    }

    public func recoverSecure(now: Date) async throws -> Int {
        try await write { db in
            let t = now.timeIntervalSince1970
            // Frames enqueued while sealing recorded the engine id: those messages are in the engine.
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT seq, id, secure_id FROM messages WHERE secure_role = 'message' AND secure_state = 'sealing'
                """))
            var unknown = 0
            for r in rows {
                let seq: Int64 = r["seq"], id: String = r["id"]
                if (r["secure_id"] as Int64?) != nil {
                    try db.exec("UPDATE messages SET secure_state = 'sealed' WHERE seq = ?", [seq])
                    try Self.markSecureSent(db, id: id, now: now)
                } else {
                    try db.exec("""
                        UPDATE messages SET status = 'unknown', secure_state = 'done', updated_at = ?, error_code = 'unconfirmed',
                            error_detail = 'the gateway stopped while the secure engine was sealing this message: the peer may receive it'
                        WHERE seq = ?
                        """, [t, seq])
                    try Self.event(db, id, "message.unknown", now)
                    unknown += 1
                }
            }
            return unknown
        }
    }

    public func enqueueFrame(to: String, bytes: [UInt8], port: Int, secureID: UInt64?, sealing: String?,
                             now: Date) async throws -> String {
        try await write { db in
            let id = GatewayID.make("frm", at: now)
            let t = now.timeIntervalSince1970
            try db.exec("""
                INSERT INTO messages (id, status, recipient, recipient_key, body_kind, body, ports_dst, ports_src, segments, encoding,
                    report, priority, guarantee, created_at, updated_at, available_at, secure_role, secure_id)
                VALUES (?, 'queued', ?, ?, 'data', ?, ?, ?, 1, '8bit', 0, 5, 'at_most_once', ?, ?, ?, 'frame', ?)
                """, [id, to, MessageStatusRule.recipientKey(to), Hex.encode(bytes), port, port, t, t, t,
                                 secureID.map { Int64(bitPattern: $0) }])
            try db.exec("INSERT INTO parts (message_seq, seq, status, recipient_key) VALUES (?, 1, 'pending', ?)",
                        [db.lastInsertedRowID, MessageStatusRule.recipientKey(to)])
            if let sealing, let secureID {
                // The first frame of the message being sealed: the engine id is durable before any frame can go out.
                try db.exec("""
                    UPDATE messages SET secure_id = ? WHERE id = ? AND secure_role = 'message' AND secure_id IS NULL
                    """, [Int64(bitPattern: secureID), sealing])
            }
            return id
        }
    }

    // MARK: Inbox

    public func insertSecureInbox(_ r: SecureInboxRecord, now: Date) async throws -> InboxMessage? {
        try await write { db in
            if try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM inbox WHERE secure_key = ? AND secure_session = ? AND secure_sequence = ?
                """), arguments: [r.publicKey, Int64(bitPattern: r.session), Int64(r.sequence)]) ?? 0 > 0 { return nil }
            let t = now.timeIntervalSince1970
            // Every inbox row has its group: a secure message gets one of state 'secure' (no parts).
            try db.exec("""
                INSERT INTO inbound_groups (modem, sender, reference, total, state, started_at, updated_at)
                VALUES (?, ?, NULL, 1, 'secure', ?, ?)
                """, [r.modem, r.from, t, t])
            let group = db.lastInsertedRowID
            let id = GatewayID.make("in", at: now)
            try db.exec("""
                INSERT INTO inbox (id, group_id, modem, to_number, sender, text, data_hex, parts, received_parts, complete, received_at,
                    secure_peer, secure_key, secure_session, secure_sequence, secure_verified, secure_replay_protected)
                VALUES (?, ?, ?, ?, ?, ?, ?, 1, '1', 1, ?, ?, ?, ?, ?, ?, ?)
                """, [id, group, r.modem, r.to, r.from, r.text, r.dataHex, t, r.peer?.id, r.publicKey,
                                 Int64(bitPattern: r.session), Int64(r.sequence), r.verified, r.replayProtected])
            let cursor = db.lastInsertedRowID
            if let customer = r.customerID {
                try db.exec("UPDATE inbox SET secure_customer = ? WHERE cursor = ?", [customer, cursor])
            }
            try Self.event(db, nil, "message.received", now, ["inbox": id, "cursor": "\(cursor)"])
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM inbox WHERE cursor = ?"), arguments: [cursor]).map(Self.inboxMessage)
        }
    }
}
