import Testing
@testable import SecureSMS

/// The byte budget of issue 6, measured on real frames.
@Suite struct BudgetTests {
    @Test func overheadsMatchTheSpecification() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        client.markIntroduced(Fixtures.bank.publicKey)
        bank.pin(Fixtures.client.publicKey, number: "+client")
        // hello (KK): 52 bytes of overhead, 81 bytes of payload in one SMS.
        let hello = try client.send([UInt8](repeating: 1, count: 81), to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        #expect(hello.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 52))
        let got = bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 0)
        #expect(got.messages.first?.trust == .pinned)
        // reply: 49 bytes.
        let reply = try bank.send([UInt8](repeating: 2, count: 84), to: Fixtures.client.publicKey, number: "+client", now: 0)
        #expect(reply.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 49))
        _ = client.receive(reply.step.outbound[0].bytes, from: "+bank", now: 0)
        _ = client.tick(now: 50)
        // data: 20 bytes, 113-byte payload in one SMS, 114 needs two.
        let data = try client.send([UInt8](repeating: 3, count: 113), to: Fixtures.bank.publicKey, number: "+bank", now: 51)
        #expect(data.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 20))
        let text = try client.send(text: String(repeating: "Ab1 ", count: 31) + "x", to: Fixtures.bank.publicKey, number: "+bank", now: 52)
        #expect(text.cost?.segments == 1)
        let big = try client.send([UInt8](repeating: 4, count: 500), to: Fixtures.bank.publicKey, number: "+bank", now: 53)
        #expect(big.cost == MessageCost(segments: 4, wireBytes: 500 + 20 + 1 + 3 * 3, overheadBytes: 30))
        // One tag per message: only the last fragment's bytes hold it; continuations are 3-byte headers.
        #expect(big.step.outbound.count == 4)
    }

    @Test func introCostsNinetySeven() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        let intro = try client.send([UInt8](repeating: 1, count: 36), to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        #expect(intro.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 97))
    }

    @Test func piggyBackedAckAvoidsAStandAloneAck() throws {
        var (client, bank, data) = try AdversaryTests.established()
        _ = bank.receive(data, from: "+client", now: 200)
        let answer = try bank.send(Array("ok".utf8), to: Fixtures.client.publicKey, number: "+client", now: 200.5)
        #expect(answer.step.outbound.count == 1)
        #expect(answer.cost?.overheadBytes == 25)
        let step = client.receive(answer.step.outbound[0].bytes, from: "+bank", now: 201)
        #expect(step.messages.map(\.text) == ["ok"])
        #expect(step.deliveredIDs.count == 1)  // the client's "transfer 10" was acknowledged by the piggy-back
    }
}
