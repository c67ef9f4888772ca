import HTTPTypes

extension HTTPField.Name {
    /// `X-Request-Id`: echoed when sane, else generated; on every response.
    static var xRequestID: Self { Self("X-Request-Id")! }
    /// `Idempotency-Key` of `POST /v1/messages`.
    static var idempotencyKey: Self { Self("Idempotency-Key")! }
    /// `Idempotent-Replayed: true` on a response that replays an earlier request's.
    static var idempotentReplayed: Self { Self("Idempotent-Replayed")! }
}
