import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import SMSGateway

/// A router over a real SQLite store (temp file) and a ``FakeRuntime``, with one API token.
struct APIHarness: Sendable {
    let store: SQLiteStore
    let runtime: FakeRuntime
    let token: String
    let configuration: APIConfiguration
    let logs: LogCapture

    init(configuration: APIConfiguration = APIConfiguration(), runtime: FakeRuntime = FakeRuntime()) async throws {
        (self.store, _) = try makeStore()
        self.runtime = runtime
        self.configuration = configuration
        self.logs = LogCapture()
        self.token = TokenDigest.generate()
        _ = try await store.createToken(name: "test", digest: TokenDigest.digest(token), now: Date())
    }

    /// Runs `body` against the router: directly (`.router`, the default) or through a real
    /// HTTP/1.1 server on a loopback port (`.live`).
    func test(_ setup: TestingSetup = .router, metrics: GatewayMetrics? = nil, secure: SecureMessaging? = nil,
              _ body: @Sendable (Client) async throws -> Void) async throws {
        let router = makeGatewayRouter(store: store, runtime: runtime, configuration: configuration, logger: logs.logger(),
                                       metrics: metrics, secure: secure)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              logger: Logger(label: "smskit.test.app") { _ in SwiftLogNoOpLogHandler() })
        let token = self.token
        try await app.test(setup) { client in try await body(Client(client: client, token: token)) }
    }

    /// How many outbound messages the store holds.
    func messageCount() async throws -> Int {
        try await store.messages(status: nil, after: nil, limit: 10_000).count
    }

    /// A test client that sends the harness's token unless told otherwise.
    struct Client: Sendable {
        let client: any TestClientProtocol
        let token: String

        enum Auth: Sendable { case token, none, header(String) }

        func request(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil, auth: Auth = .token,
                     contentType: String? = "application/json", headers: HTTPFields = [:]) async throws -> TestResponse {
            var fields = headers
            switch auth {
            case .token: fields[.authorization] = "Bearer \(token)"
            case .none: break
            case .header(let value): fields[.authorization] = value
            }
            if json != nil, let contentType { fields[.contentType] = contentType }
            return try await client.execute(uri: uri, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) })
        }

        func post(_ uri: String, _ json: String, idempotencyKey: String? = nil) async throws -> TestResponse {
            var headers: HTTPFields = [:]
            if let idempotencyKey { headers[.idempotencyKey] = idempotencyKey }
            return try await request(.post, uri, json: json, headers: headers)
        }

        func get(_ uri: String) async throws -> TestResponse { try await request(.get, uri) }
    }
}

extension TestResponse {
    /// The body decoded with the API's decoder.
    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try APIJSON.decoder().decode(T.self, from: Data(String(buffer: body).utf8))
    }

    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8))
        return try #require(value as? [String: Any])
    }

    /// The problem body, after checking the media type and the status it claims.
    func problem(sourceLocation: SourceLocation = #_sourceLocation) throws -> ProblemDetails {
        #expect(headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        let problem = try decode(ProblemDetails.self)
        #expect(problem.status == Int(status.code), sourceLocation: sourceLocation)
        return problem
    }
}
