import Foundation
import SMSPDU

/// The body of `POST /v1/messages`, as decoded; ``validate(limits:now:)`` turns it into a ``NewMessage``.
public struct SendMessageRequest: Sendable, Codable, Equatable {
    /// The recipient (required, except with ``secure``: then the peer's enrolled number is used).
    public var to: String?
    public var text: String?
    public var dataHex: String?
    public var ports: Ports?
    public var from: String?
    public var report: Bool?
    public var validity: Int?
    public var sendAt: Date?
    public var priority: Int?
    public var metadata: [String: String]?
    public var guarantee: DeliveryGuarantee?
    /// A URL that receives every status change of this message as a signed `message.status` event.
    public var statusCallback: String?
    /// Seal the message for an enrolled SecureSMS peer (gateways started with `--identity`).
    public var secure: SecureTarget?

    enum CodingKeys: String, CodingKey {
        case to, text, ports, from, report, validity, priority, metadata, guarantee, secure
        case dataHex = "data_hex", sendAt = "send_at", statusCallback = "status_callback"
    }

    public init(to: String?, text: String? = nil, dataHex: String? = nil, ports: Ports? = nil, from: String? = nil,
                report: Bool? = nil, validity: Int? = nil, sendAt: Date? = nil, priority: Int? = nil,
                metadata: [String: String]? = nil, guarantee: DeliveryGuarantee? = nil, statusCallback: String? = nil,
                secure: SecureTarget? = nil) {
        self.secure = secure
        self.to = to; self.text = text; self.dataHex = dataHex; self.ports = ports; self.from = from
        self.report = report; self.validity = validity; self.sendAt = sendAt; self.priority = priority
        self.metadata = metadata; self.guarantee = guarantee; self.statusCallback = statusCallback
    }

    /// Decodes the body; `to` may be absent (with ``secure``) but never `null` (400, as any other wrong type).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        to = c.contains(.to) ? try c.decode(String.self, forKey: .to) : nil
        text = try c.decodeIfPresent(String.self, forKey: .text)
        dataHex = try c.decodeIfPresent(String.self, forKey: .dataHex)
        ports = try c.decodeIfPresent(Ports.self, forKey: .ports)
        from = try c.decodeIfPresent(String.self, forKey: .from)
        report = try c.decodeIfPresent(Bool.self, forKey: .report)
        validity = try c.decodeIfPresent(Int.self, forKey: .validity)
        sendAt = try c.decodeIfPresent(Date.self, forKey: .sendAt)
        priority = try c.decodeIfPresent(Int.self, forKey: .priority)
        metadata = try c.decodeIfPresent([String: String].self, forKey: .metadata)
        guarantee = try c.decodeIfPresent(DeliveryGuarantee.self, forKey: .guarantee)
        statusCallback = try c.decodeIfPresent(String.self, forKey: .statusCallback)
        secure = try c.decodeIfPresent(SecureTarget.self, forKey: .secure)
    }

    /// Limits applied by ``validate(limits:now:)``.
    public struct Limits: Sendable, Equatable {
        /// Most segments one message may take (413 above).
        public var maxSegments: Int
        public init(maxSegments: Int = 10) { self.maxSegments = maxSegments }
    }

    /// Checks `priority` and `metadata`, and returns the status callback if one is given (plain and
    /// secure messages alike).
    func validatedExtras() throws(GatewayError) -> MessageCallback? {
        if let priority, !(0...9).contains(priority) { throw .invalidField(field: "priority", detail: "must be 0 … 9 (9 first)") }
        if let metadata {
            guard metadata.count <= 32 else { throw .invalidField(field: "metadata", detail: "at most 32 keys") }
            for (k, v) in metadata where k.isEmpty || k.utf8.count > 64 || v.utf8.count > 512 {
                throw .invalidField(field: "metadata", detail: "keys 1–64 bytes, values at most 512 bytes")
            }
        }
        guard let statusCallback else { return nil }
        return MessageCallback(kind: .status, url: try WebhookURL.validate(statusCallback, field: "status_callback"))
    }

    /// The body: `text` xor `data_hex`, neither empty (plain and secure messages alike).
    func validatedContent() throws(GatewayError) -> NewMessage.Content {
        switch (text, dataHex) {
        case (let t?, nil):
            guard !t.isEmpty else { throw .invalidField(field: "text", detail: "must not be empty") }
            return .text(t)
        case (nil, let h?):
            guard !h.isEmpty, let bytes = try? Hex.decode(h) else {
                throw .invalidField(field: "data_hex", detail: "must be a non-empty even-length hex string")
            }
            return .data(bytes)
        case (nil, nil): throw .invalidField(field: "text", detail: "give text or data_hex")
        default: throw .invalidField(field: "data_hex", detail: "give text or data_hex, not both")
        }
    }

    /// Checks every field and plans the segments.
    /// - Throws: ``GatewayError/invalidField(field:detail:)`` or ``GatewayError/messageTooLong(segments:limit:)``.
    public func validate(limits: Limits, now: Date = Date()) throws(GatewayError) -> NewMessage {
        guard let to else { throw .invalidField(field: "to", detail: "is required") }
        let recipient = try Self.normalizeNumber(to, field: "to")
        let content = try validatedContent()
        var portAddressing: PortAddressing?
        if let ports {
            guard (0...0xFFFF).contains(ports.dst) else { throw .invalidField(field: "ports.dst", detail: "must be 0…65535") }
            guard (0...0xFFFF).contains(ports.src) else { throw .invalidField(field: "ports.src", detail: "must be 0…65535") }
            portAddressing = PortAddressing(destination: UInt16(ports.dst), source: UInt16(ports.src), is16Bit: true)
        }
        if let from, from.isEmpty || from.count > 64 { throw .invalidField(field: "from", detail: "must be a modem number or id") }
        if let validity, !(60...(441 * 86_400)).contains(validity) {
            throw .invalidField(field: "validity", detail: "must be 60 … 38102400 seconds (TP-VP's range)")
        }
        if let sendAt, sendAt.timeIntervalSince(now) > 366 * 86_400 {
            throw .invalidField(field: "send_at", detail: "must be within a year")
        }
        let callback = try validatedExtras()
        let plan: SegmentPlan
        do {
            let options = SegmentationOptions(reference: .eightBit(0), ports: portAddressing)
            switch content {
            case .text(let t): plan = try SegmentPlanner.plan(text: t, options: options)
            case .data(let d): plan = try SegmentPlanner.plan(bytes: d, options: options)
            }
        } catch {
            if case .tooManySegments(let n) = error { throw .messageTooLong(segments: n, limit: limits.maxSegments) }
            throw .invalidField(field: text != nil ? "text" : "data_hex", detail: error.description)
        }
        guard plan.segmentCount <= limits.maxSegments else {
            throw .messageTooLong(segments: plan.segmentCount, limit: limits.maxSegments)
        }
        let encoding: String
        switch plan.alphabet {
        case .gsm7: encoding = "gsm7"
        case .ucs2: encoding = "ucs2"
        default: encoding = "8bit"
        }
        return NewMessage(to: recipient, content: content, ports: ports, from: from, report: report ?? true,
                          validity: validity, sendAt: sendAt.flatMap { $0 > now ? $0 : nil }, priority: priority ?? 0,
                          metadata: metadata ?? [:], guarantee: guarantee ?? .atMostOnce,
                          segments: plan.segmentCount, encoding: encoding, callback: callback)
    }

    /// `+` and 3–20 digits (spaces, dashes and dots dropped).
    static func normalizeNumber(_ raw: String, field: String) throws(GatewayError) -> String {
        let cleaned = raw.filter { !" -.()".contains($0) }
        let digits = cleaned.hasPrefix("+") ? cleaned.dropFirst() : Substring(cleaned)
        guard (3...20).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidField(field: field, detail: "must be a phone number: optional + and 3–20 digits, got \(raw.debugDescription)")
        }
        return cleaned
    }
}

/// A validated message, ready for ``GatewayStore/accept(_:idempotency:now:)``.
public struct NewMessage: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case text(String)
        case data([UInt8])
    }
    public var to: String
    public var content: Content
    public var ports: Ports?
    public var from: String?
    public var report: Bool
    public var validity: Int?
    public var sendAt: Date?
    public var priority: Int
    public var metadata: [String: String]
    public var guarantee: DeliveryGuarantee
    public var segments: Int
    public var encoding: String
    /// Where this message's status changes go (`status_callback`, Kannel `dlr-url`), stored with it.
    public var callback: MessageCallback? = nil
}

/// An `Idempotency-Key` and the digest of the request body it came with.
public struct IdempotencyKey: Sendable, Equatable {
    public var key: String
    public var requestDigest: String
    public init(key: String, requestDigest: String) { self.key = key; self.requestDigest = requestDigest }
}
