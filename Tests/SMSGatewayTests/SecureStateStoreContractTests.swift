import Foundation
import GRDB
import SMSKitTestSupport
@testable import SecureSMS
import SecureStateSQLite
import Testing
@testable import SMSGateway

/// The backends of `SecureStateStore`: the client/CLI file, the in-memory store, the gateway's SQLite
/// and the cluster's PostgreSQL (when a server is there).
enum SecureStoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, file, sqlite, postgres
    var testDescription: String { rawValue }
    var persists: Bool { self != .memory }

    /// The backends this machine can run.
    static var available: [SecureStoreBackend] { postgresTestURL == nil ? [.memory, .file, .sqlite] : allCases }

    /// A store in `dir` for `identity` (reopening the same data when called again: PostgreSQL's
    /// schema is named after `dir`, and a reopen is a restart under the same node name).
    func open(_ dir: String, _ identity: Identity) async throws -> any SecureStateStore {
        switch self {
        case .memory: return MemoryStateStore()
        case .file: return try StateFile(path: dir + "/bank.state", identity: identity)
        case .sqlite:
            // The gateway's own schema (migration v4 creates the secure tables).
            let queue = try DatabaseQueue(path: dir + "/gateway.sqlite")
            try Schema.migrator.migrate(queue)
            return try SQLiteSecureStateStore(writer: queue, identity: identity)
        case .postgres:
            let url = try #require(postgresTestURL)
            let schema = "sec_" + String(UInt64(bitPattern: Int64(dir.hashValue)), radix: 16)
            let store = try await PostgresStore.open(url: url, options: .init(node: "contract-" + schema, maxConnections: 2,
                                                                              schema: schema, joinCluster: false),
                                                     logger: quietLogger)
            let epoch = try #require(try await store.takeSecureEngine(now: Date()))
            return try await PostgresSecureStateStore(store: store, identity: identity, epoch: epoch)
        }
    }
}

@Suite("SecureStateStore contract: memory, file, SQLite, PostgreSQL")
struct SecureStateStoreContractTests {
    static let bank = try! Identity.generate(seed: [UInt8](repeating: 0xB0, count: 32))
    static let alice = try! Identity.generate(seed: [UInt8](repeating: 0xA1, count: 32))
    static let bob = try! Identity.generate(seed: [UInt8](repeating: 0xB1, count: 32))
    static let stranger = try! Identity.generate(seed: [UInt8](repeating: 0x57, count: 32))
    static let bankConfiguration = EndpointConfiguration(
        role: .bank, enrolment: EnrolmentPolicy(open: true, unverifiedIdleExpiry: 100))

    /// One engine step in store mode.
    static func step(_ endpoint: inout SecureEndpoint, _ store: any SecureStateStore, _ query: StateQuery,
                     _ body: (inout SecureEndpoint) throws -> EndpointStep) async throws -> EndpointStep {
        endpoint.load(try await store.read(query))
        let step = try body(&endpoint)
        try await store.write(endpoint.changes())
        return step
    }

    static func receive(_ endpoint: inout SecureEndpoint, _ store: any SecureStateStore, _ bytes: [UInt8], from: String,
                        now: Double) async throws -> EndpointStep {
        guard case .frame(let frame) = endpoint.reassemble(bytes, from: from, now: now) else { return EndpointStep() }
        return try await step(&endpoint, store, SecureEndpoint.query(for: frame, from: from)) {
            $0.accept(frame, from: from, now: now)
        }
    }

    /// Alice and Bob enrolled; Alice's hello delivered (uncommitted: inbox held, reply owed); a stranger's
    /// intro accepted as unverified. Returns the bank endpoint.
    static func populate(_ store: any SecureStateStore) async throws -> SecureEndpoint {
        var bank = SecureEndpoint(identity: Self.bank, configuration: bankConfiguration)
        for (who, number) in [(alice, "+1001"), (bob, "+1002")] {
            _ = try await step(&bank, store, StateQuery(keys: [who.publicKey])) {
                $0.enrol(who.publicKey, number: number, customerID: "customer-\(number)")
                return EndpointStep()
            }
        }
        var a = SecureEndpoint(identity: alice)
        a.markIntroduced(Self.bank.publicKey)
        let hello = try a.send(text: "hello from alice", to: Self.bank.publicKey, number: "+bank", now: 10).step.outbound
        var s = SecureEndpoint(identity: stranger)
        let intro = try s.send(text: "who am i", to: Self.bank.publicKey, number: "+bank", now: 10).step.outbound
        #expect(try await receive(&bank, store, hello[0].bytes, from: "+1001", now: 10).messages.map(\.text) == ["hello from alice"])
        #expect(try await receive(&bank, store, intro[0].bytes, from: "+1999", now: 10).messages.map(\.text) == ["who am i"])
        return bank
    }

    @Test(arguments: SecureStoreBackend.available) func queriesFindExactlyTheirPeers(backend: SecureStoreBackend) async throws {
        let dir = try TempDir("secure-store")
        defer { dir.remove() }
        let store = try await backend.open(dir.path, Self.bank)
        _ = try await Self.populate(store)
        func keys(_ query: StateQuery) async throws -> Set<PublicKey> { Set(try await store.read(query).peers.map(\.key)) }
        let (a, b, u) = (Self.alice.publicKey, Self.bob.publicKey, Self.stranger.publicKey)
        #expect(try await keys(StateQuery(keys: [b])) == [b])
        #expect(try await keys(StateQuery(keyID: a.keyID)) == [a])
        #expect(try await keys(StateQuery(number: "+1002")) == [b])
        #expect(try await keys(StateQuery(number: "+1999")) == [u])   // the number the stranger's intro came from
        #expect(try await keys(StateQuery(number: "+0000")) == [])
        #expect(try await keys(StateQuery(holdingInbox: true)) == [a, u])
        #expect(try await keys(StateQuery(dueBy: 11)) == [])
        #expect(try await keys(StateQuery(dueBy: 12)) == [a, u])       // replies owed after the 2 s ack delay
        let snapshot = try await store.read(StateQuery(number: "+1999", totals: true))
        #expect(snapshot.unverifiedTotal == 1)
        #expect(snapshot.numberFirstContacts["+1999"]?.count == 1 && snapshot.trackedNumbersTotal == 1)
        #expect(snapshot.counters.nextSessionID == 3)
        let record = try #require(try await store.read(StateQuery(keys: [a])).peers.first?.record)
        #expect(record.customerID == "customer-+1001" && record.number == "+1001" && record.trust == .enrolled)
        #expect(try await store.nextDeadline() == 12)
        #expect(try await store.summary().outstanding == 0)
    }

    @Test(arguments: SecureStoreBackend.available) func commitsTimersRemovalAndExpiry(backend: SecureStoreBackend) async throws {
        let dir = try TempDir("secure-store")
        defer { dir.remove() }
        let store = try await backend.open(dir.path, Self.bank)
        var bank = try await Self.populate(store)
        // The application commits Alice's message; the tick then sends the reply and holds no inbox.
        let pending = try await store.read(StateQuery(holdingInbox: true))
        bank.load(pending)
        for message in bank.pendingMessages {
            _ = try await Self.step(&bank, store, StateQuery(keys: [message.peer])) { try $0.commit(message.receipt, now: 11) }
        }
        #expect(try await store.read(StateQuery(holdingInbox: true)).peers.isEmpty)
        let tick = try await Self.step(&bank, store, StateQuery(dueBy: 12)) { $0.tick(now: 12) }
        #expect(Set(tick.outbound.map(\.to)) == ["+1001", "+1999"])  // each reply to its record's number
        // Re-enrolling Bob at a new number moves the number index.
        _ = try await Self.step(&bank, store, StateQuery(keys: [Self.bob.publicKey])) {
            $0.enrol(Self.bob.publicKey, number: "+2002")
            return EndpointStep()
        }
        #expect(try await store.read(StateQuery(number: "+1002")).peers.isEmpty)
        #expect(try await store.read(StateQuery(number: "+2002")).peers.map(\.key) == [Self.bob.publicKey])
        // Removing Bob deletes his row and his numbers.
        _ = try await Self.step(&bank, store, StateQuery(keys: [Self.bob.publicKey])) {
            EndpointStep(events: $0.remove(peer: Self.bob.publicKey))
        }
        #expect(try await store.read(StateQuery(keys: [Self.bob.publicKey], number: "+2002")).peers.isEmpty)
        // The idle stranger (unverified, nothing in flight) expires; Alice (enrolled) stays.
        try await store.expire(unverifiedIdleBefore: 200, firstContactsBefore: 200)
        #expect(try await store.read(StateQuery(keys: [Self.stranger.publicKey])).peers.isEmpty)
        let totals = try await store.read(StateQuery(number: "+1999", totals: true))
        #expect(totals.unverifiedTotal == 0 && totals.trackedNumbersTotal == 0 && totals.numberFirstContacts.isEmpty)
        #expect(try await store.read(StateQuery(keys: [Self.alice.publicKey])).peers.count == 1)
    }

    @Test(arguments: SecureStoreBackend.available.filter(\.persists)) func reopensAndRefusesAnotherIdentity(backend: SecureStoreBackend) async throws {
        let dir = try TempDir("secure-store")
        defer { dir.remove() }
        var before: StateSnapshot
        do {
            let store = try await backend.open(dir.path, Self.bank)
            _ = try await Self.populate(store)
            before = try await store.read(StateQuery(keys: [Self.alice.publicKey, Self.bob.publicKey, Self.stranger.publicKey]))
        }
        let reopened = try await backend.open(dir.path, Self.bank)
        var after = try await reopened.read(StateQuery(keys: [Self.alice.publicKey, Self.bob.publicKey, Self.stranger.publicKey]))
        before.peers.sort { $0.key.hex < $1.key.hex }
        after.peers.sort { $0.key.hex < $1.key.hex }
        #expect(after == before)
        await #expect(throws: SecureSMSError.self) { _ = try await backend.open(dir.path, Self.alice) }
        // Nothing of the state is in clear: not the customer id, not the message, not a chain.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        for name in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/" + name))
            #expect(bytes.range(of: Data("customer-".utf8)) == nil, "\(name)")
            #expect(bytes.range(of: Data("hello from alice".utf8)) == nil, "\(name)")
        }
    }

    /// The cluster's one-writer rule: the engine lease's epoch fences every write of the state.
    @Test(.enabled(if: postgresTestURL != nil, "SMSKIT_TEST_POSTGRES_URL is not set: scripts/test.sh starts a throwaway PostgreSQL and sets it"))
    func aHostThatLostTheSecureEngineLeaseCannotWriteTheState() async throws {
        let url = try #require(postgresTestURL)
        let schema = "fence_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        func host(_ name: String) async throws -> PostgresStore {
            try await PostgresStore.open(url: url, options: .init(node: name, leaseTimeout: .seconds(1), maxConnections: 2, schema: schema),
                                         logger: quietLogger)
        }
        let a = try await host("fence-a"), b = try await host("fence-b")
        let epochA = try #require(try await a.takeSecureEngine(now: Date()))
        #expect(try await b.takeSecureEngine(now: Date()) == nil, "a live holder keeps the engine")
        let stateA = try await PostgresSecureStateStore(store: a, identity: Self.bank, epoch: epochA)
        _ = try await Self.populate(stateA)
        #expect(try await a.renewSecureEngine(epoch: epochA))

        // A stalls past the lease timeout; B takes the engine with the next epoch.
        var epochB: Int64?
        let deadline = ContinuousClock.now + .seconds(10)
        while epochB == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            epochB = try await b.takeSecureEngine(now: Date())
        }
        let taken = try #require(epochB)
        #expect(taken == epochA + 1)
        let stateB = try await PostgresSecureStateStore(store: b, identity: Self.bank, epoch: taken)

        // A's late write is refused and changes nothing; its lease cannot be renewed.
        let before = try await stateB.read(StateQuery(keys: [Self.alice.publicKey], totals: true))
        var late = before.counters
        late.nextMessageID += 1000
        do {
            try await stateA.write(StateChanges(counters: late))
            Issue.record("a write under a lost lease went through")
        } catch {
            #expect("\(error)".contains("no longer holds the secure engine"), "\(error)")
        }
        await #expect(throws: SecureSMSError.self) {
            try await stateA.expire(unverifiedIdleBefore: 1e12, firstContactsBefore: 1e12)
        }
        #expect(try await a.renewSecureEngine(epoch: epochA) == false)
        let after = try await stateB.read(StateQuery(keys: [Self.alice.publicKey], totals: true))
        #expect(after == before, "the state is what B took over")
        #expect(after.peers.map(\.key) == [Self.alice.publicKey], "the state is shared: B reads what A wrote")
        // The new holder writes.
        var next = after.counters
        next.nextMessageID += 1
        try await stateB.write(StateChanges(counters: next))
        #expect(try await stateB.read(StateQuery()).counters == next)
        await a.close()
        await b.close()
    }

    /// A sealed row moved to another peer's key, or modified, does not open.
    @Test func aSQLiteRowMovedOrModifiedIsRejected() async throws {
        let dir = try TempDir("secure-store")
        defer { dir.remove() }
        let queue = try DatabaseQueue(path: dir.path + "/gateway.sqlite")
        try SQLiteSecureStateStore.prepare(queue)  // a database of its own
        let store = try SQLiteSecureStateStore(writer: queue, identity: Self.bank)
        _ = try await Self.populate(store)
        try await queue.write { db in
            try db.execute(sql: "UPDATE secure_peers SET sealed = (SELECT sealed FROM secure_peers WHERE key = ?) WHERE key = ?",
                           arguments: [Data(Self.alice.publicKey.bytes), Data(Self.bob.publicKey.bytes)])
        }
        await #expect(throws: SecureSMSError.self) { _ = try await store.read(StateQuery(keys: [Self.bob.publicKey])) }
        try await queue.write { db in
            try db.execute(sql: "UPDATE secure_peers SET sealed = substr(sealed, 1, 40) || x'00' || substr(sealed, 42) WHERE key = ?",
                           arguments: [Data(Self.alice.publicKey.bytes)])
        }
        await #expect(throws: SecureSMSError.self) { _ = try await store.read(StateQuery(keys: [Self.alice.publicKey])) }
        #expect(try await store.read(StateQuery(keys: [Self.stranger.publicKey])).peers.count == 1)
    }
}
