import Testing
import ModemEmulator
@testable import SecureSMS

/// Tampered, replayed, truncated, wrong-key and wrong-version frames: typed rejections, no delivery, no crash.
@Suite struct AdversaryTests {
    /// A client and bank with an established session and one data frame from client to bank in hand.
    static func established() throws -> (client: SecureEndpoint, bank: SecureEndpoint, data: [UInt8]) {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        let hello = try client.send(text: "hi", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        _ = bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 0)
        let reply = bank.tick(now: 100)
        _ = client.receive(reply.outbound[0].bytes, from: "+bank", now: 100)
        let data = try client.send(Array("transfer 10".utf8), to: Fixtures.bank.publicKey, number: "+bank", now: 101)
        return (client, bank, data.step.outbound[0].bytes)
    }

    @Test func everySingleBitFlipIsRejected() throws {
        let (_, bank, data) = try Self.established()
        for i in 0..<data.count {
            for bit in 0..<8 {
                var copy = bank
                var tampered = data
                tampered[i] ^= 1 << bit
                let step = copy.receive(tampered, from: "+client", now: 200)
                #expect(step.messages.isEmpty, "flip at byte \(i) bit \(bit) was accepted")
                // Setting the `fragmented` flag turns it into a first fragment that waits for parts that never come.
                let becameFragment = i == 0 && bit == 0
                #expect(step.rejections.count == (becameFragment ? 0 : 1), "flip at byte \(i) bit \(bit)")
            }
        }
        var copy = bank
        #expect(copy.receive(data, from: "+client", now: 200).messages.map(\.text) == ["transfer 10"])
    }

    @Test func replayIsRejectedAndReAcknowledged() throws {
        var (_, bank, data) = try Self.established()
        #expect(bank.receive(data, from: "+client", now: 200).messages.count == 1)
        let again = bank.receive(data, from: "+client", now: 201)
        #expect(again.messages.isEmpty)
        #expect(again.rejections == [.replayed(counter: 1)])
        #expect(bank.nextDeadline != nil)  // an ack is owed again
    }

    @Test func truncatedFramesAreRejected() throws {
        let (_, bank, data) = try Self.established()
        for cut in 0..<data.count {
            var copy = bank
            let step = copy.receive(Array(data.prefix(cut)), from: "+client", now: 200)
            #expect(step.messages.isEmpty)
            #expect(step.rejections.count == 1)
        }
    }

    @Test func wrongVersionIsRejected() throws {
        var (_, bank, data) = try Self.established()
        data[0] = data[0] & 0x3F | 0x40  // a v1 frame: no negotiation, no fallback
        #expect(bank.receive(data, from: "+client", now: 200).rejections == [.wrongVersion(1)])
    }

    @Test func firstContactForAnotherKeyIsRejected() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var mallory = SecureEndpoint(identity: Fixtures.mallory, state: EndpointState(),
                                     configuration: EndpointConfiguration(role: .bank, enrolment: EnrolmentPolicy(open: true)),
                                     ephemerals: Fixtures.ephemerals(3))
        let hello = try client.send(text: "hi", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        let step = mallory.receive(hello.step.outbound[0].bytes, from: "+client", now: 0)
        #expect(step.messages.isEmpty)
        #expect(step.rejections == [.authenticationFailed])
    }

    @Test func forgedDataFromHijackedNumberIsRejected() throws {
        var (_, bank, _) = try Self.established()
        // Mallory runs her own session with the bank-key pinned, then sends her data from the client's number.
        var mallory = Fixtures.endpoint(Fixtures.mallory, tag: 3)
        let hello = try mallory.send(text: "x", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        let step = bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 300)
        // Authenticated as Mallory's key: unverified (open enrolment), never the client's session or trust.
        #expect(step.messages.first?.trust == .unverified)
        #expect(step.messages.first?.peer == Fixtures.mallory.publicKey)
        #expect(bank.peer(Fixtures.client.publicKey)?.trust == .unverified)
    }

    @Test func replayedFirstContactIsNotDeliveredTwice() throws {
        var client = Fixtures.endpoint(Fixtures.client, tag: 1)
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        let hello = try client.send(text: "pay 5", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        #expect(bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 0).messages.count == 1)
        let duplicate = bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 1)
        #expect(duplicate.messages.isEmpty)
        // Once the session is gone (revoked and re-trusted), the replay cache still refuses it.
        var state = bank.state
        state.sessions.removeAll()
        var restarted = SecureEndpoint(identity: Fixtures.bank, state: state, configuration: bank.configuration)
        let replay = restarted.receive(hello.step.outbound[0].bytes, from: "+client", now: 2)
        #expect(replay.messages.isEmpty)
        #expect(replay.rejections == [.replayed(counter: 0)])
    }

    @Test func revokedPeerIsRejected() throws {
        var (_, bank, data) = try Self.established()
        bank.revoke(peer: Fixtures.client.publicKey)
        #expect(bank.receive(data, from: "+client", now: 200).messages.isEmpty)
        var client = Fixtures.endpoint(Fixtures.client, tag: 9)
        let hello = try client.send(text: "again", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        let step = bank.receive(hello.step.outbound[0].bytes, from: "+client", now: 300)
        #expect(step.messages.isEmpty)
        #expect(step.rejections == [.revoked(fingerprint: Fixtures.client.publicKey.fingerprint)])
    }

    @Test func randomFramesNeverCrashTheEndpoint() throws {
        var (_, bank, data) = try Self.established()
        var rng = SeededGenerator(seed: 11)
        for i in 0..<5000 {
            var bytes = i % 2 == 0 ? rng.bytes(Int.random(in: 0...140, using: &rng)) : data
            if i % 2 == 1 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            _ = bank.receive(bytes, from: i % 3 == 0 ? "+client" : "+other", now: Double(i))
        }
    }
}
