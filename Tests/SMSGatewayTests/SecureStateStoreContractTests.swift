import Foundation
import GRDB
import SMSKitTestSupport
@testable import SecureSMS
import SecureStateSQLite
import Testing
@testable import SMSGateway

/// The backends of `SecureStateStore`: the client/CLI file, the in-memory store and the gateway's SQLite.
enum SecureStoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, file, sqlite
    var testDescription: String { rawValue }
    var persists: Bool { self != .memory }

    /// A store in `dir` for `identity` (reopening the same files when called again).
    func open(_ dir: String, _ identity: Identity) throws -> any SecureStateStore {
        switch self {
        case .memory: MemoryStateStore()
        case .file: try StateFile(path: dir + "/bank.state", identity: identity)
        case .sqlite:
            // The gateway's own schema (migration v4 creates the secure tables).
            try { () throws -> SQLiteSecureStateStore in
                let queue = try DatabaseQueue(path: dir + "/gateway.sqlite")
                try Schema.migrator.migrate(queue)
                return try SQLiteSecureStateStore(writer: queue, identity: identity)
            }()
        }
    }
}

@Suite("SecureStateStore contract: memory, file, SQLite")
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

    @Test(arguments: SecureStoreBackend.allCases) func queriesFindExactlyTheirPeers(backend: SecureStoreBackend) async throws {
        let dir = try TempDir("secure-store")
        defer { dir.remove() }
        let store = try backend.open(dir.path, Self.bank)
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

    @Test(arguments: SecureStoreBackend.allCases) func commitsTimersRemovalAndExpiry(backend: SecureStoreBackend) async throws {
        let dir = try TempDir("secure-store")
        defer { dir.remove() }
        let store = try backend.open(dir.path, Self.bank)
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

    @Test(arguments: SecureStoreBackend.allCases.filter(\.persists)) func reopensAndRefusesAnotherIdentity(backend: SecureStoreBackend) async throws {
        let dir = try TempDir("secure-store")
        defer { dir.remove() }
        var before: StateSnapshot
        do {
            let store = try backend.open(dir.path, Self.bank)
            _ = try await Self.populate(store)
            before = try await store.read(StateQuery(keys: [Self.alice.publicKey, Self.bob.publicKey, Self.stranger.publicKey]))
        }
        let reopened = try backend.open(dir.path, Self.bank)
        var after = try await reopened.read(StateQuery(keys: [Self.alice.publicKey, Self.bob.publicKey, Self.stranger.publicKey]))
        before.peers.sort { $0.key.hex < $1.key.hex }
        after.peers.sort { $0.key.hex < $1.key.hex }
        #expect(after == before)
        #expect(throws: SecureSMSError.self) { _ = try backend.open(dir.path, Self.alice) }
        // Nothing of the state is in clear: not the customer id, not the message, not a chain.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        for name in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/" + name))
            #expect(bytes.range(of: Data("customer-".utf8)) == nil, "\(name)")
            #expect(bytes.range(of: Data("hello from alice".utf8)) == nil, "\(name)")
        }
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
