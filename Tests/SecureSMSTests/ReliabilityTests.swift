import Testing
import ModemEmulator
@testable import SecureSMS

@Suite struct ReliabilityTests {
    static let config = EndpointConfiguration(retry: RetryPolicy(initialTimeout: 20, multiplier: 1.5, maximumTimeout: 120,
                                                                 maximumAttempts: 60), ackDelay: 1, commitOnDelivery: true)

    /// 200 messages each way over a network that loses 20 %, duplicates 15 % and reorders (delays 0–15 s):
    /// every message reaches the other application exactly once and in order.
    @Test(arguments: [UInt64(1), 2, 3])
    func exactlyOnceInOrderOverLossyNetwork(seed: UInt64) throws {
        var conv = Conversation(a: Fixtures.endpoint(Fixtures.client, tag: 1, configuration: Self.config),
                                b: Fixtures.endpoint(Fixtures.bank, tag: 2, configuration: Self.config),
                                aNumber: "+client", bNumber: "+bank",
                                network: LossyNetwork(seed: seed, loss: 0.2, duplication: 0.15, maxDelay: 15))
        let count = 200
        var sentByA: [UInt64] = []
        var sentByB: [UInt64] = []
        var rng = SeededGenerator(seed: seed &+ 99)
        for i in 0..<count {
            // A mixes short and multi-SMS messages; B answers once it has heard from A.
            let size = i % 10 == 0 ? 300 : Int.random(in: 0...120, using: &rng)
            let payload = [UInt8(i & 0xFF), UInt8(i >> 8)] + rng.bytes(size)
            let result = try conv.a.send(payload, to: Fixtures.bank.publicKey, number: "+bank", now: conv.now)
            sentByA.append(result.messageID)
            conv.handle(result.step, atA: true)
            _ = conv.run(until: conv.now + 5) { _ in false }
            if !conv.receivedByB.isEmpty {
                let r = try conv.b.send([UInt8(i & 0xFF), UInt8(i >> 8)], to: Fixtures.client.publicKey, number: "+client",
                                        now: conv.now)
                sentByB.append(r.messageID)
                conv.handle(r.step, atA: false)
            }
        }
        let finished = conv.run(until: 200_000) { c in
            c.receivedByB.count == count && c.receivedByA.count == sentByB.count
                && c.deliveredToA.count == count && c.deliveredToB.count == sentByB.count
        }
        #expect(finished)
        #expect(conv.failures == 0)
        // Exactly once and in order: B saw A's messages 0..<count in sequence.
        let indices = conv.receivedByB.map { Int($0.payload[0]) | Int($0.payload[1]) << 8 }
        #expect(indices == Array(0..<count))
        let back = conv.receivedByA.map { Int($0.payload[0]) | Int($0.payload[1]) << 8 }
        #expect(back == Array(back.sorted()))
        #expect(Set(back).count == back.count)
        #expect(Set(conv.deliveredToA) == Set(sentByA))
        #expect(conv.network.sent > count)  // losses forced retransmissions
        // These are intro sessions: the client's upgrade frame survived the same losses, duplicates and
        // reordering, and both sides run on the upgraded chains (§3.3).
        #expect(conv.b.state.sessions.allSatisfy { $0.isEstablished && $0.upgradeAwaited == nil })
        #expect(conv.a.state.sessions.allSatisfy { $0.upgradeKey == nil })
    }

    @Test func givesUpAndReportsUnconfirmedWhenPeerNeverAnswers() throws {
        let policy = RetryPolicy(initialTimeout: 10, multiplier: 2, maximumTimeout: 40, maximumAttempts: 3)
        var a = Fixtures.endpoint(Fixtures.client, tag: 1, configuration: EndpointConfiguration(retry: policy))
        let sent = try a.send(text: "hi", to: Fixtures.bank.publicKey, number: "+bank", now: 0)
        var retransmissions = 0
        var failed: [UInt64] = []
        var now = 0.0
        while let deadline = a.nextDeadline, now < 1000 {
            now = deadline
            let step = a.tick(now: now)
            retransmissions += step.outbound.count
            failed += step.unconfirmedIDs  // sent, never acknowledged: unconfirmed, not "failed"
        }
        #expect(retransmissions == 2)
        #expect(failed == [sent.messageID])
        #expect(a.unacknowledgedCount == 0)
    }
}
