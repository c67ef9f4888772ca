import Hummingbird

/// `GET /v1/inbox?after=CURSOR&limit=N&wait=SECONDS`: received messages after a cursor, with an
/// optional long poll.
struct InboxController: Sendable {
    let store: any GatewayStore
    let runtime: any GatewayRuntime
    let configuration: APIConfiguration

    var routes: [APIRoute] {
        [APIRoute(.get, "/v1/inbox") { try await inbox($0, $1) }]
    }

    /// The messages after `after`; when there are none and `wait` > 0, waits (at most
    /// ``APIConfiguration/maxLongPoll``) for the runtime to signal a commit, then reads again.
    func inbox(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let after = try query.integer("after", in: 0...Int64.max, default: 0)
        let limit = try query.limit(maximum: configuration.maxPageSize, default: configuration.defaultPageSize)
        let wait = try query.seconds("wait", cappedAt: configuration.maxLongPoll) ?? .zero
        var messages = try await storeCall { try await store.inbox(after: after, limit: limit) }
        if messages.isEmpty, wait > .zero {
            await runtime.waitForInbox(after: after, timeout: wait)
            messages = try await storeCall { try await store.inbox(after: after, limit: limit) }
        }
        return try APIJSON.response(InboxPage(messages: messages, next: messages.last?.cursor ?? after))
    }
}
