import Hummingbird

/// `GET /metrics`: the gateway's ``GatewayMetrics`` in the Prometheus text format, without a token
/// (like `/health`; keep the listen address private or filter `/metrics` at the proxy when the
/// counts should not be public). Answers 404 when the gateway runs without metrics.
struct MetricsController: Sendable {
    let metrics: GatewayMetrics?
    let store: any GatewayStore
    let runtime: any GatewayRuntime

    var routes: [APIRoute] {
        [APIRoute(.get, "/metrics", authenticated: false) { _, _ in
            guard let metrics else { throw HTTPProblem.routeNotFound }
            let text = await metrics.scrape(store: store, runtime: runtime)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: .init(string: text)))
        }]
    }
}
