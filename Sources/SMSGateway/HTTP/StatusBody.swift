/// A one-word answer: `{"status": "ok"}` from `GET /health`, `{"status": "sent"}` from the
/// emulator's phone.
public struct StatusBody: Sendable, Codable, Equatable {
    /// `ok`, `sent`.
    public var status: String
    /// Creates a body.
    public init(status: String) { self.status = status }
}
