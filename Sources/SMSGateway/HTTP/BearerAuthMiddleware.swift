import Foundation
import HTTPTypes
import Hummingbird

/// Authenticates `Authorization: Bearer <token>`: the token's digest (``TokenDigest/digest(_:)``)
/// is looked up in the store, and the context carries the ``TokenRecord`` on. A missing, malformed
/// or unknown token is 401 with `WWW-Authenticate: Bearer`. The token itself is never logged
/// or kept.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let store: any GatewayStore

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], let token = Self.bearerToken(header) else {
            throw GatewayError.unauthorized
        }
        let digest = TokenDigest.digest(token)
        guard let record = try await storeCall({ try await store.token(digest: digest) }) else {
            throw GatewayError.unauthorized
        }
        var context = context
        context.token = record
        return try await next(request, context)
    }

    /// The token of a `Bearer` credentials header (scheme case-insensitive, RFC 9110 §11.1), nil otherwise.
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= 512, !token.contains(" ") else { return nil }
        return String(token)
    }
}
