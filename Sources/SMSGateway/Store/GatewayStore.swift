import Foundation

/// The gateway's durable state behind one interface: SQLite (``SQLiteStore``) by default, PostgreSQL
/// for many hosts. Every method that changes state is **one transaction** that also records its
/// event; when it returns, the change is committed (fsynced under the default durability), so a
/// caller may then tell the outside world ("202 Accepted", `AT+CMGD`, a webhook).
///
/// Callers are the HTTP API (accept, read, cancel, inbox), the per-modem send workers (claim,
/// part outcomes), and the inbound path (parts, status reports). Implementations are safe to call
/// concurrently; they may group concurrent calls into one commit.
public protocol GatewayStore: Sendable {
    // MARK: API

    /// Stores a validated message and its parts (`pending`). With `idempotency`, a repeat with the
    /// same key and digest returns the first message (``Accepted/replayed(_:)``) and stores nothing.
    /// - Throws: ``GatewayError/idempotencyConflict(key:)`` when the key came with another body.
    func accept(_ message: NewMessage, idempotency: IdempotencyKey?, now: Date) async throws -> Accepted
    /// One message with its parts.
    func message(id: String) async throws -> MessageResource?
    /// Messages in id (creation) order after `after`, optionally of one status.
    func messages(status: MessageStatus?, after: String?, limit: Int) async throws -> [MessageResource]
    /// Cancels a `queued`/`scheduled` message none of whose parts was written.
    /// - Throws: ``GatewayError/notFound(kind:id:)``, ``GatewayError/notCancelable(id:status:)``.
    func cancel(id: String, now: Date) async throws -> MessageResource
    /// Inbox messages with a cursor greater than `after`, in cursor order.
    func inbox(after: Int64, limit: Int) async throws -> [InboxMessage]
    /// The highest inbox cursor (0 when empty).
    func lastInboxCursor() async throws -> Int64

    // MARK: Sending

    /// Run once at start-up, before any claim: parts left `sending` by a crash become `unknown`
    /// (then, for `at_least_once` messages, `pending` again), and messages left `sending` are queued again.
    func recover(now: Date) async throws -> RecoverySummary
    /// Takes the next message this modem may send (unpinned, or pinned to it; due; not expired; the
    /// oldest unfinished message to its recipient; highest priority first), marks it `sending` on
    /// `modem`, and gives it its concatenation reference. Nil when there is none.
    func claim(modem: ModemClaim, now: Date) async throws -> ClaimedMessage?
    /// Marks a part `sending`: call **before** writing it to the modem.
    func partSending(messageID: String, seq: Int, modem: String, now: Date) async throws
    /// Records the `+CMGS` result of a part.
    func partSent(messageID: String, seq: Int, reference: Int, now: Date) async throws
    /// Records a part written without a result (unplug or timeout after the PDU): `unknown`, or
    /// `pending` again for `at_least_once`.
    func partUnconfirmed(messageID: String, seq: Int, detail: String, now: Date) async throws
    /// Ends a claim: `.done` when every part was tried (the message becomes sent/unknown/…),
    /// `.retry` to queue it again after `at` (parts not sent go back to `pending`; when no part was
    /// sent it may move to another modem, else it stays on this one), `.fail` to fail it for good.
    func finishAttempt(messageID: String, outcome: AttemptOutcome, now: Date) async throws -> MessageResource
    /// Marks queued messages whose validity passed as `expired`; returns how many.
    func expire(now: Date) async throws -> Int
    /// The earliest time a queued or scheduled message becomes due (nil: none waiting).
    func nextDue(now: Date) async throws -> Date?
    /// Parts sent through `modem` since `since` (for the daily cap).
    func partsSent(modem: String, since: Date) async throws -> Int
    /// Queued messages pinned to `modem`.
    func queuedPinned(modem: String, number: String?) async throws -> Int

    // MARK: Inbound

    /// Stores one received part and reassembles from the store: a new inbox message when it
    /// completes one. Duplicates (the same part again, a whole message again) are recognised here.
    func receive(_ part: InboundPartRecord, now: Date) async throws -> InboundOutcome
    /// Matches a status report to the part with this (modem, TP-MR, recipient) sent most recently.
    /// Returns the message when one matched.
    func applyStatusReport(_ report: StatusReportRecord, now: Date) async throws -> MessageResource?
    /// Surfaces groups still incomplete since before `before` as `complete: false` inbox messages.
    func expireIncomplete(before: Date, now: Date) async throws -> [InboxMessage]
    /// The earliest time an open group started (nil: none open), so the sweeper can sleep until then.
    func oldestOpenGroup() async throws -> Date?

    // MARK: Modems and tokens

    /// Records what the gateway knows of a modem (identity, number, port).
    func upsertModem(_ modem: ModemRecord, now: Date) async throws
    /// Stores a token's digest under a unique name; returns its id.
    func createToken(name: String, digest: [UInt8], now: Date) async throws -> TokenRecord
    /// All live tokens (never the secret).
    func tokens() async throws -> [TokenRecord]
    /// Revokes by name or id; false when none matched.
    func revokeToken(_ nameOrID: String, now: Date) async throws -> Bool
    /// The live token with this digest.
    func token(digest: [UInt8]) async throws -> TokenRecord?
}

/// What ``GatewayStore/accept(_:idempotency:now:)`` did.
public enum Accepted: Sendable, Equatable {
    /// Stored now.
    case created(MessageResource)
    /// The same Idempotency-Key and body came before: that message, nothing stored.
    case replayed(MessageResource)

    /// The message either way.
    public var message: MessageResource {
        switch self { case .created(let m), .replayed(let m): return m }
    }
}

/// What recovery after a restart found.
public struct RecoverySummary: Sendable, Equatable {
    /// Parts that were `sending`: now `unknown` (at most once).
    public var unknownParts: Int
    /// Parts that were `sending` and will be sent again (at least once).
    public var resentParts: Int
    /// Messages that were claimed and went back to the queue.
    public var requeued: Int
    public init(unknownParts: Int = 0, resentParts: Int = 0, requeued: Int = 0) {
        self.unknownParts = unknownParts; self.resentParts = resentParts; self.requeued = requeued
    }
}

/// A send worker's identity for ``GatewayStore/claim(modem:now:)``.
public struct ModemClaim: Sendable, Equatable {
    /// The modem id (IMEI…).
    public var id: String
    /// Its number, if known: messages pinned with `from` match the id or the number.
    public var number: String?
    public init(id: String, number: String?) { self.id = id; self.number = number }
}

/// A claimed message: what a worker needs to encode and send it.
public struct ClaimedMessage: Sendable, Equatable {
    public var id: String
    public var to: String
    public var content: NewMessage.Content
    public var ports: Ports?
    public var report: Bool
    /// Seconds of validity left (nil: SMSC default).
    public var validityLeft: Int?
    /// The 8-bit concatenation reference (fixed once given, so a resent part matches the others).
    public var reference: Int
    /// Parts to send now (`pending`), in order. Parts already sent are not listed.
    public var pendingParts: [Int]
    public var segments: Int
    public var attempts: Int
    public var guarantee: DeliveryGuarantee
    /// Whether a part already went out on this modem (then a retry must stay on it).
    public var partiallySent: Bool
}

/// How a send attempt ended (``GatewayStore/finishAttempt(messageID:outcome:now:)``).
public enum AttemptOutcome: Sendable, Equatable {
    /// Every pending part was written (sent, or unconfirmed).
    case done
    /// A transient error: queue again at `at`; `avoid` is the modem that failed (when another may take it).
    case retry(at: Date, avoid: String?, error: MessageError)
    /// A permanent error: fail the message (parts not sent become `failed`).
    case fail(MessageError)
}

/// One received part, as committed before its SIM slot is deleted.
public struct InboundPartRecord: Sendable, Equatable {
    public var modem: String
    /// The number of the modem it arrived on.
    public var modemNumber: String?
    public var sender: String
    /// The TPDU hex (SMSC field skipped): decoded again at reassembly.
    public var tpduHex: String
    public var reference: Int?
    public var total: Int
    public var sequence: Int
    public var timestamp: Date?
    public init(modem: String, modemNumber: String?, sender: String, tpduHex: String, reference: Int?, total: Int,
                sequence: Int, timestamp: Date?) {
        self.modem = modem; self.modemNumber = modemNumber; self.sender = sender; self.tpduHex = tpduHex
        self.reference = reference; self.total = total; self.sequence = sequence; self.timestamp = timestamp
    }
}

/// What ``GatewayStore/receive(_:now:)`` did.
public enum InboundOutcome: Sendable, Equatable {
    /// Stored; `completed` is the inbox message when this part completed one.
    case stored(completed: InboxMessage?, displaced: InboxMessage?)
    /// A duplicate of something already stored: nothing new (delete the slot all the same).
    case duplicate
}

/// One received status report.
public struct StatusReportRecord: Sendable, Equatable {
    public var modem: String
    public var reference: Int
    public var recipient: String
    public var tpStatus: Int
    public var dischargeTime: Date?
    public init(modem: String, reference: Int, recipient: String, tpStatus: Int, dischargeTime: Date?) {
        self.modem = modem; self.reference = reference; self.recipient = recipient; self.tpStatus = tpStatus
        self.dischargeTime = dischargeTime
    }
}

/// What the store keeps of a modem.
public struct ModemRecord: Sendable, Equatable {
    public var id: String
    public var port: String
    public var number: String?
    public var imei: String?
    public var iccid: String?
    public var manufacturer: String?
    public var model: String?
    public init(id: String, port: String, number: String? = nil, imei: String? = nil, iccid: String? = nil,
                manufacturer: String? = nil, model: String? = nil) {
        self.id = id; self.port = port; self.number = number; self.imei = imei; self.iccid = iccid
        self.manufacturer = manufacturer; self.model = model
    }
}

/// An API token, without its secret.
public struct TokenRecord: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var createdAt: Date
    enum CodingKeys: String, CodingKey { case id, name, createdAt = "created_at" }
    public init(id: String, name: String, createdAt: Date) { self.id = id; self.name = name; self.createdAt = createdAt }
}
