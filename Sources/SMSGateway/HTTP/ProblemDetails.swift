/// An RFC 9457 problem: the body of every error the HTTP API answers, as `application/problem+json`.
///
/// ```json
/// {"type": "urn:smskit:problem:invalid-field", "title": "Invalid field", "status": 422,
///  "detail": "to: must be a phone number: optional + and 3–20 digits, got \"abc\"",
///  "instance": "/v1/messages", "field": "to"}
/// ```
/// `type` is stable (one per ``GatewayError`` case, plus the HTTP-level `body-too-large`,
/// `unsupported-media-type`, `method-not-allowed` and `internal`); `detail` is for people.
public struct ProblemDetails: Sendable, Codable, Equatable {
    /// The stable problem type URI (`urn:smskit:problem:…`).
    public var type: String
    /// A short summary that does not change between occurrences.
    public var title: String
    /// The HTTP status code.
    public var status: Int
    /// What went wrong this time and what to do.
    public var detail: String
    /// The request path the problem occurred on.
    public var instance: String?
    /// The request field at fault (`to`, `ports.dst`, `limit`, `Idempotency-Key`, …), when there is one.
    public var field: String?

    /// Creates a problem.
    public init(type: String, title: String, status: Int, detail: String, instance: String? = nil, field: String? = nil) {
        self.type = type; self.title = title; self.status = status; self.detail = detail
        self.instance = instance; self.field = field
    }
}
