import Testing
@testable import SecureSMS

@Suite struct HandshakeTests {
    @Test func introReplyAndDataBothWays() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        let first = try client.send(text: "balance?", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        #expect(first.step.outbound.count == 1)
        let frame = try Frame(bytes: first.step.outbound[0].bytes)
        #expect(frame.header.type == .intro)
        var got = bank.receive(first.step.outbound[0].bytes, from: "+client", now: 1)
        #expect(got.messages.map(\.text) == ["balance?"])
        #expect(got.messages.first?.trust == .unverified)  // open enrolment: nobody enrolled this key
        #expect(got.messages.first?.replayProtected == false)  // message 1 is 0-RTT
        #expect(got.messages.first?.peer == Fixtures.client.publicKey)
        let reply = try bank.send(text: "42.00 EUR", to: Fixtures.client.publicKey, number: "+client", now: 1.5)
        #expect(reply.step.outbound.count == 1)
        #expect(try Frame(bytes: reply.step.outbound[0].bytes).header.type == .reply)
        got = client.receive(reply.step.outbound[0].bytes, from: "+bank", now: 2)
        #expect(got.messages.map(\.text) == ["42.00 EUR"])
        #expect(got.deliveredIDs == [first.messageID])
        // The client owes an ack; after the delay it sends a stand-alone ack frame that carries its upgrade
        // ephemeral (v2, §3.3): 25 + 32 bytes, and the bank upgrades on it.
        let ack = client.tick(now: 10)
        #expect(ack.outbound.count == 1)
        #expect(ack.outbound[0].bytes.count == 57)
        got = bank.receive(ack.outbound[0].bytes, from: "+client", now: 11)
        #expect(got.deliveredIDs == [reply.messageID])
        #expect(bank.state.sessions.allSatisfy { $0.upgradeAwaited == nil })
        // So the client's second data message costs 20 bytes, not 52.
        let upgrade = try client.send([UInt8](repeating: 6, count: 113), to: Fixtures.bank.publicKey, number: "+bank", now: 12)
        #expect(upgrade.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 20))
        got = bank.receive(upgrade.step.outbound[0].bytes, from: "+client", now: 12)
        #expect(got.messages.map(\.payload) == [[UInt8](repeating: 6, count: 113)])
        #expect(got.messages.first?.replayProtected == true)
        // Steady state: 20 bytes of overhead.
        let data = try client.send([UInt8](repeating: 7, count: 113), to: Fixtures.bank.publicKey, number: "+bank", now: 12)
        #expect(data.step.outbound.count == 1)
        #expect(data.step.outbound[0].bytes.count == 133)
        #expect(data.cost?.overheadBytes == 20)
        got = bank.receive(data.step.outbound[0].bytes, from: "+client", now: 13)
        #expect(got.messages.map(\.payload) == [[UInt8](repeating: 7, count: 113)])
        #expect(got.messages.first?.trust == .unverified)  // no trust on first use: still unverified
    }

    /// Every byte of an intro — header, the static key in clear, the counter, ciphertext, tag — is
    /// authenticated: changing any one delivers nothing (and is rejected); the intact intro still works.
    @Test func everyByteOfAnIntroIsAuthenticated() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        let intro = try client.send(text: "balance?", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        let bytes = intro.step.outbound[0].bytes
        for offset in bytes.indices {
            var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
            var tampered = bytes
            tampered[offset] ^= 0x01
            let step = bank.receive(tampered, from: "+client", now: 1)
            #expect(step.messages.isEmpty, "byte \(offset)")
            // Byte 0 bit 0 is the `fragmented` flag: that frame waits (bounded, expiring) for fragments.
            #expect(offset == 0 || !step.rejections.isEmpty, "byte \(offset)")
        }
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        #expect(bank.receive(bytes, from: "+client", now: 1).messages.map(\.text) == ["balance?"])
    }

    /// An intro too long for one SMS is fragmented (count byte + 3-byte continuations) and reassembles
    /// in any order; the reply to it completes the session.
    @Test func fragmentedIntroReassemblesOutOfOrder() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        let payload = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        let intro = try client.send(payload, to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        #expect(intro.step.outbound.count == 3)
        #expect(intro.cost?.overheadBytes == 52 + 1 + 2 * 3)
        var delivered: [[UInt8]] = []
        for sms in intro.step.outbound.reversed() {
            delivered += bank.receive(sms.bytes, from: "+client", now: 1).messages.map(\.payload)
        }
        #expect(delivered == [payload])
        let reply = try bank.send(Array("ok".utf8), to: Fixtures.client.publicKey, number: "+client", now: 2)
        #expect(client.receive(reply.step.outbound[0].bytes, from: "+bank", now: 3).messages.map(\.text) == ["ok"])
    }
}
