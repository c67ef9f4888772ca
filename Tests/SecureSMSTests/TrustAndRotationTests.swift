import Testing
@testable import SecureSMS

@Suite struct TrustAndRotationTests {
    @Test func peerDirectoryIndexesByKeyIDAndCountsUnverified() throws {
        var peers = PeerDirectory()
        let a = Fixtures.client.publicKey
        let m = Fixtures.mallory.publicKey
        peers[a] = PeerRecord(key: a, trust: .enrolled, customerID: "c-1", number: "+1")
        peers[m] = PeerRecord(key: m, trust: .unverified, number: "+2")
        #expect(peers.candidates(keyID: a.keyID) == [a])
        #expect(peers.unverifiedCount == 1)
        peers[m] = nil
        #expect(peers.unverifiedCount == 0)
        #expect(peers.candidates(keyID: m.keyID).isEmpty)
        peers[a]?.revoked = true
        #expect(peers.candidates(keyID: a.keyID).isEmpty)
    }

    /// v2: trust and routing never follow a number. A known key writing from a new number is delivered with
    /// `fromRecordedNumber == false`, keeps its trust, and the answer still goes to the recorded number.
    @Test func knownKeyFromNewNumberKeepsTrustAndRouting() throws {
        var (client, bank, data) = try AdversaryTests.established()
        _ = bank.receive(data, from: "+client", now: 200)
        client.rekey(peer: Fixtures.bank.publicKey)
        let hello = try client.send(text: "new phone", to: Fixtures.bank.publicKey, number: "+bank", now: 300)
        #expect(try Frame(bytes: hello.step.outbound[0].bytes).header.type == .hello)
        let step = bank.receive(hello.step.outbound[0].bytes, from: "+ported", now: 301)
        #expect(step.messages.map(\.text) == ["new phone"])
        #expect(step.messages.first?.trust == .unverified)
        #expect(step.messages.first?.fromRecordedNumber == false)
        let answer = try bank.send(text: "ok", to: Fixtures.client.publicKey, number: "+ported", now: 302)
        #expect(answer.step.outbound.allSatisfy { $0.to == "+client" })
    }

    @Test func rekeyStartsAFreshSessionWithA52ByteHello() throws {
        var (client, bank, data) = try AdversaryTests.established()
        _ = bank.receive(data, from: "+client", now: 200)
        client.rekey(peer: Fixtures.bank.publicKey)
        let hello = try client.send([UInt8](repeating: 9, count: 10), to: Fixtures.bank.publicKey, number: "+bank", now: 300)
        #expect(hello.cost?.overheadBytes == 52)
        let got = bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 301)
        #expect(got.messages.first?.trust == .unverified)
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
        #expect(step.rejections == [.unknownPeer(keyID: TestHex.encode(Fixtures.client.publicKey.keyID))])
    }
}
