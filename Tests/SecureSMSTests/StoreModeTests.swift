import Synchronization
import Testing
@testable import SecureSMS

/// A `MemoryStateStore` that records how many peers each read returned (the working set of a step),
/// except timer reads, which load every peer that is due (a batch, constant work per peer).
final class CountingStore: SecureStateStore {
    let inner = MemoryStateStore()
    private let loads = Mutex<[Int]>([])

    var largestWorkingSet: Int { loads.withLock { $0.max() ?? 0 } }
    func resetCounts() { loads.withLock { $0 = [] } }

    func read(_ query: StateQuery) throws(SecureSMSError) -> StateSnapshot {
        let snapshot = try inner.read(query)
        if query.dueBy == nil { loads.withLock { $0.append(snapshot.peers.count) } }
        return snapshot
    }
    func write(_ changes: StateChanges) throws(SecureSMSError) { try inner.write(changes) }
    func nextDeadline() throws(SecureSMSError) -> Double? { try inner.nextDeadline() }
    func summary() throws(SecureSMSError) -> StateSummary { try inner.summary() }
    func expire(unverifiedIdleBefore: Double, firstContactsBefore: Double) throws(SecureSMSError) {
        try inner.expire(unverifiedIdleBefore: unverifiedIdleBefore, firstContactsBefore: firstContactsBefore)
    }
}

/// An endpoint run the way `SecureChannel` runs it: each step loads its working set from a store and
/// writes its changes back; nothing is kept in the endpoint between steps.
struct StoreDriven {
    var endpoint: SecureEndpoint
    let store: CountingStore
    let number: String

    @discardableResult
    mutating func step(_ query: StateQuery, _ body: (inout SecureEndpoint) throws -> EndpointStep) throws -> EndpointStep {
        endpoint.load(try store.read(query))
        let step = try body(&endpoint)
        try store.write(endpoint.changes())
        return step
    }

    mutating func receive(_ bytes: [UInt8], from: String, now: Double) throws -> EndpointStep {
        switch endpoint.reassemble(bytes, from: from, now: now) {
        case .incomplete: return EndpointStep()
        case .rejected(let step): return step
        case .frame(let frame):
            return try step(SecureEndpoint.query(for: frame, from: from)) { $0.accept(frame, from: from, now: now) }
        }
    }

    /// Commits every delivered message (the application stored it); returns the steps' SMS and the texts.
    mutating func commitAll(_ step: EndpointStep, now: Double) throws -> (outbound: [OutboundSMS], texts: [String]) {
        var outbound = step.outbound
        for message in step.messages {
            outbound += try self.step(StateQuery(keys: message.receipt.peer.map { [$0] } ?? [])) {
                try $0.commit(message.receipt, now: now)
            }.outbound
        }
        return (outbound, step.messages.map(\.text))
    }

    mutating func tick(now: Double) throws -> EndpointStep {
        try step(StateQuery(dueBy: now)) { $0.tick(now: now) }
    }
}

@Suite struct StoreModeTests {
    /// 200 clients talk to one bank whose state lives in a store that returns only what each step asks
    /// for: every request and every answer arrives exactly once, the handshakes (hello and intro), upgrades,
    /// acks and timers all find their peer, and no bank step but the timer batch loads more than one peer.
    @Test func aBankStepLoadsOnlyThePeerItConcerns() throws {
        let clients = 200
        let bankStore = CountingStore()
        var bank = StoreDriven(endpoint: SecureEndpoint(identity: Fixtures.bank,
                                                        configuration: EndpointConfiguration(role: .bank)),
                               store: bankStore, number: "+bank")
        var phones: [StoreDriven] = []
        for i in 0..<clients {
            let identity = try Identity.generate(seed: [UInt8(i & 0xFF), UInt8(i >> 8)] + [UInt8](repeating: 0x5A, count: 30))
            phones.append(StoreDriven(endpoint: SecureEndpoint(identity: identity), store: CountingStore(), number: "+1555\(1000 + i)"))
            let key = identity.publicKey
            let number = phones[i].number
            try bank.step(StateQuery(keys: [key])) { $0.enrol(key, number: number, customerID: "c\(i)"); return EndpointStep() }
            // Half the clients know the bank holds their key (52-byte hello), half introduce themselves.
            if i.isMultiple(of: 2) {
                try phones[i].step(StateQuery(keys: [Fixtures.bank.publicKey])) { $0.markIntroduced(Fixtures.bank.publicKey); return EndpointStep() }
            }
        }
        bankStore.resetCounts()
        var now = 1_000.0
        var toBank: [(from: String, sms: OutboundSMS)] = []
        var toPhone: [OutboundSMS] = []
        var bankGot: [String] = []
        var phoneGot = [String](repeating: "", count: clients)
        var delivered = 0

        func run(rounds: Int) throws {
            for _ in 0..<rounds {
                while !toBank.isEmpty || !toPhone.isEmpty {
                    for (from, sms) in toBank {
                        let step = try bank.receive(sms.bytes, from: from, now: now)
                        delivered += step.events.count { if case .delivered = $0 { true } else { false } }
                        let (out, texts) = try bank.commitAll(step, now: now)
                        bankGot += texts
                        toPhone += out
                    }
                    toBank = []
                    for sms in toPhone {
                        let i = Int(sms.to.dropFirst(5))! - 1000
                        let step = try phones[i].receive(sms.bytes, from: "+bank", now: now)
                        let (out, texts) = try phones[i].commitAll(step, now: now)
                        phoneGot[i] += texts.joined()
                        toBank += out.map { (phones[i].number, $0) }
                    }
                    toPhone = []
                }
                now += 3  // past the ack delay: owed acks and replies go out
                let step = try bank.tick(now: now)
                delivered += step.events.count { if case .delivered = $0 { true } else { false } }
                toPhone += step.outbound
                for i in 0..<clients { toBank += try phones[i].tick(now: now).outbound.map { (phones[i].number, $0) } }
            }
        }

        for i in 0..<clients {
            let sent = try phones[i].step(StateQuery(keys: [Fixtures.bank.publicKey])) {
                try $0.send(text: "balance \(i)", to: Fixtures.bank.publicKey, number: "+bank", now: now).step
            }
            toBank += sent.outbound.map { (phones[i].number, $0) }
        }
        try run(rounds: 1)
        #expect(Set(bankGot) == Set((0..<clients).map { "balance \($0)" }))
        for i in 0..<clients {
            let key = phones[i].endpoint.identity.publicKey
            toPhone += try bank.step(StateQuery(keys: [key])) {
                try $0.send(text: "answer \(i)", to: key, number: "", now: now).step
            }.outbound
        }
        try run(rounds: 3)
        #expect(phoneGot == (0..<clients).map { "answer \($0)" })
        #expect(delivered == clients)  // every answer acknowledged by its client
        // The client's second message is a 20-byte data frame, whether its session began with hello or intro.
        for i in 0..<clients {
            var result: SecureEndpoint.SendResult?
            try phones[i].step(StateQuery(keys: [Fixtures.bank.publicKey])) {
                result = try $0.send(Array("again \(i)".utf8), to: Fixtures.bank.publicKey, number: "+bank", now: now)
                return result!.step
            }
            let sent = try #require(result)
            #expect(sent.cost?.overheadBytes == 20)
            toBank += sent.step.outbound.map { (phones[i].number, $0) }
        }
        try run(rounds: 2)
        #expect(bankGot.count == 2 * clients)
        #expect(Set(bankGot.suffix(clients)) == Set((0..<clients).map { "again \($0)" }))
        #expect(try bankStore.summary().unacknowledged == 0)
        #expect(bankStore.inner.state.peers.count == clients)
        #expect(bankStore.largestWorkingSet == 1)
    }
}
