import HTTPTypes
import Hummingbird
import Logging

/// Turns every error below it into an RFC 9457 `application/problem+json` response
/// (``ProblemDetails``, `instance` = the request path): ``HTTPProblem``s as they are,
/// ``GatewayError``s by their problem type, Hummingbird's "no route" into 404 or — when the path is
/// served with other methods — 405 with `Allow`, and anything else into a logged 500.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let routes: RouteTable

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = self.problem(for: error, request: request, context: context)
            return Self.response(for: problem, path: request.uri.path)
        }
    }

    /// The problem answering `error`, logged: 5xx at error level with the cause, others at debug
    /// level by type and field only (a detail can quote the request, and message text is never logged).
    func problem(for error: any Error, request: Request, context: Context) -> HTTPProblem {
        let problem: HTTPProblem
        var cause: String?
        switch error {
        case let known as HTTPProblem:
            problem = known
        case let gateway as GatewayError:
            problem = HTTPProblem(gateway)
            switch gateway {
            case .storeUnavailable(let detail), .configuration(let detail): cause = detail
            default: break
            }
        case let http as HTTPError where http.status == .notFound:
            let allowed = routes.allowedMethods(for: request.uri.path)
            problem = allowed.isEmpty ? .routeNotFound : .methodNotAllowed(request.method, allowed: allowed)
        case let http as any HTTPResponseError:
            problem = .status(http.status)
        default:
            problem = .internalError
            cause = String(describing: error)
        }
        var metadata: Logger.Metadata = ["problem": "\(problem.details.type)", "status": "\(problem.details.status)"]
        if let field = problem.details.field { metadata["field"] = "\(field)" }
        if problem.details.status >= 500 {
            if let cause { metadata["error"] = "\(cause)" }
            context.logger.error("request failed", metadata: metadata)
        } else {
            context.logger.debug("request refused", metadata: metadata)
        }
        return problem
    }

    /// The response of `problem` for a request to `path`.
    static func response(for problem: HTTPProblem, path: String) -> Response {
        var details = problem.details
        details.instance = path
        let status = HTTPResponse.Status(code: details.status)
        do {
            return try APIJSON.response(details, status: status, headers: problem.headers,
                                        contentType: "application/problem+json")
        } catch {
            return Response(status: status, headers: problem.headers)
        }
    }
}
