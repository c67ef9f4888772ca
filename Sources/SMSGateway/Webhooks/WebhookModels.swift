import Foundation

/// The event types a webhook can subscribe to.
public enum WebhookEventType: String, Sendable, Codable, CaseIterable, Hashable {
    /// An outbound message changed status; `data` is the ``MessageResource`` as of that change.
    case messageStatus = "message.status"
    /// A message arrived in the inbox; `data` is the ``InboxMessage``.
    case messageReceived = "message.received"
}

/// How an outbox receiver is called.
public enum WebhookKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// A registered webhook: signed JSON `POST` of `{id, type, created_at, data}`.
    case webhook
    /// A Kannel `sms-service` with `get-url`: a `GET` of the URL with its escapes expanded.
    case kannelGet = "kannel_get"
    /// A Kannel `sms-service` with `post-url`: the text `POST`ed to the expanded URL, with `X-Kannel-*` headers.
    case kannelPost = "kannel_post"
    /// The gateway's own key for per-message callbacks (`status_callback`, Kannel `dlr-url`); never listed.
    case callbacks
}

/// A webhook as `GET /v1/webhooks` shows it (never its secret).
public struct WebhookResource: Sendable, Codable, Equatable {
    public var id: String
    public var kind: WebhookKind
    public var url: String
    public var events: [WebhookEventType]
    public var createdAt: Date

    enum CodingKeys: String, CodingKey { case id, kind, url, events, createdAt = "created_at" }

    public init(id: String, kind: WebhookKind, url: String, events: [WebhookEventType], createdAt: Date) {
        self.id = id; self.kind = kind; self.url = url; self.events = events; self.createdAt = createdAt
    }
}

/// A webhook to store: its signing secret arrives sealed (``SecretBox``), so the store never holds it in clear.
public struct NewWebhook: Sendable, Equatable {
    public var id: String
    public var kind: WebhookKind
    /// The URL (for Kannel services: the pattern with `%` escapes).
    public var url: String
    public var events: [WebhookEventType]
    /// The signing secret sealed with the gateway's secret key.
    public var sealedSecret: [UInt8]
    public init(id: String, kind: WebhookKind, url: String, events: [WebhookEventType], sealedSecret: [UInt8]) {
        self.id = id; self.kind = kind; self.url = url; self.events = events; self.sealedSecret = sealedSecret
    }
}

/// A per-message callback, stored with the message in the transaction that accepts it.
public struct MessageCallback: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// `status_callback` of `POST /v1/messages`: every status change as a signed webhook event.
        case status
        /// Kannel `dlr-url` with `dlr-mask`: a `GET` of the expanded URL per the mask bits.
        case kannelDLR = "kannel_dlr"
    }
    public var kind: Kind
    public var url: String
    /// Kannel's dlr-mask bits (``KannelDLR``); 0 for `status`.
    public var dlrMask: Int
    /// Values the Kannel escapes need later (`%n` user, `%P` from, `%c` coding, `%C` charset…).
    public var context: [String: String]
    public init(kind: Kind, url: String, dlrMask: Int = 0, context: [String: String] = [:]) {
        self.kind = kind; self.url = url; self.dlrMask = dlrMask; self.context = context
    }
}

/// One pending delivery, as the dispatcher takes it from the outbox.
public struct OutboxDelivery: Sendable, Equatable {
    public var id: Int64
    /// The event's stable id (`evt_…`): the same on every attempt.
    public var eventID: String
    public var eventType: String
    /// Who receives it: a webhook id, or `cb:<scheme://host:port>` for per-message callbacks.
    /// Deliveries to one receiver share its concurrency bound.
    public var receiver: String
    /// The webhook whose secret signs it.
    public var webhookID: String
    public var method: String
    public var url: String
    public var body: String?
    public var contentType: String?
    /// Extra headers (Kannel's `X-Kannel-*`).
    public var headers: [String: String]
    public var attempts: Int
    public var createdAt: Date
    /// The signing secret, still sealed.
    public var sealedSecret: [UInt8]
}

/// How one delivery attempt went.
public struct DeliveryAttemptResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// 2xx: delivered, never sent again.
        case delivered
        /// Failed: try again at `next`.
        case retry(next: Date)
        /// Failed and older than the give-up age: stop.
        case gaveUp
    }
    public var deliveryID: Int64
    public var outcome: Outcome
    /// The HTTP status, nil when no response came (timeout, refused, reset).
    public var statusCode: Int?
    public var error: String?
    public var duration: Double
    public init(deliveryID: Int64, outcome: Outcome, statusCode: Int?, error: String?, duration: Double) {
        self.deliveryID = deliveryID; self.outcome = outcome; self.statusCode = statusCode; self.error = error
        self.duration = duration
    }
}

/// One attempt as `GET /v1/webhooks/{id}/deliveries` shows it.
public struct WebhookAttempt: Sendable, Codable, Equatable {
    public var eventID: String
    public var eventType: String
    public var attempt: Int
    public var at: Date
    public var statusCode: Int?
    public var error: String?
    public var durationMs: Int
    /// The delivery's state now: `pending`, `delivered` or `failed`.
    public var state: String
    enum CodingKeys: String, CodingKey {
        case attempt, at, error, state
        case eventID = "event_id", eventType = "event_type", statusCode = "status_code", durationMs = "duration_ms"
    }
    public init(eventID: String, eventType: String, attempt: Int, at: Date, statusCode: Int?, error: String?,
                durationMs: Int, state: String) {
        self.eventID = eventID; self.eventType = eventType; self.attempt = attempt; self.at = at
        self.statusCode = statusCode; self.error = error; self.durationMs = durationMs; self.state = state
    }
}
