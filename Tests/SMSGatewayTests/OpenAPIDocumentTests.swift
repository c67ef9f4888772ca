import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SMSKitTestSupport
import Testing
@testable import SMSGateway

@Suite("OpenAPI: the document and the router agree")
struct OpenAPIDocumentTests {
    static func document() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8))
        return try #require(value as? [String: Any])
    }

    /// Every (method, path template) the router serves is in the document, and nothing else is.
    @Test func everyRouteIsDocumentedAndNothingElse() async throws {
        let harness = try await APIHarness()
        let router = makeGatewayRouter(store: harness.store, runtime: harness.runtime, configuration: harness.configuration,
                                       logger: harness.logs.logger(), metrics: GatewayMetrics())
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        var documented = Set<String>()
        for (path, item) in paths {
            for key in item.keys where methods.contains(key) { documented.insert("\(key.uppercased()) \(path)") }
        }
        #expect(served == documented, "served only: \(served.subtracting(documented).sorted()); documented only: \(documented.subtracting(served).sorted())")
    }

    /// The repository's docs/openapi.json is what `smskit gateway openapi` prints (the served text).
    @Test func docsCopyIsUpToDate() throws {
        let copy = try String(contentsOf: packageRoot.appendingPathComponent("docs/openapi.json"), encoding: .utf8)
        #expect(copy == OpenAPIDocument.json + "\n", "refresh it: .build/debug/smskit gateway openapi > docs/openapi.json")
    }

    @Test(.enabled(if: haveBinary)) func theCommandPrintsTheDocument() async throws {
        let printed = try await runSmskit(["gateway", "openapi"])
        #expect(printed.status == 0)
        #expect(printed.stdout == OpenAPIDocument.json + "\n")
    }

    /// It is OpenAPI 3.1, every `$ref` resolves, every operation has an id, and every
    /// authenticated operation documents 401 with a problem.
    @Test func documentIsWellFormed() throws {
        let doc = try Self.document()
        #expect(doc["openapi"] as? String == "3.1.0")
        var refs = Set<String>()
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if let ref = object["$ref"] as? String { refs.insert(ref) }
                object.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(doc)
        let components = try #require(doc["components"] as? [String: [String: Any]])
        for ref in refs {
            let parts = ref.split(separator: "/").map(String.init)
            #expect(parts.count == 4 && parts[0] == "#" && parts[1] == "components" && components[parts[2]]?[parts[3]] != nil, "\(ref)")
        }
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var ids = Set<String>()
        for (path, item) in paths {
            for (method, value) in item where method != "parameters" {
                let op = try #require(value as? [String: Any])
                let id = try #require(op["operationId"] as? String)
                #expect(ids.insert(id).inserted, "duplicate operationId \(id)")
                let responses = try #require(op["responses"] as? [String: Any])
                let open = (op["security"] as? [Any])?.isEmpty == true
                #expect(open || responses["401"] != nil, "\(method) \(path) does not document 401")
            }
        }
    }

    /// `GET /openapi.json` and `GET /metrics` need no token; `/metrics` answers 404 without metrics.
    @Test func servedWithoutToken() async throws {
        let harness = try await APIHarness()
        try await harness.test(metrics: GatewayMetrics()) { client in
            let doc = try await client.request(.get, "/openapi.json", auth: .none)
            #expect(doc.status == .ok)
            #expect(doc.headers[.contentType] == "application/json")
            #expect(String(buffer: doc.body) == OpenAPIDocument.json)
            let metrics = try await client.request(.get, "/metrics", auth: .none)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
        }
        try await harness.test { client in
            let metrics = try await client.request(.get, "/metrics", auth: .none)
            #expect(metrics.status == .notFound)
            #expect(try metrics.problem().type == "urn:smskit:problem:not-found")
        }
    }
}
