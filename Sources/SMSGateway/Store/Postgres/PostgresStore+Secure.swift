import Foundation
import PostgresNIO
import SMSPDU

/// Secure messaging on PostgreSQL (``SecureGatewayStore``): the same rows and rules as the SQLite
/// store (``SQLiteStore``), shared by every host. One host at a time runs the secure engine: it
/// holds the engine lease (``takeSecureEngine(now:)``), whose epoch fences every write of the
/// engine's state (``PostgresSecureStateStore``). Frames any host receives wait in
/// `secure_inbound_frames` for the engine (``enqueueInboundFrame(_:from:modem:modemNumber:now:)``).
extension PostgresStore: SecureGatewayStore {
    // MARK: Peers

    public func insertPeer(publicKey: String, fingerprint: String, number: String, customerID: String?,
                           now: Date) async throws -> PeerResource {
        try await write { tx in
            // Two hosts enrolling one key at once: the key's lock makes the second see the first.
            try await tx.lock("peer:" + publicKey)
            if let existing: String = try await tx.scalar("SELECT id FROM gateway_peers WHERE public_key = ?", [publicKey]) {
                throw GatewayError.peerExists(id: existing)
            }
            let peer = PeerResource(id: GatewayID.make("peer", at: now), publicKey: publicKey, fingerprint: fingerprint,
                                    number: number, customerID: customerID, createdAt: SQLiteStore.millis(now), state: "enrolling")
            try await tx.exec("""
                INSERT INTO gateway_peers (id, public_key, number, customer_id, state, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'enrolling', ?, ?)
                """, [peer.id, publicKey, number, customerID, now.timeIntervalSince1970, now.timeIntervalSince1970])
            try await Self.event(tx, nil, "peer.enrolled", now, ["peer": peer.id])
            tx.notes.insert(.secure)
            return peer
        }
    }

    public func markPeer(id: String, state: String, now: Date) async throws {
        try await write { tx in
            // `enrolled` only finishes an enrolment: it never overwrites a `revoking` a DELETE wrote meanwhile.
            try await tx.exec("UPDATE gateway_peers SET state = ?, updated_at = ? WHERE id = ? AND (?::text != 'enrolled' OR state = 'enrolling')",
                              [state, now.timeIntervalSince1970, id, state])
            tx.notes.insert(.secure)
        }
    }

    public func peer(id: String) async throws -> PeerResource? {
        try await read { tx in try await tx.one("SELECT * FROM gateway_peers WHERE id = ?", [id]).map(Self.peerResource) }
    }

    public func peer(publicKey: String) async throws -> PeerResource? {
        try await read { tx in try await tx.one("SELECT * FROM gateway_peers WHERE public_key = ?", [publicKey]).map(Self.peerResource) }
    }

    public func peers(after: String?, limit: Int) async throws -> [PeerResource] {
        try await read { tx in
            try await tx.rows("SELECT * FROM gateway_peers WHERE id > ? ORDER BY id LIMIT ?", [after ?? "", max(1, limit)])
                .map(Self.peerResource)
        }
    }

    public func unfinishedPeers() async throws -> [PeerResource] {
        try await read { tx in
            try await tx.rows("SELECT * FROM gateway_peers WHERE state != 'enrolled' ORDER BY id").map(Self.peerResource)
        }
    }

    public func deletePeer(id: String, now: Date) async throws {
        try await write { tx in
            let gone = try await tx.rows("DELETE FROM gateway_peers WHERE id = ? RETURNING id", [id])
            if !gone.isEmpty { try await Self.event(tx, nil, "peer.deleted", now, ["peer": id]) }
            tx.notes.insert(.secure)
        }
    }

    static func peerResource(_ r: PGRow) throws -> PeerResource {
        let key: String = try r["public_key"]
        return PeerResource(id: try r["id"], publicKey: key, fingerprint: SecurePeerKey.fingerprint(hex: key),
                            number: try r["number"], customerID: try r["customer_id"],
                            createdAt: Date(timeIntervalSince1970: try r["created_at"]), state: try r["state"])
    }

    // MARK: Messages

    public func acceptSecure(_ m: NewSecureMessage, idempotency: IdempotencyKey?, now: Date) async throws -> Accepted {
        let outcome: (created: Bool, id: String) = try await write { tx in
            if let idem = idempotency,
               let row = try await tx.one("SELECT id, request_digest FROM messages WHERE idempotency_key = ?", [idem.key]) {
                let digest: String? = try row["request_digest"]
                guard digest == idem.requestDigest else { throw GatewayError.idempotencyConflict(key: idem.key) }
                return (false, try row["id"])
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
            try await tx.exec("""
                INSERT INTO messages (id, status, recipient, recipient_key, body_kind, body, segments, encoding, report, priority,
                    guarantee, metadata, idempotency_key, request_digest, created_at, updated_at, available_at,
                    secure_role, secure_peer, secure_state)
                VALUES (?, 'queued', ?, ?, ?, ?, 0, 'secure', FALSE, ?, 'at_most_once', ?, ?, ?, ?, ?, ?, 'message', ?, 'pending')
                """, [id, m.peer.number, "secure:" + m.peer.id, kind, body, m.priority, metadata, idempotency?.key,
                      idempotency?.requestDigest, t, t, t, m.peer.id])
            try await Self.storeCallback(tx, messageID: id, m.callback)
            try await Self.event(tx, id, "message.queued", now)
            tx.notes.insert(.secure)
            return (true, id)
        }
        guard let resource = try await message(id: outcome.id) else {
            throw GatewayError.storeUnavailable("message \(outcome.id) vanished after commit")
        }
        return outcome.created ? .created(resource) : .replayed(resource)
    }

    public func claimSecureSeal(now: Date) async throws -> SecureSealJob? {
        try await write { tx in
            guard let row = try await tx.one("""
                SELECT seq, id, secure_peer, body_kind, body FROM messages
                WHERE secure_role = 'message' AND secure_state = 'pending' AND status = 'queued'
                ORDER BY priority DESC, seq LIMIT 1 FOR UPDATE SKIP LOCKED
                """) else { return nil }
            let seq: Int64 = try row["seq"]
            try await tx.exec("UPDATE messages SET secure_state = 'sealing', attempts = attempts + 1, updated_at = ? WHERE seq = ?",
                              [now.timeIntervalSince1970, seq])
            let kind: String = try row["body_kind"], body: String = try row["body"]
            return SecureSealJob(id: try row["id"], peer: try row["secure_peer"],
                                 content: kind == "data" ? .data((try? Hex.decode(body)) ?? []) : .text(body))
        }
    }

    public func secureSealed(id: String, secureID: UInt64, now: Date) async throws {
        try await write { tx in
            try await tx.exec("""
                UPDATE messages SET secure_id = ?, secure_state = 'sealed', updated_at = ? WHERE id = ? AND secure_role = 'message'
                """, [Int64(bitPattern: secureID), now.timeIntervalSince1970, id])
            try await Self.markSecureSent(tx, id: id, now: now)
        }
    }

    /// `queued` → `sent` once the engine holds the message (and so will send or retransmit its frames).
    static func markSecureSent(_ tx: PGTx, id: String, now: Date) async throws {
        let t = now.timeIntervalSince1970
        let changed = try await tx.rows("""
            UPDATE messages SET status = 'sent', sent_at = COALESCE(sent_at, ?), updated_at = ?
            WHERE id = ? AND secure_role = 'message' AND status = 'queued' RETURNING seq
            """, [t, t, id])
        if !changed.isEmpty { try await event(tx, id, "message.sent", now) }
    }

    public func secureSealFailed(id: String, error: MessageError, now: Date) async throws {
        try await write { tx in
            guard let seq: Int64 = try await tx.scalar("SELECT seq FROM messages WHERE id = ? AND secure_role = 'message' FOR UPDATE",
                                                       [id]) else { return }
            try await tx.exec("UPDATE messages SET secure_state = 'done' WHERE seq = ?", [seq])
            try await Self.finish(tx, seq: seq, id: id, status: .failed, partStatus: .failed, error: error, now: now)
        }
    }

    public func secureOutcome(secureID: UInt64, status: MessageStatus, error: MessageError?, now: Date) async throws -> MessageResource? {
        let id: String? = try await write { tx in
            guard let row = try await tx.one("""
                SELECT seq, id, status FROM messages WHERE secure_role = 'message' AND secure_id = ? FOR UPDATE
                """, [Int64(bitPattern: secureID)]) else { return nil }
            let current = MessageStatus(rawValue: try row["status"]) ?? .unknown
            let id: String = try row["id"]
            guard current != status, current != .delivered else { return id }
            let t = now.timeIntervalSince1970
            try await tx.exec("""
                UPDATE messages SET status = ?, secure_state = 'done', updated_at = ?,
                    delivered_at = CASE WHEN ?::text = 'delivered' THEN ? ELSE delivered_at END,
                    error_code = COALESCE(?, error_code), error_detail = COALESCE(?, error_detail)
                WHERE seq = ?
                """, [status.rawValue, t, status.rawValue, t, error?.code, error?.detail, try row["seq"] as Int64])
            try await Self.event(tx, id, "message.\(status.rawValue)", now, error.map { ["code": $0.code, "detail": $0.detail] } ?? [:])
            return id
        }
        guard let id else { return nil }
        return try await message(id: id)
    }

    public func recoverSecure(now: Date) async throws -> Int {
        try await write { tx in
            let t = now.timeIntervalSince1970
            // Only the engine lease's holder seals, and it calls this when it takes the lease: every
            // `sealing` row was left by a holder that is gone. Frames enqueued while sealing recorded
            // the engine id: those messages are in the engine.
            let rows = try await tx.rows("""
                SELECT seq, id, secure_id FROM messages WHERE secure_role = 'message' AND secure_state = 'sealing' FOR UPDATE
                """)
            var unknown = 0
            for r in rows {
                let seq: Int64 = try r["seq"], id: String = try r["id"]
                if (try r["secure_id"] as Int64?) != nil {
                    try await tx.exec("UPDATE messages SET secure_state = 'sealed' WHERE seq = ?", [seq])
                    try await Self.markSecureSent(tx, id: id, now: now)
                } else {
                    try await tx.exec("""
                        UPDATE messages SET status = 'unknown', secure_state = 'done', updated_at = ?, error_code = 'unconfirmed',
                            error_detail = 'the gateway stopped while the secure engine was sealing this message: the peer may receive it'
                        WHERE seq = ?
                        """, [t, seq])
                    try await Self.event(tx, id, "message.unknown", now)
                    unknown += 1
                }
            }
            return unknown
        }
    }

    public func enqueueFrame(to: String, bytes: [UInt8], port: Int, secureID: UInt64?, sealing: String?,
                             now: Date) async throws -> String {
        try await write { tx in
            let id = GatewayID.make("frm", at: now)
            let t = now.timeIntervalSince1970
            let key = MessageStatusRule.recipientKey(to)
            let seq: Int64 = try await tx.scalar("""
                INSERT INTO messages (id, status, recipient, recipient_key, body_kind, body, ports_dst, ports_src, segments, encoding,
                    report, priority, guarantee, created_at, updated_at, available_at, secure_role, secure_id)
                VALUES (?, 'queued', ?, ?, 'data', ?, ?, ?, 1, '8bit', FALSE, 5, 'at_most_once', ?, ?, ?, 'frame', ?) RETURNING seq
                """, [id, to, key, Hex.encode(bytes), port, port, t, t, t, secureID.map { Int64(bitPattern: $0) }]) ?? 0
            try await tx.exec("INSERT INTO parts (message_seq, seq, status, recipient_key) VALUES (?, 1, 'pending', ?)", [seq, key])
            if let sealing, let secureID {
                // The first frame of the message being sealed: the engine id is durable before any frame can go out.
                try await tx.exec("""
                    UPDATE messages SET secure_id = ? WHERE id = ? AND secure_role = 'message' AND secure_id IS NULL
                    """, [Int64(bitPattern: secureID), sealing])
            }
            tx.notes.insert(.send)
            return id
        }
    }

    // MARK: Inbox

    public func insertSecureInbox(_ r: SecureInboxRecord, now: Date) async throws -> InboxMessage? {
        try await write { tx in
            let present: Int = try await tx.scalar("""
                SELECT COUNT(*) FROM inbox WHERE secure_key = ? AND secure_session = ? AND secure_sequence = ?
                """, [r.publicKey, Int64(bitPattern: r.session), Int64(r.sequence)]) ?? 0
            if present > 0 { return nil }
            let t = now.timeIntervalSince1970
            // Every inbox row has its group: a secure message gets one of state 'secure' (no parts).
            let group: Int64 = try await tx.scalar("""
                INSERT INTO inbound_groups (modem, sender, reference, total, state, started_at, updated_at)
                VALUES (?, ?, NULL, 1, 'secure', ?, ?) RETURNING id
                """, [r.modem, r.from, t, t]) ?? 0
            let id = GatewayID.make("in", at: now)
            // One global order across hosts: the cursor is taken under the inbox lock, held to commit.
            try await tx.lock("inbox")
            guard let row = try await tx.one("""
                INSERT INTO inbox (id, group_id, modem, to_number, sender, text, data_hex, parts, received_parts, complete, received_at,
                    secure_peer, secure_key, secure_session, secure_sequence, secure_verified, secure_replay_protected, secure_customer)
                VALUES (?, ?, ?, ?, ?, ?, ?, 1, '1', TRUE, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """, [id, group, r.modem, r.to, r.from, r.text, r.dataHex, t, r.peer?.id, r.publicKey,
                      Int64(bitPattern: r.session), Int64(r.sequence), r.verified, r.replayProtected, r.customerID]) else { return nil }
            let message = try Self.inboxMessage(row)
            try await Self.event(tx, nil, "message.received", now, ["inbox": id, "cursor": "\(message.cursor)"])
            tx.notes.insert(.inbox)
            return message
        }
    }

    // MARK: The secure engine's lease

    /// Takes the secure engine's lease for this process: a new epoch (always the previous + 1, even
    /// when this process held it before, so an engine it ran earlier can never write again), or nil
    /// while another live process holds it. An expired lease is taken over, and so is one this node's
    /// previous run left (this process holds the node name, so that run is gone). Renewing is
    /// ``renewSecureEngine(epoch:)``.
    /// Every write of the engine's state checks the epoch (``PostgresSecureStateStore``), so a
    /// holder that lost the lease can no longer change the state.
    public func takeSecureEngine(now: Date) async throws -> Int64? {
        do {
            return try await takeSecureEngineOnce(now: now)
        } catch where "\(error)".contains("55P03") {
            return nil  // a write of the holder's holds the row: it is alive (or its session is stuck); look again later
        }
    }

    private func takeSecureEngineOnce(now: Date) async throws -> Int64? {
        try await write { tx in
            // A holder cut off mid-write keeps the row share-locked until its session dies: do not queue behind it.
            try await tx.exec("SET LOCAL lock_timeout = '2s'")
            let row = try await tx.one("""
                INSERT INTO secure_engine AS e (id, holder, node, epoch, acquired_at, heartbeat_at, expires_at)
                VALUES (1, ?, ?, 1, \(PGSQL.dbNow), \(PGSQL.dbNow), \(PGSQL.dbNow) + ?)
                ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, node = EXCLUDED.node,
                    epoch = e.epoch + 1, acquired_at = EXCLUDED.acquired_at, heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at
                WHERE e.holder = EXCLUDED.holder OR e.node = EXCLUDED.node OR e.expires_at < \(PGSQL.dbNow)
                RETURNING epoch
                """, [self.holder, self.node, self.leaseSeconds])
            guard let row else { return nil }
            let epoch: Int64 = try row["epoch"]
            try await Self.event(tx, nil, "secure.engine", now, ["holder": self.holder, "epoch": "\(epoch)"])
            return epoch
        }
    }

    /// Renews the engine lease held at `epoch`; false when it was lost (taken over after it lapsed).
    public func renewSecureEngine(epoch: Int64) async throws -> Bool {
        try await write { tx in
            !(try await tx.rows("""
                UPDATE secure_engine SET heartbeat_at = \(PGSQL.dbNow), expires_at = \(PGSQL.dbNow) + ?
                WHERE id = 1 AND holder = ? AND epoch = ? RETURNING epoch
                """, [self.leaseSeconds, self.holder, epoch])).isEmpty
        }
    }

    /// Gives the engine lease up (graceful stop), so another host takes the engine at once.
    public func releaseSecureEngine(epoch: Int64) async throws {
        try await write { tx in
            try await tx.exec("UPDATE secure_engine SET expires_at = 0 WHERE id = 1 AND holder = ? AND epoch = ?", [self.holder, epoch])
            tx.notes.insert(.secure)
        }
    }

    /// Who holds the engine lease now (operations, tests): node, holder, epoch, seconds left.
    public func secureEngineHolder() async throws -> (node: String, holder: String, epoch: Int64, expiresIn: Double)? {
        try await read { tx in
            guard let r = try await tx.one("SELECT node, holder, epoch, expires_at - \(PGSQL.dbNow) AS left FROM secure_engine WHERE id = 1")
            else { return nil }
            return (try r["node"], try r["holder"], try r["epoch"], try r["left"])
        }
    }

    /// Fails unless this process holds the engine lease at `epoch`; the lease row stays share-locked
    /// to commit, so a takeover waits for this transaction and a stale holder's write never lands.
    static func fence(_ tx: PGTx, holder: String, epoch: Int64) async throws {
        guard try await tx.one("""
            SELECT 1 FROM secure_engine WHERE id = 1 AND holder = ? AND epoch = ? AND expires_at > \(PGSQL.dbNow) FOR SHARE
            """, [holder, epoch]) != nil else {
            throw GatewayError.storeUnavailable(
                "this gateway no longer holds the secure engine's lease (epoch \(epoch)): another host runs the engine now")
        }
    }

    // MARK: Frames waiting for the engine

    /// A frame one of this host's modems received, committed for the engine (whichever host runs it).
    public func enqueueInboundFrame(_ bytes: [UInt8], from sender: String, modem: String, modemNumber: String?,
                                    now: Date) async throws {
        try await write { tx in
            try await tx.exec("""
                INSERT INTO secure_inbound_frames (sender, modem, modem_number, bytes, received_at) VALUES (?, ?, ?, ?, ?)
                """, [sender, modem, modemNumber, Data(bytes), now.timeIntervalSince1970])
            tx.notes.insert(.secure)
        }
    }

    /// The oldest frames waiting for the engine, in arrival order.
    public func inboundFrames(limit: Int) async throws -> [InboundFrame] {
        try await read { tx in
            try await tx.rows("""
                SELECT id, sender, modem, modem_number, bytes FROM secure_inbound_frames ORDER BY id LIMIT ?
                """, [max(1, limit)]).map { r in
                InboundFrame(id: try r["id"], sender: try r["sender"], modem: try r["modem"], modemNumber: try r["modem_number"],
                             bytes: [UInt8]((try r.get("bytes", as: ByteBuffer.self)).readableBytesView))
            }
        }
    }

    /// Removes a frame the engine took (its effect is committed in the engine's state).
    public func deleteInboundFrame(id: Int64) async throws {
        try await write { tx in try await tx.exec("DELETE FROM secure_inbound_frames WHERE id = ?", [id]) }
    }
}

/// A frame waiting in the shared database for the secure engine.
public struct InboundFrame: Sendable, Equatable {
    public var id: Int64
    public var sender: String
    public var modem: String
    public var modemNumber: String?
    public var bytes: [UInt8]
}
