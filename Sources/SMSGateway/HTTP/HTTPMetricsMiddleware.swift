import Hummingbird

/// Times every request into ``GatewayMetrics/Name/httpDuration`` by method, route template
/// (`/v1/messages/{id}`, never the raw path, so ids do not become series; `unmatched` for an
/// unknown path) and the status answered. It sits inside ``RequestIDMiddleware`` and outside
/// ``ProblemMiddleware``, so errors are timed with the status of their problem response.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let metrics: GatewayMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        metrics.recordRequest(method: request.method.rawValue, route: route, status: Int(response.status.code),
                              duration: ContinuousClock.now - started)
        return response
    }
}
