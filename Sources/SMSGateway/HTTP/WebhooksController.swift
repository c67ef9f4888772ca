import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/webhooks`, `GET /v1/webhooks`, `GET`/`DELETE /v1/webhooks/{id}`,
/// `GET /v1/webhooks/{id}/deliveries`, and `GET /v1/callbacks/secret` (the key of `status_callback`s).
struct WebhooksController: Sendable {
    let integrations: GatewayIntegrations?
    let configuration: APIConfiguration

    var routes: [APIRoute] {
        [
            APIRoute(.post, "/v1/webhooks") { try await create($0, $1) },
            APIRoute(.get, "/v1/webhooks") { try await list($0, $1) },
            APIRoute(.get, "/v1/webhooks/{id}") { try await get($0, $1) },
            APIRoute(.delete, "/v1/webhooks/{id}") { try await delete($0, $1) },
            APIRoute(.get, "/v1/webhooks/{id}/deliveries") { try await deliveries($0, $1) },
            APIRoute(.get, "/v1/callbacks/secret") { try await callbackSecret($0, $1) },
        ]
    }

    /// The body of `POST /v1/webhooks`.
    struct CreateRequest: Decodable {
        var url: String
        var events: [String]
        var secret: String?
    }

    /// A created webhook: the resource and, this once, its secret.
    struct Created: Encodable {
        var webhook: WebhookResource
        var secret: String
        func encode(to encoder: any Encoder) throws {
            try webhook.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(secret, forKey: .secret)
        }
        enum Key: String, CodingKey { case secret }
    }

    struct Page: Encodable { var webhooks: [WebhookResource] }
    struct Attempts: Encodable { var deliveries: [WebhookAttempt] }
    struct Secret: Encodable { var secret: String }

    private func require() throws(HTTPProblem) -> GatewayIntegrations {
        guard let integrations else { throw HTTPProblem.notImplemented("webhooks need a store with an outbox (SQLite)") }
        return integrations
    }

    /// Validates and stores a webhook: 201 with `Location` and the secret (generated when not given).
    func create(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let integrations = try require()
        let body = try await JSONBody.decode(CreateRequest.self, from: request, maxBytes: configuration.maxBodyBytes)
        let url = try WebhookURL.validate(body.url, field: "url")
        guard !body.events.isEmpty else {
            throw GatewayError.invalidField(field: "events", detail: "name at least one of message.status, message.received")
        }
        var events: [WebhookEventType] = []
        for (i, name) in body.events.enumerated() {
            guard let e = WebhookEventType(rawValue: name) else {
                throw GatewayError.invalidField(field: "events[\(i)]", detail: "must be message.status or message.received, got \(String(name.prefix(40)).debugDescription)")
            }
            if !events.contains(e) { events.append(e) }
        }
        if let secret = body.secret, !(16...256).contains(secret.utf8.count) {
            throw GatewayError.invalidField(field: "secret", detail: "must be 16–256 bytes (or leave it out to get a generated one)")
        }
        let secret = body.secret ?? WebhookSignature.generateSecret()
        let now = configuration.now()
        let webhook = NewWebhook(id: GatewayID.make("wh", at: now), kind: .webhook, url: url, events: events,
                                 sealedSecret: integrations.secretBox.seal(Array(secret.utf8)))
        let stored = try await storeCall { try await integrations.webhookStore.upsertWebhook(webhook, now: now) }
        var logger = context.logger
        logger[metadataKey: "webhook_id"] = "\(stored.id)"
        logger.info("webhook registered", metadata: ["events": "\(events.map(\.rawValue).joined(separator: ","))"])
        return try APIJSON.response(Created(webhook: stored, secret: secret), status: .created,
                                    headers: [.location: "/v1/webhooks/\(stored.id)"])
    }

    func list(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let integrations = try require()
        return try APIJSON.response(Page(webhooks: try await storeCall { try await integrations.webhookStore.webhooks() }))
    }

    func get(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let integrations = try require()
        let id = try webhookID(context)
        guard let hook = try await storeCall({ try await integrations.webhookStore.webhook(id: id) }), hook.kind != .callbacks else {
            throw GatewayError.notFound(kind: "webhook", id: id)
        }
        return try APIJSON.response(hook)
    }

    func delete(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let integrations = try require()
        let id = try webhookID(context)
        guard try await storeCall({ try await integrations.webhookStore.deleteWebhook(id: id, now: configuration.now()) }) else {
            throw GatewayError.notFound(kind: "webhook", id: id)
        }
        return Response(status: .noContent)
    }

    /// Recent attempts, newest first: `limit` 1 … maxPageSize.
    func deliveries(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let integrations = try require()
        let id = try webhookID(context)
        let limit = try QueryParameters(request).limit(maximum: configuration.maxPageSize, default: configuration.defaultPageSize)
        guard let hook = try await storeCall({ try await integrations.webhookStore.webhook(id: id) }), hook.kind != .callbacks else {
            throw GatewayError.notFound(kind: "webhook", id: id)
        }
        let attempts = try await storeCall { try await integrations.webhookStore.webhookAttempts(webhookID: hook.id, limit: limit) }
        return try APIJSON.response(Attempts(deliveries: attempts))
    }

    /// The secret that signs `status_callback` and `dlr-url` deliveries.
    func callbackSecret(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let integrations = try require()
        try await storeCall { try await WebhookDispatcher.ensureCallbackKey(store: integrations.webhookStore, box: integrations.secretBox) }
        guard let sealed = try await storeCall({ try await integrations.webhookStore.sealedWebhookSecret(id: SQLiteStore.callbacksWebhookID) }),
              let secret = integrations.secretBox.open(sealed) else {
            throw GatewayError.storeUnavailable("the callback key cannot be opened with this gateway's webhook.key")
        }
        return try APIJSON.response(Secret(secret: String(decoding: secret, as: UTF8.self)))
    }

    private func webhookID(_ context: GatewayRequestContext) throws(GatewayError) -> String {
        guard let id = context.parameters.get("id"), (1...128).contains(id.utf8.count) else {
            throw .notFound(kind: "webhook", id: String((context.parameters.get("id") ?? "").prefix(128)))
        }
        return id
    }
}
