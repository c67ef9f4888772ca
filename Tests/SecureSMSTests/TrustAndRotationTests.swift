import Testing
@testable import SecureSMS

@Suite struct TrustAndRotationTests {
    @Test func peerStoreClassifiesNumberAndKeyChanges() throws {
        var peers = PeerStore()
        let a = Fixtures.client.publicKey
        let m = Fixtures.mallory.publicKey
        #expect(try peers.observe(a, number: "+1") == .new)
        #expect(try peers.observe(a, number: "+1") == .pinned)
        #expect(try peers.observe(a, number: "+2") == .changed)  // known key, new number (porting, SIM change)
        #expect(try peers.observe(m, number: "+1") == .changed)  // known number, unknown key (SIM swap, hijack)
        #expect(try peers.observe(m, number: "+1") == .changed)  // stays changed until the user confirms
        peers.pin(m, number: "+1")
        #expect(try peers.observe(m, number: "+1") == .pinned)
        peers.revoke(a)
        #expect(throws: SecureSMSError.revoked(fingerprint: a.fingerprint)) { try peers.observe(a, number: "+1") }
        #expect(peers.candidates(keyID: a.keyID).isEmpty)
    }

    @Test func knownKeyFromNewNumberIsReportedChanged() throws {
        var (client, bank, data) = try AdversaryTests.established()
        _ = bank.receive(data, from: "+client", now: 200)
        // The client's number changed: a new session from "+ported" authenticates as the same key.
        client.rekey(peer: Fixtures.bank.publicKey)
        let hello = try client.send(text: "new phone", to: Fixtures.bank.publicKey, number: "+bank", now: 300)
        #expect(try Frame(bytes: hello.step.outbound[0].bytes).header.type == .hello)
        let step = bank.receive(hello.step.outbound[0].bytes, from: "+ported", now: 301)
        #expect(step.messages.map(\.text) == ["new phone"])
        #expect(step.messages.first?.trust == .changed)
        #expect(step.messages.first?.peer == Fixtures.client.publicKey)
    }

    @Test func rekeyStartsAFreshSessionWithA52ByteHello() throws {
        var (client, bank, data) = try AdversaryTests.established()
        _ = bank.receive(data, from: "+client", now: 200)
        client.rekey(peer: Fixtures.bank.publicKey)
        let hello = try client.send([UInt8](repeating: 9, count: 10), to: Fixtures.bank.publicKey, number: "+bank", now: 300)
        #expect(hello.cost?.overheadBytes == 52)
        let got = bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 301)
        #expect(got.messages.first?.trust == .pinned)
        let flushed = bank.tick(now: 400)  // ack for the old session's data + the new session's reply
        #expect(flushed.outbound.count == 2)
        let delivered = flushed.outbound.flatMap { client.receive($0.bytes, from: "+bank", now: 401).deliveredIDs }
        #expect(delivered.contains(hello.messageID))
        // The new session has fresh keys: its first data frame differs in key from the old session's counter 1.
        let next = try client.send(Array("after rekey".utf8), to: Fixtures.bank.publicKey, number: "+bank", now: 402)
        #expect(try Frame(bytes: next.step.outbound[0].bytes).counter == 1)
        #expect(bank.receive(next.step.outbound[0].bytes, from: "+client", now: 403).messages.map(\.text) == ["after rekey"])
    }

    @Test func unknownKeyIDInHelloIsATypedError() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        client.markIntroduced(Fixtures.bank.publicKey)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        let hello = try client.send(text: "hi", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        let step = bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 0)
        #expect(step.rejections == [.unknownPeer(keyID: Hex.encode(Fixtures.client.publicKey.keyID))])
    }
}
