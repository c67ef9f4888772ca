import Testing
@testable import SecureSMS

/// The upgrade of intro sessions (protocol.md §3.3): the client's first data frame brings an ephemeral,
/// after which a leak of the client's static key (even with the bank's) no longer opens the session.
@Suite struct IntroUpgradeTests {
    /// Intro, reply, then the client's upgrade frame and one more message each way, all delivered.
    struct Transcript {
        var client: SecureEndpoint
        var bank: SecureEndpoint
        var intro: [UInt8]
        var reply: [UInt8]
        var upgrade: [UInt8]
        var later: [UInt8]
        var answer: [UInt8]
    }

    static func transcript() throws -> Transcript {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        let intro = try client.send(text: "balance?", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        _ = bank.receive(intro.step.outbound[0].bytes, from: "+client", now: 0)
        let reply = try bank.send(text: "42.00 EUR", to: Fixtures.client.publicKey, number: "+client", now: 1)
        _ = client.receive(reply.step.outbound[0].bytes, from: "+bank", now: 1)
        let upgrade = try client.send(text: "transfer 10", to: Fixtures.bank.publicKey, number: "+bank", now: 2)
        #expect(bank.receive(upgrade.step.outbound[0].bytes, from: "+client", now: 2).messages.map(\.text) == ["transfer 10"])
        let later = try client.send(text: "transfer 20", to: Fixtures.bank.publicKey, number: "+bank", now: 3)
        #expect(bank.receive(later.step.outbound[0].bytes, from: "+client", now: 3).messages.map(\.text) == ["transfer 20"])
        let answer = try bank.send(text: "done", to: Fixtures.client.publicKey, number: "+client", now: 4)
        #expect(client.receive(answer.step.outbound[0].bytes, from: "+bank", now: 4).messages.map(\.text) == ["done"])
        return Transcript(client: client, bank: bank, intro: intro.step.outbound[0].bytes, reply: reply.step.outbound[0].bytes,
                          upgrade: upgrade.step.outbound[0].bytes, later: later.step.outbound[0].bytes,
                          answer: answer.step.outbound[0].bytes)
    }

    /// An attacker holding the client's static secret (and, for the upgrade, the bank's too) replays the
    /// handshake from the public transcript: it opens message 1 and the reply (what §3.1 concedes), but
    /// no data frame after the upgrade, in either direction.
    @Test func leakedStaticKeysDoNotOpenFramesAfterTheUpgrade() throws {
        let t = try Self.transcript()
        let intro = try Frame(bytes: t.intro)
        let reply = try Frame(bytes: t.reply)
        // What anyone with s_i computes: the intro's state, then the reply exactly as the client did.
        var state = SymmetricState(protocolName: Handshake.protocolIntro)
        state.mixHash(Fixtures.bank.publicKey.bytes)
        state.mixHash(intro.associatedHeader)
        state.mixKey(try Sodium.x25519(secret: Fixtures.client.secretKey, public: Fixtures.bank.publicKey.bytes)
                     + Frame.uint24(intro.counter))
        #expect(PackedText.unpack(try state.decryptAndHash(intro.body)) == "balance?")
        let old = try Handshake.finish(me: Fixtures.client, pending: .init(state: state, ephemeral: nil), frame: reply)
        #expect(PackedText.unpack(old.payload) == "42.00 EUR")  // the attacker model is right: the reply opens

        // Under the pre-upgrade chains nothing later opens.
        let upgrade = try Frame(bytes: t.upgrade)
        let clientEphemeral = Array(upgrade.body.prefix(32))
        func opens(_ bytes: [UInt8], stripped: Int, extraAD: [UInt8], chain: ReceiveChain) throws -> Bool {
            let frame = try Frame(bytes: bytes)
            var chain = chain
            let key = try chain.messageKey(for: frame.counter)
            return (try? SIV.open(Array(frame.body.dropFirst(stripped)), key: key,
                                  ad: frame.associatedHeader + old.sessionID + extraAD)) != nil
        }
        let oldInbound = ReceiveChain(root: old.state.split().initiatorToResponder)
        #expect(try !opens(t.upgrade, stripped: 32, extraAD: clientEphemeral, chain: oldInbound))
        #expect(try !opens(t.later, stripped: 0, extraAD: [], chain: oldInbound))
        #expect(try !opens(t.answer, stripped: 0, extraAD: [], chain: old.receive))

        // Even with s_r as well: es is computable, ee is not; every DH of the statics with the two
        // ephemerals in place of ee fails too.
        let eR = reply.ephemeral
        let es = try Sodium.x25519(secret: Fixtures.bank.secretKey, public: clientEphemeral)
        let guesses = [try Sodium.x25519(secret: Fixtures.client.secretKey, public: eR), es,
                       try Sodium.x25519(secret: Fixtures.bank.secretKey, public: eR)]
        for ee in guesses {
            let roots = Handshake.upgradedRoots(after: old.state, clientEphemeral: clientEphemeral, ee: ee, es: es)
            let inbound = ReceiveChain(root: roots.initiatorToResponder)
            let outbound = ReceiveChain(root: roots.responderToInitiator)
            #expect(try !opens(t.upgrade, stripped: 32, extraAD: clientEphemeral, chain: inbound))
            #expect(try !opens(t.later, stripped: 0, extraAD: [], chain: inbound))
            #expect(try !opens(t.answer, stripped: 0, extraAD: [], chain: outbound))
        }
        // The bank erased e_r once the upgrade authenticated; the client never stored e_c.
        #expect(t.bank.state.sessions.allSatisfy { $0.upgradeAwaited == nil })
        #expect(t.client.state.sessions.allSatisfy { $0.upgradeKey == nil })
    }

    /// The upgrade frame lost, its successors first, then the upgrade duplicated; the bank's frames from
    /// before and after its switch arrive in reverse: every message is delivered exactly once, in order.
    @Test func upgradeFrameLostDuplicatedReordered() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        let intro = try client.send(text: "m0", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        _ = bank.receive(intro.step.outbound[0].bytes, from: "+client", now: 0)
        let reply = try bank.send(text: "r0", to: Fixtures.client.publicKey, number: "+client", now: 1)
        _ = client.receive(reply.step.outbound[0].bytes, from: "+bank", now: 1)
        let before = try bank.send(text: "r1", to: Fixtures.client.publicKey, number: "+client", now: 1.5)  // old chain
        let sent = try (1...3).map { try client.send(text: "m\($0)", to: Fixtures.bank.publicKey, number: "+bank", now: 2) }
        let frames = sent.map { $0.step.outbound[0].bytes }
        let piggyBacked = try Frame(bytes: frames[0]).header.flags.contains(.hasAck) ? AckBody.size : 0
        #expect(frames[0].count == frames[1].count + 32 + piggyBacked)
        var delivered: [String] = []
        // m1 (the upgrade) is lost: m3 and m2 cannot be opened yet and deliver nothing.
        for bytes in [frames[2], frames[1]] {
            let step = bank.receive(bytes, from: "+client", now: 3)
            #expect(step.messages.isEmpty)
            #expect(step.rejections == [.authenticationFailed])
        }
        // Retransmissions: m1 twice, then m3, m2, m1 again.
        for bytes in [frames[0], frames[0], frames[2], frames[1], frames[0]] {
            delivered += bank.receive(bytes, from: "+client", now: 4).messages.map(\.text)
        }
        #expect(delivered == ["m1", "m2", "m3"])
        // The bank switched: its next frame uses the upgraded chain; the client gets it before the old one.
        let after = try bank.send(text: "r2", to: Fixtures.client.publicKey, number: "+client", now: 5)
        var back: [String] = []
        for bytes in after.step.outbound.map(\.bytes) + before.step.outbound.map(\.bytes) + after.step.outbound.map(\.bytes) {
            back += client.receive(bytes, from: "+bank", now: 6).messages.map(\.text)
        }
        #expect(back == ["r1", "r2"])
        let session = try #require(client.state.sessions.first)
        #expect(session.alternateReceive == nil)  // the old chain is dropped once everything below arrived
        // Later frames stay at 20 bytes of overhead.
        let next = try client.send([9], to: Fixtures.bank.publicKey, number: "+bank", now: 7)
        #expect(next.cost?.overheadBytes == 20 || next.cost?.overheadBytes == 25)
        #expect(bank.receive(next.step.outbound[0].bytes, from: "+client", now: 7).messages.map(\.payload) == [[9]])
    }

    /// Sessions opened by a hello carry no upgrade: their first data frame costs 20.
    @Test func helloSessionsAreUnchanged() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        client.markIntroduced(Fixtures.bank.publicKey)
        bank.enrol(Fixtures.client.publicKey, number: "+client")
        let hello = try client.send([1], to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        _ = bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 0)
        let reply = try bank.send([2], to: Fixtures.client.publicKey, number: "+client", now: 1)
        _ = client.receive(reply.step.outbound[0].bytes, from: "+bank", now: 1)
        _ = client.tick(now: 10)
        let data = try client.send([UInt8](repeating: 3, count: 113), to: Fixtures.bank.publicKey, number: "+bank", now: 11)
        #expect(data.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 20))
        #expect(bank.state.sessions.allSatisfy { $0.upgradeAwaited == nil })
    }
}
