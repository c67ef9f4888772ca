import HTTPTypes
import Hummingbird

/// One endpoint of the API: what the router registers and what ``RouteTable`` answers 405 from.
struct APIRoute: Sendable {
    typealias Handler = @Sendable (Request, GatewayRequestContext) async throws -> Response

    var method: HTTPRequest.Method
    var path: RouterPath
    /// Whether it needs `Authorization: Bearer` (every endpoint but `GET /health`).
    var authenticated: Bool
    var handler: Handler

    init(_ method: HTTPRequest.Method, _ path: RouterPath, authenticated: Bool = true, handler: @escaping Handler) {
        self.method = method; self.path = path; self.authenticated = authenticated; self.handler = handler
    }
}

/// The methods each route path is served with, so a request for a known path with another
/// method is answered 405 with `Allow` instead of Hummingbird's 404.
struct RouteTable: Sendable {
    private let entries: [(path: RouterPath, method: HTTPRequest.Method)]

    init(_ routes: [APIRoute]) { self.entries = routes.map { ($0.path, $0.method) } }

    /// The methods served on `path` (empty: no route has this path).
    func allowedMethods(for path: String) -> [HTTPRequest.Method] {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods: [HTTPRequest.Method] = []
        for entry in entries where entry.path.count == components.count && !methods.contains(entry.method) {
            if zip(entry.path, components).allSatisfy({ element, component in element ~= component }) {
                methods.append(entry.method)
            }
        }
        return methods
    }
}
