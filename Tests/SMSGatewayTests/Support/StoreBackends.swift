import Foundation
import SMSKitTestSupport
import Logging
import Testing
@testable import SMSGateway

/// The URL of a PostgreSQL server for the tests (scripts/test.sh starts a throwaway one), or nil.
let postgresTestURL: String? = {
    let url = ProcessInfo.processInfo.environment["SMSKIT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    if url == nil {
        print("PostgreSQL store tests skipped: SMSKIT_TEST_POSTGRES_URL is not set (scripts/test.sh starts a throwaway server and sets it)")
    }
    return url
}()

/// A store backend the contract tests run against.
struct StoreBackend: Sendable, CustomTestStringConvertible {
    enum Kind: Sendable { case sqlite, postgres }
    let kind: Kind
    var testDescription: String { kind == .sqlite ? "SQLite" : "PostgreSQL" }

    static let sqlite = StoreBackend(kind: .sqlite)
    static let postgres = StoreBackend(kind: .postgres)

    /// A fresh, empty store of this backend.
    func make(_ name: String = #function) async throws -> StoreHandle {
        switch kind {
        case .sqlite:
            let (store, path) = try makeStore(name)
            return StoreHandle(store: store, reopenBody: { _ in try SQLiteStore(path: path) })
        case .postgres:
            guard let url = postgresTestURL else { throw TestFailure("no PostgreSQL server (SMSKIT_TEST_POSTGRES_URL)") }
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
            let node = "test-" + schema
            let options = PostgresStore.Options(node: node, leaseTimeout: .seconds(15), maxConnections: 8, schema: schema)
            let store = try await PostgresStore.open(url: url, options: options, logger: quietLogger)
            return StoreHandle(store: store, reopenBody: { old in
                // A restart after a crash: the old process's connections drop, its leases stay.
                await (old as? PostgresStore)?.close()
                return try await PostgresStore.open(url: url, options: options, logger: quietLogger)
            })
        }
    }
}

/// Every backend with a server here: SQLite always, PostgreSQL when SMSKIT_TEST_POSTGRES_URL is set.
let storeBackends: [StoreBackend] = postgresTestURL == nil ? [.sqlite] : [.sqlite, .postgres]

let quietLogger = Logger(label: "smskit.test", factory: { _ in SwiftLogNoOpLogHandler() })

/// A store under test and a way to restart on the same data.
final class StoreHandle: @unchecked Sendable {
    // Mutated only by the test that owns it, one step at a time.
    private(set) var store: any GatewayStore
    private let reopenBody: @Sendable (any GatewayStore) async throws -> any GatewayStore

    init(store: any GatewayStore, reopenBody: @escaping @Sendable (any GatewayStore) async throws -> any GatewayStore) {
        self.store = store
        self.reopenBody = reopenBody
    }

    /// The store opened again on the same data, as after a crash (PostgreSQL: the old handle's
    /// connections close first, as a killed process's would).
    func reopen() async throws -> any GatewayStore {
        store = try await reopenBody(store)
        return store
    }

    func close() async { await (store as? PostgresStore)?.close() }
}
