import HTTPTypes

/// An error the HTTP layer answers as a problem (``ProblemDetails``) with extra headers
/// (`WWW-Authenticate`, `Allow`). ``GatewayError``s become one through ``init(_:field:)``; the
/// problems only HTTP has (unknown route, wrong method, media type, body size) have factories.
struct HTTPProblem: Error, Sendable {
    /// The body, without `instance` (the middleware fills in the request path).
    var details: ProblemDetails
    /// Headers to send with it.
    var headers: HTTPFields

    /// The problem for a gateway error; `field` overrides the error's own field (a malformed body
    /// names the field JSONDecoder stopped at).
    init(_ error: GatewayError, field: String? = nil) {
        let detail: String
        switch error {
        // The underlying causes of these two are logged, never answered.
        case .storeUnavailable:
            detail = "the gateway's store failed and nothing was committed; retry the request "
                + "(with the same Idempotency-Key). The gateway log has the cause under this request's X-Request-Id."
        case .configuration:
            detail = "the gateway is misconfigured; the gateway log has the cause under this request's X-Request-Id"
        default:
            detail = error.description
        }
        self.details = ProblemDetails(type: error.problemType, title: error.title, status: error.httpStatus,
                                      detail: detail, field: field ?? error.field)
        self.headers = [:]
        if case .unauthorized = error { self.headers[.wwwAuthenticate] = "Bearer" }
    }

    private init(type: String, title: String, status: Int, detail: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.details = ProblemDetails(type: "urn:smskit:problem:" + type, title: title, status: status, detail: detail, field: field)
        self.headers = headers
    }

    /// 404 for a path no route serves.
    static var routeNotFound: HTTPProblem {
        HTTPProblem(type: "not-found", title: GatewayError.notFound(kind: "", id: "").title, status: 404,
                    detail: "no endpoint serves this path (the API lives under /v1/; GET /health needs no token)")
    }

    /// 404 for the emulator's endpoints when the gateway does not run on emulated modems.
    static var notEmulating: HTTPProblem {
        HTTPProblem(type: "not-found", title: GatewayError.notFound(kind: "", id: "").title, status: 404,
                    detail: "virtual phones exist only when the gateway runs on emulated modems (--emulate N)")
    }

    /// 405 for a path served only with other methods; `Allow` lists them.
    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> HTTPProblem {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return HTTPProblem(type: "method-not-allowed", title: "Method not allowed", status: 405,
                           detail: "\(method.rawValue) is not served here; use \(list)", headers: [.allow: list])
    }

    /// 415 for a body that is not declared as JSON.
    static func unsupportedMediaType(_ contentType: String?) -> HTTPProblem {
        let got = contentType.map { "got \(String($0.prefix(100)).debugDescription)" } ?? "it was missing"
        return HTTPProblem(type: "unsupported-media-type", title: "Unsupported media type", status: 415,
                           detail: "send the body as Content-Type: application/json (\(got))", field: "Content-Type")
    }

    /// 413 for a body longer than the configured limit.
    static func bodyTooLarge(limit: Int) -> HTTPProblem {
        HTTPProblem(type: "body-too-large", title: "Request body too large", status: 413,
                    detail: "the request body is larger than \(limit) bytes")
    }

    /// 500 for a failure of the gateway itself (never for bad input; the cause is logged).
    static var internalError: HTTPProblem {
        HTTPProblem(type: "internal", title: "Internal error", status: 500,
                    detail: "the gateway failed to answer; the gateway log has the cause under this request's X-Request-Id")
    }

    /// A problem for an HTTP status Hummingbird raised itself (about:blank, RFC 9457 §4.2.1).
    static func status(_ status: HTTPResponse.Status) -> HTTPProblem {
        var problem = HTTPProblem(type: "", title: status.reasonPhrase, status: status.code, detail: status.reasonPhrase)
        problem.details.type = "about:blank"
        return problem
    }
}

extension HTTPProblem {
    /// 501 for an endpoint this gateway's configuration cannot serve.
    static func notImplemented(_ detail: String) -> HTTPProblem {
        var problem = HTTPProblem(.configuration(detail))
        problem.details = ProblemDetails(type: "urn:smskit:problem:not-implemented", title: "Not implemented", status: 501,
                                         detail: detail, field: nil)
        return problem
    }
}
