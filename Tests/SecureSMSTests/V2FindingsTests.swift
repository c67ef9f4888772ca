import Testing
import ModemEmulator
@testable import SecureSMS

/// One test per finding of the v1 review (issue 11). Each fails on v1 and passes on v2.
@Suite struct V2FindingsTests {
    static func xor(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] { zip(a, b).map { $0 ^ $1 } }

    /// Keystream reuse: a rolled-back (or shared) state seals two different messages under the same counter.
    /// With v1's ChaCha20-Poly1305 the two ciphertexts XOR to the plaintexts' XOR; with SIV they do not,
    /// and the only thing revealed is whether two plaintexts are equal.
    @Test func rolledBackStateLeaksNoKeystreamXOR() throws {
        var (client, _, _) = try AdversaryTests.established()
        let snapshot = client  // the "backup" (or the second process on the same state)
        var restored = snapshot
        let p1 = Array("transfer 100 EUR to account 1111".utf8)
        let p2 = Array("transfer 999 EUR to account 6666".utf8)
        let a = try Frame(bytes: try client.send(p1, to: Fixtures.bank.publicKey, number: "+bank", now: 300).step.outbound[0].bytes)
        let b = try Frame(bytes: try restored.send(p2, to: Fixtures.bank.publicKey, number: "+bank", now: 300).step.outbound[0].bytes)
        #expect(a.counter == b.counter)  // the rollback really reused the counter and its key
        let ca = Array(a.body.dropFirst(SIV.tagBytes))
        let cb = Array(b.body.dropFirst(SIV.tagBytes))
        #expect(Self.xor(ca, cb) != Self.xor(p1, p2))
        // Equal plaintexts under the reused key and header give equal frames: that, and only that, leaks.
        var again = snapshot
        let c = try Frame(bytes: try again.send(p1, to: Fixtures.bank.publicKey, number: "+bank", now: 300).step.outbound[0].bytes)
        #expect(c.body == a.body)
    }

    /// The intro counter repeats after a rollback: the two intros' ciphertexts still share no keystream.
    @Test func rolledBackIntroCounterLeaksNoKeystreamXOR() throws {
        var fresh = Fixtures.endpoint(Fixtures.client, tag: 1)
        _ = try fresh.send([0], to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        fresh.rekey(peer: Fixtures.bank.publicKey)
        var x = fresh  // the backup
        var y = fresh  // restored from it later
        let p1 = Array("PIN reset for card 4000 0000".utf8)
        let p2 = Array("open account for Jane Roe 77".utf8)
        let a = try Frame(bytes: try x.send(p1, to: Fixtures.bank.publicKey, number: "+bank", now: 0).step.outbound[0].bytes)
        let b = try Frame(bytes: try y.send(p2, to: Fixtures.bank.publicKey, number: "+bank", now: 0).step.outbound[0].bytes)
        #expect(a.header.type == .intro && a.counter == b.counter)
        #expect(Self.xor(Array(a.body.dropFirst(SIV.tagBytes)), Array(b.body.dropFirst(SIV.tagBytes))) != Self.xor(p1, p2))
    }

    /// v1's replay cache was one global 4096-entry FIFO: ~4,100 throw-away intros evicted it and a recorded
    /// hello was delivered again. v2 keeps replay state per peer and never evicts it.
    @Test func floodOfFirstContactsThenAReplayedHelloIsRejected() throws {
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        bank.enrol(Fixtures.client.publicKey, number: "+client", customerID: "c-1")
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        client.markIntroduced(Fixtures.bank.publicKey)
        let hello = try client.send(text: "pay 500 to Bob", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        let recorded = hello.step.outbound[0].bytes
        #expect(bank.receive(recorded, from: "+client", now: 0).messages.count == 1)
        // The flood: 4,200 valid intros (distinct first-contact ids) from a stranger's key, each from its own
        // number, paced under the rate limits. v1's global FIFO of 4096 ids would have forgotten the hello.
        var stranger = Fixtures.endpoint(Fixtures.mallory, tag: 3)
        for i in 0..<4_200 {
            stranger.rekey(peer: Fixtures.bank.publicKey)
            let now = 1 + Double(i) * 721
            let intro = try stranger.send([UInt8(i & 0xFF)], to: Fixtures.bank.publicKey, number: "+bank", now: now)
            _ = bank.receive(intro.step.outbound[0].bytes, from: "+x\(i)", now: now)
        }
        #expect(bank.peer(Fixtures.mallory.publicKey)?.firstContacts.count == PeerRecord.firstContactLimit)
        // The original session is gone (expired, rekeyed away, or deleted by an operator).
        var state = bank.state
        state.sessions.removeAll { $0.peer == Fixtures.client.publicKey }
        var restarted = SecureEndpoint(identity: Fixtures.bank, state: state, configuration: bank.configuration)
        let replay = restarted.receive(recorded, from: "+client", now: 4_200 * 721)
        #expect(replay.messages.isEmpty)
        #expect(replay.rejections == [.replayed(counter: 0)])
    }

    /// Key-compromise impersonation: whoever holds a client's secret key could send that client a hello
    /// "from" its pinned bank. v2 clients never accept an inbound first contact.
    @Test func aForgedHelloToAClientIsRejected() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        client.pin(Fixtures.bank.publicKey, number: "+bank")
        // The attacker runs an endpoint with the *client's* stolen key addressing "the client" as a responder:
        // a hello that authenticates under ss = DH(s_client, S_client)… or any first contact at all.
        var forger = Fixtures.endpoint(Fixtures.mallory, tag: 3)
        forger.markIntroduced(Fixtures.client.publicKey)
        let hello = try forger.send(text: "Your bank: call +999 now", to: Fixtures.client.publicKey, number: "+client", now: 0)
        let step = client.receive(hello.step.outbound[0].bytes, from: "+bank", now: 0)
        #expect(step.messages.isEmpty)
        #expect(step.rejections == [.firstContactRefused])
        #expect(step.outbound.isEmpty)
    }

    /// v1: a captured intro replayed from another number redirected the session's replies and the peer
    /// record to that number. v2: replay rejected, routing unchanged.
    @Test func aReplayedIntroFromAnotherNumberChangesNoRouting() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        bank.enrol(Fixtures.client.publicKey, number: "+client")
        let intro = try client.send(text: "balance?", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        let bytes = intro.step.outbound[0].bytes
        #expect(bank.receive(bytes, from: "+client", now: 0).messages.count == 1)
        // Replayed from the attacker's number while the session lives: at most the stored reply is re-sent,
        // to the enrolled number.
        let dup = bank.receive(bytes, from: "+attacker", now: 1)
        #expect(dup.messages.isEmpty)
        #expect(dup.outbound.allSatisfy { $0.to == "+client" })
        // Replayed after the session is gone: rejected, nothing sent.
        var state = bank.state
        state.sessions.removeAll()
        var restarted = SecureEndpoint(identity: Fixtures.bank, state: state, configuration: bank.configuration)
        let late = restarted.receive(bytes, from: "+attacker", now: 2)
        #expect(late.rejections == [.replayed(counter: 0)])
        #expect(late.outbound.isEmpty)
        #expect(restarted.peer(Fixtures.client.publicKey)?.number == "+client")
        let answer = try bank.send(text: "42", to: Fixtures.client.publicKey, number: "+attacker", now: 3)
        #expect(answer.step.outbound.allSatisfy { $0.to == "+client" })
    }

    /// An attacker key sent from a spoofed number no longer makes the real customer look `changed` (v1's
    /// lock-out through `rejectChangedPeers`): enrolled keys keep their trust and number.
    @Test func anAttackerKeyFromASpoofedNumberLocksNobodyOut() throws {
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        bank.configuration.enrolment.open = false
        bank.enrol(Fixtures.client.publicKey, number: "+client", customerID: "c-1")
        var mallory = Fixtures.endpoint(Fixtures.mallory, tag: 3)
        let intro = try mallory.send(text: "x", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        let step = bank.receive(intro.step.outbound[0].bytes, from: "+client", now: 0)
        #expect(step.rejections == [.notEnrolled(fingerprint: Fixtures.mallory.publicKey.fingerprint)])
        #expect(step.outbound.isEmpty)
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        let real = try client.send(text: "hi", to: Fixtures.bank.publicKey, number: "+bank", now: 1)
        let got = bank.receive(real.step.outbound[0].bytes, from: "+client", now: 1)
        #expect(got.messages.first?.trust == .enrolled)
        #expect(got.messages.first?.customerID == "c-1")
    }

    /// v1 acks used pre-upgrade keys (computable by whoever holds the client's secret) and were not
    /// replay-checked: a forged ack marked an undelivered message delivered. v2: acks are keyed by the
    /// upgraded chain, and an ack counter is accepted once.
    @Test func forgedAndReplayedAcksAreRejected() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        let intro = try client.send(text: "otp please", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        _ = bank.receive(intro.step.outbound[0].bytes, from: "+client", now: 0)
        let reply = try bank.send(text: "OTP 123456", to: Fixtures.client.publicKey, number: "+client", now: 1)
        // The reply is lost. An attacker with the client's secret recomputes the pre-upgrade keys from the
        // public intro and reply, and forges "the client received it" (cumulative 1).
        let introFrame = try Frame(bytes: intro.step.outbound[0].bytes)
        var state = SymmetricState(protocolName: Handshake.protocolIntro)
        state.mixHash(Fixtures.bank.publicKey.bytes)
        state.mixHash(introFrame.associatedHeader)
        state.mixKey(try Sodium.x25519(secret: Fixtures.client.secretKey, public: Fixtures.bank.publicKey.bytes)
                     + Frame.uint24(introFrame.counter))
        _ = try state.decryptAndHash(introFrame.body)
        let done = try Handshake.finish(me: Fixtures.client, pending: .init(state: state, ephemeral: nil),
                                        frame: try Frame(bytes: reply.step.outbound[0].bytes))
        var forged = Frame(header: FrameHeader(type: .ack), counter: 1)
        let ackKey = ChainKDF.start(root: done.state.split().initiatorToResponder).ackKey
        forged.body = try SIV.seal(AckBody(cumulative: 1, bitmap: 0).bytes, key: ackKey, ad: forged.associatedHeader + done.sessionID)
        let step = bank.receive(forged.bytes, from: "+client", now: 2)
        #expect(step.deliveredIDs.isEmpty)
        #expect(!step.rejections.isEmpty)
        // The real ack (it carries E_c, keyed by the upgraded chain) is accepted once; its replay is not.
        _ = client.receive(reply.step.outbound[0].bytes, from: "+bank", now: 3)
        let ack = client.tick(now: 10).outbound[0].bytes
        #expect(bank.receive(ack, from: "+client", now: 11).deliveredIDs == [reply.messageID])
        let replayed = bank.receive(ack, from: "+client", now: 12)
        #expect(replayed.deliveredIDs.isEmpty)
        #expect(replayed.rejections == [.replayed(counter: 1)])
    }

    /// v1 saved the state and let the SMS be deleted before the application had the message, and acked it:
    /// a crash in between lost it while the sender saw `delivered`. v2: the message waits in the inbox,
    /// survives a restart, and is acknowledged only after `commit`.
    @Test func noAckBeforeTheApplicationCommitted() throws {
        let manual = EndpointConfiguration(commitOnDelivery: false)
        var client = Fixtures.endpoint(Fixtures.client, tag: 1, configuration: manual)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2, configuration: manual)
        let intro = try client.send(text: "hello", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        let first = try #require(bank.receive(intro.step.outbound[0].bytes, from: "+client", now: 0).messages.first)
        _ = try bank.commit(first.receipt, now: 0)
        let reply = try bank.send(text: "welcome", to: Fixtures.client.publicKey, number: "+client", now: 1)
        let welcome = try #require(client.receive(reply.step.outbound[0].bytes, from: "+bank", now: 1).messages.first)
        _ = try client.commit(welcome.receipt, now: 1)  // its ack rides on the next frame
        let later = try client.send(text: "transfer 10", to: Fixtures.bank.publicKey, number: "+bank", now: 2)
        let got = bank.receive(later.step.outbound[0].bytes, from: "+client", now: 2)
        let message = try #require(got.messages.first)
        // The bank "crashes" before its application stored the message: nothing was acknowledged.
        var crashed = SecureEndpoint(identity: Fixtures.bank, state: bank.state, configuration: bank.configuration)
        #expect(crashed.tick(now: 100).outbound.isEmpty)
        #expect(crashed.pendingMessages.map(\.text) == ["transfer 10"])  // handed to the application again
        #expect(try crashed.commit(message.receipt, now: 101).outbound.isEmpty)
        let ack = crashed.tick(now: 200)
        #expect(ack.outbound.count == 1)
        #expect(client.receive(ack.outbound[0].bytes, from: "+bank", now: 201).deliveredIDs == [later.messageID])
        #expect(crashed.pendingMessages.isEmpty)
    }

    /// v1 trimmed sessions beyond three per peer silently, dropping unacknowledged messages. v2 reports them.
    @Test func trimmedSessionsReportTheirMessages() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var reported: [UInt64] = []
        var sent: [UInt64] = []
        for i in 0..<5 {
            let result = try client.send([UInt8(i)], to: Fixtures.bank.publicKey, number: "+bank", now: Double(i))
            sent.append(result.messageID)
            reported += result.step.unconfirmedIDs
            client.rekey(peer: Fixtures.bank.publicKey)
        }
        #expect(reported == Array(sent.prefix(2)))
    }

    /// v1 retransmitted a data-less reply up to 6 times for one spoofed intro. v2 sends it once.
    @Test func aDataLessReplyIsSentOnce() throws {
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        var stranger = Fixtures.endpoint(Fixtures.mallory, tag: 3)
        let intro = try stranger.send([1], to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        _ = bank.receive(intro.step.outbound[0].bytes, from: "+victim", now: 0)
        var sms = 0
        var now = 0.0
        while let deadline = bank.nextDeadline, now < 100_000 {
            now = deadline
            sms += bank.tick(now: now).outbound.count
        }
        #expect(sms == 1)
    }

    /// Unknown keys under open enrolment are unverified and rate-limited per number.
    @Test func openEnrolmentIsRateLimitedPerNumber() throws {
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        var rejections: [SecureSMSError] = []
        var rng = SeededGenerator(seed: 9)
        for i in 0..<8 {
            var stranger = SecureEndpoint(identity: try Identity.generate(seed: rng.bytes(32)), state: EndpointState(),
                                          configuration: .init(), ephemerals: Fixtures.ephemerals(UInt8(i)))
            let intro = try stranger.send([1], to: Fixtures.bank.publicKey, number: "+bank", now: 0)
            rejections += bank.receive(intro.step.outbound[0].bytes, from: "+same", now: Double(i)).rejections
        }
        #expect(rejections == Array(repeating: .rateLimited("number +same"), count: 3))
        #expect(bank.state.peers.unverifiedCount == 5)
    }

    /// The bounded send queue: beyond `queueLimit` queued messages, `send` throws `windowFull`.
    @Test func theSendQueueIsBounded() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1, configuration: EndpointConfiguration(queueLimit: 4, commitOnDelivery: true))
        _ = try client.send([0], to: Fixtures.bank.publicKey, number: "+bank", now: 0)  // intro; the rest wait for the reply
        for i in 1...4 { _ = try client.send([UInt8(i)], to: Fixtures.bank.publicKey, number: "+bank", now: 0) }
        #expect(throws: SecureSMSError.windowFull) { try client.send([9], to: Fixtures.bank.publicKey, number: "+bank", now: 0) }
    }
}
