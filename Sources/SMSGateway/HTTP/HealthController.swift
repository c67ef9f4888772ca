import Hummingbird

/// `GET /health`: `{"status": "ok"}`, without a token (for load balancers and systemd probes).
struct HealthController: Sendable {
    var routes: [APIRoute] {
        [APIRoute(.get, "/health", authenticated: false) { _, _ in try APIJSON.response(StatusBody(status: "ok")) }]
    }
}
