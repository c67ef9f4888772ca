/// Why a gateway operation failed. Each case maps to one RFC 9457 problem type (see
/// ``problemType`` and `docs/gateway.md`) and says what to do.
public enum GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is not JSON, or not the JSON object the endpoint takes (400).
    case malformedBody(String)
    /// A field has the wrong value (422): `field` names it (`to`, `text`, `ports.dst`, …).
    case invalidField(field: String, detail: String)
    /// The message needs more segments than the configured limit (413).
    case messageTooLong(segments: Int, limit: Int)
    /// The `Idempotency-Key` was used before with a different body (409).
    case idempotencyConflict(key: String)
    /// No such resource (404).
    case notFound(kind: String, id: String)
    /// The message cannot be canceled any more (409).
    case notCancelable(id: String, status: MessageStatus)
    /// Missing or wrong bearer token (401).
    case unauthorized
    /// The store failed (503): the request was not committed; retry it (with the same Idempotency-Key).
    case storeUnavailable(String)
    /// A configuration value is wrong.
    case configuration(String)
    /// `POST /v1/peers` with a public key already enrolled (409): `id` is that peer.
    case peerExists(id: String)
    /// A secure endpoint was called on a gateway started without `--identity` (404: not served in this
    /// mode, as the emulator's endpoints without `--emulate`).
    case secureNotConfigured

    /// The stable problem `type` URI.
    public var problemType: String {
        switch self {
        case .malformedBody: return "urn:smskit:problem:malformed-body"
        case .invalidField: return "urn:smskit:problem:invalid-field"
        case .messageTooLong: return "urn:smskit:problem:message-too-long"
        case .idempotencyConflict: return "urn:smskit:problem:idempotency-conflict"
        case .notFound: return "urn:smskit:problem:not-found"
        case .notCancelable: return "urn:smskit:problem:not-cancelable"
        case .unauthorized: return "urn:smskit:problem:unauthorized"
        case .storeUnavailable: return "urn:smskit:problem:store-unavailable"
        case .configuration: return "urn:smskit:problem:configuration"
        case .peerExists: return "urn:smskit:problem:peer-exists"
        case .secureNotConfigured: return "urn:smskit:problem:secure-not-configured"
        }
    }

    /// The HTTP status of the problem.
    public var httpStatus: Int {
        switch self {
        case .malformedBody: return 400
        case .invalidField: return 422
        case .messageTooLong: return 413
        case .idempotencyConflict, .notCancelable, .peerExists: return 409
        case .notFound, .secureNotConfigured: return 404
        case .unauthorized: return 401
        case .storeUnavailable: return 503
        case .configuration: return 500
        }
    }

    /// A short, fixed summary (the problem `title`).
    public var title: String {
        switch self {
        case .malformedBody: return "Malformed request body"
        case .invalidField: return "Invalid field"
        case .messageTooLong: return "Message too long"
        case .idempotencyConflict: return "Idempotency key reused with a different body"
        case .notFound: return "Not found"
        case .notCancelable: return "Message can no longer be canceled"
        case .unauthorized: return "Missing or invalid bearer token"
        case .storeUnavailable: return "Store unavailable"
        case .configuration: return "Configuration error"
        case .peerExists: return "Peer already enrolled"
        case .secureNotConfigured: return "Secure messaging is not enabled"
        }
    }

    /// The field at fault, when there is one.
    public var field: String? {
        if case .invalidField(let f, _) = self { return f }
        return nil
    }

    public var description: String {
        switch self {
        case .malformedBody(let d): return "malformed body: \(d)"
        case .invalidField(let f, let d): return "\(f): \(d)"
        case .messageTooLong(let s, let l):
            return "the message needs \(s) segments; the limit is \(l) (shorten it, or raise max_segments in the config)"
        case .idempotencyConflict(let k):
            return "Idempotency-Key \(k.debugDescription) was used with a different body; use a new key for a new message"
        case .notFound(let kind, let id): return "no \(kind) with id \(id.debugDescription)"
        case .notCancelable(let id, let s): return "message \(id) is \(s.rawValue); only queued or scheduled messages can be canceled"
        case .unauthorized: return "send Authorization: Bearer <token> (create one with `smskit gateway token create`)"
        case .storeUnavailable(let d): return "the store failed (\(d)); nothing was committed, retry the request"
        case .configuration(let d): return d
        case .peerExists(let id):
            return "this public key is already enrolled as peer \(id); DELETE /v1/peers/\(id) first to enrol it again"
        case .secureNotConfigured:
            return "start the gateway with --identity KEYFILE (a SecureSMS key from `smskit keys generate`) to use secure messaging"
        }
    }
}
