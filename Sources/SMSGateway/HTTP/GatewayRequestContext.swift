import Hummingbird

/// The request context of the gateway's router: Hummingbird's core storage plus the request id
/// (answered as `X-Request-Id` and logged as `request_id`) and the token that authenticated the request.
public struct GatewayRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, route parameters).
    public var coreContext: CoreRequestContextStorage
    /// The request's id: the client's sane `X-Request-Id`, else a generated `req_…` id.
    public internal(set) var requestID: String
    /// The API token the request authenticated with (nil on `GET /health` and before authentication).
    public internal(set) var token: TokenRecord?

    /// Creates the context of one request (called by Hummingbird).
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = GatewayID.make("req")
        self.token = nil
    }
}
