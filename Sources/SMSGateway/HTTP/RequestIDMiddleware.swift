import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: gives the request its id (the client's `X-Request-Id` when it is
/// sane, else a new `req_…` id), a logger with `request_id` metadata, and answers the id in
/// `X-Request-Id`; logs one line per request (method, path, status, duration — never headers,
/// query values or bodies).
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    /// The base of every request's logger.
    let logger: Logger

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let id = Self.saneID(request.headers[.xRequestID]) { context.requestID = id }
        var logger = self.logger
        // Hummingbird's own request id (its `context.id`) stays available.
        logger[metadataKey: "hb.request.id"] = context.logger[metadataKey: "hb.request.id"]
        logger[metadataKey: "request_id"] = "\(context.requestID)"
        context.logger = logger

        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // ProblemMiddleware answers every error; this is the belt to its braces.
            response = ProblemMiddleware.response(for: .internalError, path: request.uri.path)
            logger.error("request failed", metadata: ["error": "\(String(describing: error))"])
        }
        response.headers[.xRequestID] = context.requestID
        let elapsed = ContinuousClock.now - started
        logger.info("request", metadata: [
            "method": "\(request.method.rawValue)",
            "path": "\(request.uri.path)",
            "status": "\(response.status.code)",
            "duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        ])
        return response
    }

    /// A client id we may echo: 1–128 characters of `A–Z a–z 0–9 - _ . :`.
    static func saneID(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count) else { return nil }
        let allowed = value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: ":"):
                return true
            default:
                return false
            }
        }
        return allowed ? value : nil
    }
}
