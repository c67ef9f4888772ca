import Foundation

/// Limits and knobs of the HTTP API (`makeGatewayRouter`).
///
/// ```swift
/// var configuration = APIConfiguration(limits: .init(maxSegments: 6))
/// configuration.maxLongPoll = .seconds(30)
/// let router = makeGatewayRouter(store: store, runtime: runtime, configuration: configuration, logger: logger)
/// ```
public struct APIConfiguration: Sendable {
    /// What `POST /v1/messages` accepts (``SendMessageRequest/validate(limits:now:)``).
    public var limits: SendMessageRequest.Limits
    /// The largest request body read, in bytes; a larger one is answered 413 (`body-too-large`)
    /// without being read to its end.
    public var maxBodyBytes: Int
    /// The largest `limit` a list endpoint accepts (`GET /v1/messages`, `GET /v1/inbox`).
    public var maxPageSize: Int
    /// The `limit` a list endpoint uses when the request gives none.
    public var defaultPageSize: Int
    /// The longest `wait` of `GET /v1/inbox`; a longer one is shortened to this.
    public var maxLongPoll: Duration
    /// The wall clock used for `now` in store calls (injected so tests can fix it).
    public var now: @Sendable () -> Date

    /// Creates a configuration.
    /// - Parameters:
    ///   - limits: Message limits (segments).
    ///   - maxBodyBytes: Largest request body, 64 KiB by default.
    ///   - maxPageSize: Largest page, 500 by default.
    ///   - defaultPageSize: Page size without `limit`, 100 by default (at most `maxPageSize`).
    ///   - maxLongPoll: Longest inbox long poll, 60 s by default.
    ///   - now: The wall clock.
    public init(limits: SendMessageRequest.Limits = .init(), maxBodyBytes: Int = 64 * 1024, maxPageSize: Int = 500,
                defaultPageSize: Int = 100, maxLongPoll: Duration = .seconds(60),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.limits = limits
        self.maxBodyBytes = maxBodyBytes
        self.maxPageSize = max(1, maxPageSize)
        self.defaultPageSize = min(max(1, defaultPageSize), max(1, maxPageSize))
        self.maxLongPoll = maxLongPoll
        self.now = now
    }
}
