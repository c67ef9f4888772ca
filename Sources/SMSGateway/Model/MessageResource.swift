import Foundation

/// An outbound message as the API returns it (`GET /v1/messages/{id}`, webhooks, `smskit --json`).
public struct MessageResource: Sendable, Codable, Equatable {
    public var id: String
    public var status: MessageStatus
    public var to: String
    /// The number of the modem it went out on; before that, the `from` the request pinned (if any).
    public var from: String?
    /// The id (IMEI) of the modem it went out on.
    public var modem: String?
    public var text: String?
    public var dataHex: String?
    public var ports: Ports?
    public var segments: Int
    /// `gsm7`, `ucs2` or `8bit`.
    public var encoding: String
    public var report: Bool
    public var priority: Int
    public var guarantee: DeliveryGuarantee
    /// Validity in seconds from creation.
    public var validity: Int?
    public var parts: [PartResource]
    public var error: MessageError?
    public var attempts: Int
    public var metadata: [String: String]
    public var createdAt: Date
    public var updatedAt: Date
    public var sendAt: Date?
    public var sentAt: Date?
    public var deliveredAt: Date?
    public var expiresAt: Date?
    /// Set for a message sealed for a secure peer (`"secure": {"peer": …}`); its status then comes
    /// from the SecureSMS protocol acknowledgement, not from SMS status reports.
    public var secure: SecureMessageInfo? = nil

    enum CodingKeys: String, CodingKey {
        case id, status, to, from, modem, text, ports, segments, encoding, report, priority, guarantee, validity
        case parts, error, attempts, metadata, secure
        case dataHex = "data_hex", createdAt = "created_at", updatedAt = "updated_at", sendAt = "send_at"
        case sentAt = "sent_at", deliveredAt = "delivered_at", expiresAt = "expires_at"
    }

    /// Creates a resource (the store builds these).
    public init(id: String, status: MessageStatus, to: String, from: String? = nil, modem: String? = nil,
                text: String? = nil, dataHex: String? = nil, ports: Ports? = nil, segments: Int, encoding: String,
                report: Bool, priority: Int = 0, guarantee: DeliveryGuarantee = .atMostOnce, validity: Int? = nil,
                parts: [PartResource] = [], error: MessageError? = nil, attempts: Int = 0, metadata: [String: String] = [:],
                createdAt: Date, updatedAt: Date, sendAt: Date? = nil, sentAt: Date? = nil, deliveredAt: Date? = nil,
                expiresAt: Date? = nil, secure: SecureMessageInfo? = nil) {
        self.secure = secure
        self.id = id; self.status = status; self.to = to; self.from = from; self.modem = modem
        self.text = text; self.dataHex = dataHex; self.ports = ports; self.segments = segments; self.encoding = encoding
        self.report = report; self.priority = priority; self.guarantee = guarantee; self.validity = validity
        self.parts = parts; self.error = error; self.attempts = attempts; self.metadata = metadata
        self.createdAt = createdAt; self.updatedAt = updatedAt; self.sendAt = sendAt; self.sentAt = sentAt
        self.deliveredAt = deliveredAt; self.expiresAt = expiresAt
    }
}

/// One segment of an outbound message.
public struct PartResource: Sendable, Codable, Equatable {
    /// 1-based position.
    public var seq: Int
    public var status: PartStatus
    /// The modem (IMEI) it was written to.
    public var modem: String?
    /// TP-MR the modem gave it (0…255); status reports are matched by (modem, reference, recipient).
    public var reference: Int?
    /// TP-ST of the final status report.
    public var tpStatus: Int?
    public var error: String?
    public var sentAt: Date?
    public var deliveredAt: Date?

    enum CodingKeys: String, CodingKey {
        case seq, status, modem, reference, error
        case tpStatus = "tp_status", sentAt = "sent_at", deliveredAt = "delivered_at"
    }

    public init(seq: Int, status: PartStatus, modem: String? = nil, reference: Int? = nil, tpStatus: Int? = nil,
                error: String? = nil, sentAt: Date? = nil, deliveredAt: Date? = nil) {
        self.seq = seq; self.status = status; self.modem = modem; self.reference = reference
        self.tpStatus = tpStatus; self.error = error; self.sentAt = sentAt; self.deliveredAt = deliveredAt
    }
}

/// Application port addressing (TS 23.040 §9.2.3.24.4).
public struct Ports: Sendable, Codable, Equatable {
    public var dst: Int
    public var src: Int
    public init(dst: Int, src: Int) { self.dst = dst; self.src = src }
}

/// Why a message failed or became unknown: a stable code and a sentence.
public struct MessageError: Sendable, Codable, Equatable {
    /// `smsc_rejected`, `invalid_recipient`, `retries_exhausted`, `expired`, `unconfirmed`, `modem_gone`, …
    public var code: String
    public var detail: String
    public init(code: String, detail: String) { self.code = code; self.detail = detail }
}
