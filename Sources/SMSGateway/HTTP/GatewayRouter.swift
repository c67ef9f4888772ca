import Hummingbird
import Logging

/// Builds the gateway's HTTP API over a store and the running gateway.
///
/// ```swift
/// let router = makeGatewayRouter(store: store, runtime: runtime,
///                                configuration: APIConfiguration(limits: .init(maxSegments: 10)), logger: logger)
/// let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 8080)))
/// try await app.runService()
/// ```
///
/// Endpoints (JSON, snake_case, ISO 8601 dates in UTC with milliseconds):
/// - `POST /v1/messages` → 202 ``MessageResource`` with `Location`; `Idempotency-Key` replays answer
///   the first message with `Idempotent-Replayed: true`.
/// - `GET /v1/messages/{id}` → ``MessageResource``; `DELETE /v1/messages/{id}` cancels it.
/// - `GET /v1/messages?status=&after=&limit=` → ``MessagePage``.
/// - `GET /v1/inbox?after=&limit=&wait=` → ``InboxPage`` (long poll with `wait` seconds).
/// - `GET /v1/modems` → ``ModemList``; `POST /v1/modems/{id}/suspend|resume|drain` → ``ModemResource``
///   (``ModemControlAction``).
/// - `POST /v1/emulator/phones/send` → 202 (emulate mode only).
/// - `POST/GET /v1/peers`, `GET/DELETE /v1/peers/{id}`: SecureSMS peers (`PeersController`, `--identity` only).
/// - `POST/GET /v1/webhooks`, `GET/DELETE /v1/webhooks/{id}`, `GET /v1/webhooks/{id}/deliveries`,
///   `GET /v1/callbacks/secret` (``GatewayIntegrations``).
/// - `GET/POST /cgi-bin/sendsms`: Kannel's interface, with Kannel's own authentication and replies.
/// - `GET /health` → `{"status": "ok"}`, `GET /metrics` (Prometheus text, ``GatewayMetrics``) and
///   `GET /openapi.json` (``OpenAPIDocument``): the other endpoints without `Authorization: Bearer`.
///
/// Every error is an RFC 9457 ``ProblemDetails`` (`application/problem+json`); every response
/// carries `X-Request-Id`, and every log line of a request its `request_id`.
/// - Parameters:
///   - store: The durable state (accept, read, cancel, inbox, tokens).
///   - runtime: Live modems, the scheduler's wake-up, inbox waits, the emulator's phones.
///   - configuration: Limits.
///   - logger: The base of every request's logger.
///   - integrations: Webhooks and Kannel's `/cgi-bin/sendsms` (nil: those endpoints answer 501/503).
///   - metrics: This gateway's metrics: `GET /metrics` renders them and every request is timed (nil: 404).
///   - secure: Secure messaging (`--identity`): `/v1/peers` and `"secure"` messages (nil: those answer 404 `secure-not-configured`).
/// - Returns: A router for `Application(router:)` or `app.test(.router)`.
public func makeGatewayRouter(store: any GatewayStore, runtime: any GatewayRuntime, configuration: APIConfiguration,
                              logger: Logger, integrations: GatewayIntegrations? = nil,
                              metrics: GatewayMetrics? = nil, secure: (any SecureMessagingService)? = nil) -> Router<GatewayRequestContext> {
    let secureStore = secure == nil ? nil : store as? any SecureGatewayStore
    let routes = HealthController().routes
        + MetricsController(metrics: metrics, store: store, runtime: runtime).routes + OpenAPIController().routes
        + WebhooksController(integrations: integrations, configuration: configuration).routes
        + KannelController(store: store, runtime: runtime, integrations: integrations, configuration: configuration).routes
        + MessagesController(store: store, runtime: runtime, configuration: configuration, secure: secure,
                             secureStore: secureStore).routes
        + PeersController(secure: secure, store: secureStore, configuration: configuration).routes
        + InboxController(store: store, runtime: runtime, configuration: configuration).routes
        + ModemsController(runtime: runtime).routes
        + EmulatorController(runtime: runtime, configuration: configuration).routes

    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: RequestIDMiddleware(logger: logger))
    if let metrics { router.add(middleware: HTTPMetricsMiddleware(metrics: metrics)) }
    router.add(middleware: ProblemMiddleware(routes: RouteTable(routes)))
    let authenticated = router.group().add(middleware: BearerAuthMiddleware(store: store))
    for route in routes {
        if route.authenticated {
            authenticated.on(route.path, method: route.method, use: route.handler)
        } else {
            router.on(route.path, method: route.method, use: route.handler)
        }
    }
    return router
}
