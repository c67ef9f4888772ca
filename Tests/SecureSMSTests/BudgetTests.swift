import Testing
@testable import SecureSMS

/// The byte budget of issue 6, measured on real frames.
@Suite struct BudgetTests {
    @Test func overheadsMatchTheSpecification() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        client.markIntroduced(Fixtures.bank.publicKey)
        bank.enrol(Fixtures.client.publicKey, number: "+client", customerID: "c-1")
        // hello (KK): 52 bytes of overhead, 81 bytes of payload in one SMS.
        let hello = try client.send([UInt8](repeating: 1, count: 81), to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        #expect(hello.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 52))
        let got = bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 0)
        #expect(got.messages.first?.trust == .enrolled)
        #expect(got.messages.first?.customerID == "c-1")
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

    /// The very first message from a client the bank has never seen (only the bank's key is pinned):
    /// 52 bytes of overhead at most, and the bank's reply to it 49.
    @Test func firstContactFromAnUnknownClientFitsFiftyTwo() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        let intro = try client.send([UInt8](repeating: 1, count: 81), to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        #expect(intro.step.outbound.count == 1)
        #expect(try Frame(bytes: intro.step.outbound[0].bytes).header.type == .intro)
        #expect(intro.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 52))
        let got = bank.receive(intro.step.outbound[0].bytes, from: "+client", now: 0)
        #expect(got.messages.map(\.payload) == [[UInt8](repeating: 1, count: 81)])
        #expect(got.messages.first?.trust == .unverified)
        let reply = try bank.send([UInt8](repeating: 2, count: 84), to: Fixtures.client.publicKey, number: "+client", now: 1)
        #expect(reply.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 49))
        let back = client.receive(reply.step.outbound[0].bytes, from: "+bank", now: 2)
        #expect(back.messages.map(\.payload) == [[UInt8](repeating: 2, count: 84)])
        // The client's second flight brings its upgrade ephemeral once: +32 (52 bytes, 81 of payload)...
        let upgrade = try client.send([UInt8](repeating: 3, count: 81), to: Fixtures.bank.publicKey, number: "+bank", now: 3)
        #expect(upgrade.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 52))
        #expect(bank.receive(upgrade.step.outbound[0].bytes, from: "+client", now: 3).messages.count == 1)
        // ...and every later data frame, either way, costs 20 again.
        for i in 0..<3 {
            let data = try client.send([UInt8](repeating: 4, count: 113), to: Fixtures.bank.publicKey, number: "+bank", now: 4 + Double(i))
            #expect(data.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 20))
            #expect(bank.receive(data.step.outbound[0].bytes, from: "+client", now: 4 + Double(i)).messages.count == 1)
            let answer = try bank.send([UInt8](repeating: 5, count: 108), to: Fixtures.client.publicKey, number: "+client",
                                       now: 4.5 + Double(i))
            #expect(answer.step.outbound.count == 1)
            #expect(answer.step.outbound.allSatisfy { $0.bytes.count <= 133 })
            #expect(client.receive(answer.step.outbound[0].bytes, from: "+bank", now: 4.5 + Double(i)).messages.count == 1)
        }
    }

    /// Two intros to the same bank never share a key/nonce: each carries a fresh, persisted counter.
    @Test func introCountersNeverRepeat() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        let first = try client.send([1], to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        client.rekey(peer: Fixtures.bank.publicKey)
        let second = try client.send([1], to: Fixtures.bank.publicKey, number: "+bank", now: 1)
        let a = try Frame(bytes: first.step.outbound[0].bytes)
        let b = try Frame(bytes: second.step.outbound[0].bytes)
        #expect(a.header.type == .intro && b.header.type == .intro)
        #expect(a.counter != b.counter)
        #expect(a.body != b.body)
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

    /// A DH ratchet step (§4.1) is the one data frame above 20: 20 + 32 = 52 bytes, 81 bytes of payload in one
    /// SMS; the frames after it cost 20 again.
    @Test func aRatchetStepCostsFiftyTwo() throws {
        let configuration = EndpointConfiguration(commitOnDelivery: true, ratchetEvery: 0, ratchetInterval: 60)
        var client = Fixtures.endpoint(Fixtures.client, tag: 1, configuration: configuration)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2, configuration: configuration)
        client.markIntroduced(Fixtures.bank.publicKey)
        bank.enrol(Fixtures.client.publicKey, number: "+client")
        let hello = try client.send([1], to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        _ = bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 0)
        let reply = try bank.send([2], to: Fixtures.client.publicKey, number: "+client", now: 1)
        _ = client.receive(reply.step.outbound[0].bytes, from: "+bank", now: 1)
        for sms in client.tick(now: 10).outbound { _ = bank.receive(sms.bytes, from: "+client", now: 10) }
        let step = try client.send([UInt8](repeating: 3, count: 81), to: Fixtures.bank.publicKey, number: "+bank", now: 100)
        #expect(step.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 52))
        #expect(bank.receive(step.step.outbound[0].bytes, from: "+client", now: 100).messages.count == 1)
        let after = try client.send([UInt8](repeating: 4, count: 113), to: Fixtures.bank.publicKey, number: "+bank", now: 101)
        #expect(after.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 20))
        #expect(bank.receive(after.step.outbound[0].bytes, from: "+client", now: 101).messages.count == 1)
    }
}
