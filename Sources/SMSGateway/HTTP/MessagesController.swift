import HTTPTypes
import Hummingbird
import Logging

/// `POST /v1/messages`, `GET /v1/messages`, `GET /v1/messages/{id}`, `DELETE /v1/messages/{id}`.
struct MessagesController: Sendable {
    let store: any GatewayStore
    let runtime: any GatewayRuntime
    let configuration: APIConfiguration
    /// Secure messaging (`--identity`), for `"secure": {"peer": …}`.
    var secure: (any SecureMessagingService)? = nil
    var secureStore: (any SecureGatewayStore)? = nil

    var routes: [APIRoute] {
        [
            APIRoute(.post, "/v1/messages") { try await send($0, $1) },
            APIRoute(.get, "/v1/messages") { try await list($0, $1) },
            APIRoute(.get, "/v1/messages/{id}") { try await get($0, $1) },
            APIRoute(.delete, "/v1/messages/{id}") { try await cancel($0, $1) },
        ]
    }

    /// Validates and stores a message: 202 with the resource and `Location`; a replay of an
    /// `Idempotency-Key` answers the first message with `Idempotent-Replayed: true`.
    func send(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let key = try IdempotencyHeader.key(in: request.headers)
        let body = try await JSONBody.decode(SendMessageRequest.self, from: request, maxBytes: configuration.maxBodyBytes)
        let now = configuration.now()
        let idempotency = try key.map { IdempotencyKey(key: $0, requestDigest: try IdempotencyHeader.requestDigest(of: body)) }
        let accepted: Accepted
        if let target = body.secure {
            guard let secure, let secureStore else { throw GatewayError.secureNotConfigured }
            guard let peer = try await storeCall({ try await secureStore.peer(id: target.peer) }), peer.state != "revoking" else {
                throw GatewayError.invalidField(field: "secure.peer", detail: "no enrolled peer \(target.peer.debugDescription); enrol it with POST /v1/peers")
            }
            let message = try body.validateSecure(peer: peer)
            accepted = try await storeCall { try await secureStore.acceptSecure(message, idempotency: idempotency, now: now) }
            if case .created = accepted { secure.messageAccepted() }
        } else {
            let message = try body.validate(limits: configuration.limits, now: now)
            accepted = try await storeCall { try await store.accept(message, idempotency: idempotency, now: now) }
        }

        let resource = accepted.message
        var logger = context.logger
        logger[metadataKey: "message_id"] = "\(resource.id)"
        var headers: HTTPFields = [.location: "/v1/messages/\(resource.id)"]
        switch accepted {
        case .created:
            await runtime.messageAccepted()
            logger.info("message accepted", metadata: [
                "segments": "\(resource.segments)", "encoding": "\(resource.encoding)", "status": "\(resource.status.rawValue)",
            ])
        case .replayed:
            headers[.idempotentReplayed] = "true"
            logger.info("message replayed for its Idempotency-Key")
        }
        return try APIJSON.response(resource, status: .accepted, headers: headers)
    }

    /// One message, or 404.
    func get(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let id = try messageID(context)
        guard let resource = try await storeCall({ try await store.message(id: id) }) else {
            throw GatewayError.notFound(kind: "message", id: id)
        }
        return try APIJSON.response(resource)
    }

    /// A page of messages: `status`, `after` (a message id), `limit` (1 … maxPageSize).
    func list(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let status = try query.value("status", as: MessageStatus.self)
        let after = try query.string("after", maxLength: 128)
        let limit = try query.limit(maximum: configuration.maxPageSize, default: configuration.defaultPageSize)
        let messages = try await storeCall { try await store.messages(status: status, after: after, limit: limit) }
        return try APIJSON.response(MessagePage(messages: messages, next: messages.last?.id))
    }

    /// Cancels a queued or scheduled message: 200 with it, 404, or 409.
    func cancel(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let id = try messageID(context)
        let resource = try await storeCall { try await store.cancel(id: id, now: configuration.now()) }
        var logger = context.logger
        logger[metadataKey: "message_id"] = "\(resource.id)"
        logger.info("message canceled")
        return try APIJSON.response(resource)
    }

    /// The `{id}` of the path (an id longer than any the gateway makes is simply not found).
    private func messageID(_ context: GatewayRequestContext) throws(GatewayError) -> String {
        guard let id = context.parameters.get("id"), (1...128).contains(id.utf8.count) else {
            throw .notFound(kind: "message", id: String((context.parameters.get("id") ?? "").prefix(128)))
        }
        return id
    }
}
