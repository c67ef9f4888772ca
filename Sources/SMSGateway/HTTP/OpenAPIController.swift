import Hummingbird

/// `GET /openapi.json`: ``OpenAPIDocument``, without a token.
struct OpenAPIController: Sendable {
    var routes: [APIRoute] {
        [APIRoute(.get, "/openapi.json", authenticated: false) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: .init(string: OpenAPIDocument.json)))
        }]
    }
}
