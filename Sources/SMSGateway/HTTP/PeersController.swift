import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/peers`, `GET /v1/peers`, `GET /v1/peers/{id}`, `DELETE /v1/peers/{id}`: the customer
/// keys the gateway's bank identity accepts (gateways started with `--identity`; 404 `secure-not-configured` otherwise).
struct PeersController: Sendable {
    let secure: (any SecureMessagingService)?
    let store: (any SecureGatewayStore)?
    let configuration: APIConfiguration

    var routes: [APIRoute] {
        [
            APIRoute(.post, "/v1/peers") { try await enrol($0, $1) },
            APIRoute(.get, "/v1/peers") { try await list($0, $1) },
            APIRoute(.get, "/v1/peers/{id}") { try await get($0, $1) },
            APIRoute(.delete, "/v1/peers/{id}") { try await delete($0, $1) },
        ]
    }

    private func require() throws(GatewayError) -> (any SecureMessagingService, any SecureGatewayStore) {
        guard let secure, let store else { throw .secureNotConfigured }
        return (secure, store)
    }

    /// Enrols a key: 201 with the peer and `Location`; 409 for a key already enrolled; 422 for a bad
    /// key, number or customer id.
    func enrol(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (secure, _) = try require()
        let body = try await JSONBody.decode(EnrolPeerRequest.self, from: request, maxBytes: configuration.maxBodyBytes)
        let peer = try await storeCall { try await secure.enrol(body) }
        var logger = context.logger
        logger[metadataKey: "peer"] = "\(peer.id)"
        logger.info("secure peer enrolled", metadata: ["fingerprint": "\(peer.fingerprint)"])
        return try APIJSON.response(peer, status: .created, headers: [.location: "/v1/peers/\(peer.id)"])
    }

    /// A page of peers in id order: `after` (a peer id), `limit`.
    func list(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (_, store) = try require()
        let query = QueryParameters(request)
        let after = try query.string("after", maxLength: 128)
        let limit = try query.limit(maximum: configuration.maxPageSize, default: configuration.defaultPageSize)
        let peers = try await storeCall { try await store.peers(after: after, limit: limit) }
        return try APIJSON.response(PeerPage(peers: peers, next: peers.count == limit ? peers.last?.id : nil))
    }

    /// One peer, or 404.
    func get(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (_, store) = try require()
        let id = try peerID(context)
        guard let peer = try await storeCall({ try await store.peer(id: id) }) else {
            throw GatewayError.notFound(kind: "peer", id: id)
        }
        return try APIJSON.response(peer)
    }

    /// Revokes the key in the secure engine and removes the peer: 204, or 404.
    func delete(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (secure, _) = try require()
        let id = try peerID(context)
        try await storeCall { try await secure.remove(id: id) }
        var logger = context.logger
        logger[metadataKey: "peer"] = "\(id)"
        logger.info("secure peer revoked and removed")
        return Response(status: .noContent)
    }

    private func peerID(_ context: GatewayRequestContext) throws(GatewayError) -> String {
        guard let id = context.parameters.get("id"), (1...128).contains(id.utf8.count) else {
            throw .notFound(kind: "peer", id: String((context.parameters.get("id") ?? "").prefix(128)))
        }
        return id
    }
}
