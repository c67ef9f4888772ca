import Foundation

/// One committed message transition, read back from the store's `events` log for the metrics.
///
/// The store writes an event in the transaction of every state change, so the log is the single
/// place that knows each transition exactly once, whichever caller (API, send worker, status
/// report, sweeper, recovery) caused it.
public struct MessageTransition: Sendable, Equatable {
    /// The event's id in the log (increasing in commit order on SQLite).
    public var eventID: Int64
    /// The state entered (`message.<state>` events), or nil for an inbound message (`message.received`).
    public var state: MessageStatus?
    /// The modem the message is on: the claiming modem for `sending`, the message's modem for the
    /// states after it; nil for states before a modem (queued, scheduled, canceled, expired).
    public var modem: String?
    /// When the message was accepted, or became due when it was scheduled.
    public var acceptedAt: Date?
    /// When it was first settled as sent (`sent_at`): set by the transition into the first of
    /// `sent`, `delivered`, `undelivered` or `unknown` (a fast status report can skip `sent`).
    public var sentAt: Date?
    /// Whether this is the transition that set ``sentAt`` (the send latency is observed on it).
    public var setsSentAt: Bool
    /// When every part was delivered (`delivered_at`).
    public var deliveredAt: Date?

    /// Creates a transition.
    public init(eventID: Int64, state: MessageStatus?, modem: String?, acceptedAt: Date? = nil, sentAt: Date? = nil,
                setsSentAt: Bool = false, deliveredAt: Date? = nil) {
        self.eventID = eventID; self.state = state; self.modem = modem; self.acceptedAt = acceptedAt
        self.sentAt = sentAt; self.setsSentAt = setsSentAt; self.deliveredAt = deliveredAt
    }
}

/// A store the metrics can read: its transition log and its queue. Both backends implement it.
public protocol MetricsSource: Sendable {
    /// The id of the newest event (0 when the log is empty): transitions after it are counted.
    func lastEventID() async throws -> Int64
    /// Message transitions (and inbound messages) with an event id greater than `after`, in id order,
    /// at most `limit`.
    func transitions(after: Int64, limit: Int) async throws -> [MessageTransition]
    /// Messages waiting or in flight by state (`scheduled`, `queued`, `sending`).
    func queueDepth() async throws -> [MessageStatus: Int]
}

extension MessageTransition {
    /// Reads a transition from an event's type and data and its message's columns.
    /// `at` is the event's time: the store writes `sent_at` and the event of the transition that
    /// sets it from the same `now`, so equal values mark that transition.
    static func make(eventID: Int64, type: String, data: String, at: Double, messageModem: String?, createdAt: Double?,
                     sendAt: Double?, sentAt: Double?, deliveredAt: Double?) -> MessageTransition? {
        guard type.hasPrefix("message.") else { return nil }
        let name = type.dropFirst("message.".count)
        if name == "received" { return MessageTransition(eventID: eventID, state: nil, modem: nil) }
        guard let state = MessageStatus(rawValue: String(name)) else { return nil }
        let modem: String?
        switch state {
        case .sending:
            let fields = (try? JSONDecoder().decode([String: String].self, from: Data(data.utf8))) ?? [:]
            modem = fields["modem"] ?? messageModem
        case .sent, .delivered, .undelivered, .unknown, .failed: modem = messageModem
        case .queued, .scheduled, .canceled, .expired: modem = nil
        }
        let accepted = createdAt.map { max($0, sendAt ?? $0) }.map(Date.init(timeIntervalSince1970:))
        let settlesSent = [.sent, .delivered, .undelivered, .unknown].contains(state) && sentAt == at
        return MessageTransition(eventID: eventID, state: state, modem: modem, acceptedAt: accepted,
                                 sentAt: sentAt.map(Date.init(timeIntervalSince1970:)), setsSentAt: settlesSent,
                                 deliveredAt: deliveredAt.map(Date.init(timeIntervalSince1970:)))
    }

    /// The SQL both backends use (the `events` log joined to its message).
    static let query = """
        SELECT e.id AS id, e.type AS type, e.data AS data, e.created_at AS at, m.modem AS modem, m.created_at AS created_at,
               m.send_at AS send_at, m.sent_at AS sent_at, m.delivered_at AS delivered_at
        FROM events e LEFT JOIN messages m ON m.id = e.message_id
        WHERE e.id > ? AND e.type LIKE 'message.%' ORDER BY e.id LIMIT ?
        """
}
