import Foundation
import Logging
import PostgresNIO

/// A value bound to a `?` of a statement (PostgreSQL's `$n`): the store's few column types.
protocol PGBindable: Sendable {
    func bind(to bindings: inout PostgresBindings)
}

extension String: PGBindable { func bind(to b: inout PostgresBindings) { b.append(self) } }
extension Int: PGBindable { func bind(to b: inout PostgresBindings) { b.append(self) } }
extension Int64: PGBindable { func bind(to b: inout PostgresBindings) { b.append(self) } }
extension Double: PGBindable { func bind(to b: inout PostgresBindings) { b.append(self) } }
extension Bool: PGBindable { func bind(to b: inout PostgresBindings) { b.append(self) } }
extension Data: PGBindable { func bind(to b: inout PostgresBindings) { b.append(ByteBuffer(bytes: self)) } }
extension Array: PGBindable where Element == Int64 {
    func bind(to b: inout PostgresBindings) { b.append(self) }
}
extension Array where Element == String {
    var pgArray: PGTextArray { PGTextArray(values: self) }
}
/// A `text[]` bind (`= ANY(?)`).
struct PGTextArray: PGBindable {
    var values: [String]
    func bind(to b: inout PostgresBindings) { b.append(values) }
}
extension Optional: PGBindable where Wrapped: PGBindable {
    func bind(to b: inout PostgresBindings) {
        switch self {
        case .some(let v): v.bind(to: &b)
        case .none: b.appendNull()
        }
    }
}

/// One result row, read by column name.
struct PGRow: @unchecked Sendable {
    // PostgresRandomAccessRow is a value of immutable buffers; it is only read.
    let row: PostgresRandomAccessRow
    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    /// The column `name` as `T` (use an optional `T` for nullable columns).
    func get<T: PostgresDecodable>(_ name: String, as: T.Type = T.self) throws -> T {
        guard row.contains(name) else { throw GatewayError.storeUnavailable("result has no column \(name)") }
        return try row[name].decode(T.self)
    }
    subscript<T: PostgresDecodable>(_ name: String) -> T {
        get throws { try get(name) }
    }
}

/// Work to announce to the other hosts once a transaction commits (`NOTIFY`).
struct TxNotes: OptionSet, Sendable {
    let rawValue: Int
    /// Messages became claimable (accepted, retried, rescued).
    static let send = TxNotes(rawValue: 1)
    /// An inbox message was committed.
    static let inbox = TxNotes(rawValue: 2)
    /// Outbox deliveries were committed (webhooks, callbacks, Kannel forwarding).
    static let outbox = TxNotes(rawValue: 4)
    /// Work for the secure engine (a secure message accepted, a peer to enrol or revoke, a frame
    /// received), or a peer change another host waits for. Rung on this host too.
    static let secure = TxNotes(rawValue: 8)
}

/// One connection inside one transaction: statements take `?` placeholders.
final class PGTx: @unchecked Sendable {
    // Used by one task at a time (the transaction's); `notes` only from that task.
    let connection: PostgresConnection
    let logger: Logger
    var notes: TxNotes = []

    init(_ connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs `sql` and returns its rows.
    @discardableResult
    func rows(_ sql: String, _ args: [any PGBindable] = []) async throws -> [PGRow] {
        var binds = PostgresBindings(capacity: args.count)
        for a in args { a.bind(to: &binds) }
        let sequence = try await connection.query(PostgresQuery(unsafeSQL: PGSQL.numbered(sql), binds: binds), logger: logger)
        var out: [PGRow] = []
        for try await row in sequence { out.append(PGRow(row)) }
        return out
    }

    /// Runs a statement for its effect.
    func exec(_ sql: String, _ args: [any PGBindable] = []) async throws {
        try await rows(sql, args)
    }

    /// The first row, if any.
    func one(_ sql: String, _ args: [any PGBindable] = []) async throws -> PGRow? {
        try await rows(sql, args).first
    }

    /// The first column of the first row (nil when no row or NULL).
    func scalar<T: PostgresDecodable>(_ sql: String, _ args: [any PGBindable] = [], as: T.Type = T.self) async throws -> T?
    where T._DecodableType == T {
        guard let r = try await rows(sql, args).first else { return nil }
        guard r.row.count > 0 else { return nil }
        return try r.row[0].decode(T?.self)
    }

    /// A transaction-scoped advisory lock on `key` (released at commit or rollback): serialises the
    /// transactions that take the same key across every host.
    func lock(_ key: String) async throws {
        try await exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [key])
    }
}

enum PGSQL {
    /// `?` → `$1, $2, …` outside quoted literals and identifiers.
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var quote: Character?
        for c in sql {
            if let q = quote {
                if c == q { quote = nil }
                out.append(c)
            } else if c == "'" || c == "\"" {
                quote = c
                out.append(c)
            } else if c == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// The database server's clock in epoch seconds (leases use it, so hosts' clocks need not agree).
    static let dbNow = "extract(epoch from clock_timestamp())::float8"

    /// The SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        if let e = error as? PSQLError { return e.serverInfo?[.sqlState] }
        if let e = error as? PostgresTransactionError {
            return e.closureError.flatMap(sqlState) ?? e.commitError.flatMap(sqlState)
        }
        return nil
    }
}
