import Foundation
import Testing
import ModemEmulator
@testable import SecureSMS

/// The periodic DH ratchet (docs/protocol.md §4.1): healing after a stolen state, loss and reordering,
/// byte cost, the test vector, old stored states.
@Suite struct RatchetTests {
    static let every2 = EndpointConfiguration(ackDelay: 1, commitOnDelivery: true, ratchetEvery: 2, ratchetInterval: 0)

    /// A client and a bank in a hello session, frames delivered at once (no loss), acks flushed after each message.
    struct Pair {
        var client: SecureEndpoint
        var bank: SecureEndpoint
        var now: Double = 0

        init(configuration: EndpointConfiguration = RatchetTests.every2, hello: Bool = true) throws {
            client = Fixtures.endpoint(Fixtures.client, tag: 1, configuration: configuration)
            bank = Fixtures.endpoint(Fixtures.bank, tag: 2, configuration: configuration)
            if hello {
                client.markIntroduced(Fixtures.bank.publicKey)
                bank.enrol(Fixtures.client.publicKey, number: "+client")
            }
            let first = try clientSends("hello")
            #expect(try Frame(bytes: first).header.type == (hello ? .hello : .intro))
            #expect(try bankSends("reply").count > 0)
        }

        var clientSession: Session { client.state.sessions[0] }
        var bankSession: Session { bank.state.sessions[0] }

        /// The client sends `text`; the bank receives it and its ack comes back. Returns the frame.
        @discardableResult
        mutating func clientSends(_ text: String) throws -> [UInt8] {
            now += 1
            let sent = try client.send(text: text, to: Fixtures.bank.publicKey, number: "+bank", now: now)
            #expect(sent.step.outbound.count == 1)
            let bytes = sent.step.outbound[0].bytes
            let got = bank.receive(bytes, from: "+client", now: now)
            #expect(got.messages.map(\.text) == [text])
            for sms in bank.tick(now: now + 1).outbound { _ = client.receive(sms.bytes, from: "+bank", now: now + 1) }
            return bytes
        }

        /// The bank sends `text` (inside the client's session); the client receives it and acks.
        @discardableResult
        mutating func bankSends(_ text: String) throws -> [UInt8] {
            now += 1
            let sent = try bank.send(text: text, to: Fixtures.client.publicKey, number: "+client", now: now)
            #expect(sent.step.outbound.count == 1)
            let bytes = sent.step.outbound[0].bytes
            let got = client.receive(bytes, from: "+bank", now: now)
            #expect(got.messages.map(\.text) == [text])
            for sms in client.tick(now: now + 1).outbound { _ = bank.receive(sms.bytes, from: "+client", now: now + 1) }
            return bytes
        }
    }

    /// What an attacker holding a copy of the client's session can do with a frame the client sent: open it with
    /// the stolen sending chain, or follow a ratchet step with any secret it holds (the client's static key, the
    /// stolen ratchet secret).
    static func thiefOpensClientFrame(_ bytes: [UInt8], stolen: Session, secrets: [[UInt8]]) throws -> Bool {
        let frame = try Frame(bytes: bytes)
        let ad = frame.associatedHeader + stolen.sessionID
        var send = try #require(stolen.send)
        guard frame.counter >= send.nextCounter else { return false }
        var key: [UInt8] = []
        while send.nextCounter <= frame.counter { key = try send.nextMessageKey().key }
        if (try? SIV.open(frame.body, key: key, ad: ad)) != nil { return true }
        // A step frame: X ‖ body. Try every secret against X from the stolen root.
        guard frame.body.count >= 48, let ratchet = stolen.ratchet else { return false }
        let x = Array(frame.body.prefix(32))
        for secret in secrets {
            guard let dh = try? Sodium.x25519(secret: secret, public: x) else { continue }
            let (_, chainRoot) = RatchetState.kdfRK(root: ratchet.root, dh: dh)
            var chain = ReceiveChain(root: chainRoot, startingAt: frame.counter, lastAckCounter: 0)
            let mk = try chain.messageKey(for: frame.counter)
            if (try? SIV.open(Array(frame.body.dropFirst(32)), key: mk, ad: ad + x)) != nil { return true }
        }
        return false
    }

    /// The same attacker on a frame the bank sent: its copy of the client endpoint processes it as the client
    /// would (including the bank's step against the stolen ratchet secret); a step frame it cannot follow is then
    /// tried with every secret it holds.
    static func thiefOpensBankFrame(_ bytes: [UInt8], thief: inout SecureEndpoint, secrets: [[UInt8]]) throws -> Bool {
        if !thief.receive(bytes, from: "+bank", now: 1e6).messages.isEmpty { return true }
        let frame = try Frame(bytes: bytes)
        let session = thief.state.sessions[0]
        guard frame.body.count >= 48, let ratchet = session.ratchet else { return false }
        let x = Array(frame.body.prefix(32))
        for secret in secrets {
            guard let dh = try? Sodium.x25519(secret: secret, public: x) else { continue }
            let (_, chainRoot) = RatchetState.kdfRK(root: ratchet.root, dh: dh)
            var chain = ReceiveChain(root: chainRoot, startingAt: frame.counter, lastAckCounter: 0)
            let mk = try chain.messageKey(for: frame.counter)
            if (try? SIV.open(Array(frame.body.dropFirst(32)), key: mk, ad: frame.associatedHeader + session.sessionID + x)) != nil {
                return true
            }
        }
        return false
    }

    /// Healing (threat 8h): the client's whole session state (both chains, the root, its unanswered ratchet secret,
    /// and its static key too) is copied right after it took a step. The attacker opens what follows in each
    /// direction until the next step that it cannot follow — the client's next step (fresh secret against the
    /// bank's ratchet key) for client→bank, the bank's step against that fresh key for bank→client — and nothing
    /// after; a stand-alone ack it forges with the stolen ack key is rejected.
    @Test func aStolenSessionStateHealsAfterAStepEachWay() throws {
        var pair = try Pair()
        var n = 0
        // A first round (the client's step, then the bank's), then talk until the client steps again.
        while (pair.bankSession.ratchet?.steps ?? 0) < 2 {
            try pair.clientSends("c\(n)")
            try pair.bankSends("b\(n)")
            n += 1
            #expect(n < 20)
        }
        let stepsBefore = pair.clientSession.ratchet!.steps
        while pair.clientSession.ratchet!.steps == stepsBefore { try pair.clientSends("c\(n)"); n += 1 }
        // The theft, right after the client's step: both chains, the root, the unanswered ratchet secret, the static key.
        let stolen = pair.clientSession
        let stolenRatchetSecret = try #require(stolen.ratchet?.mine?.secretKey)
        var thief = pair.client
        let secrets = [Fixtures.client.secretKey, stolenRatchetSecret]

        var clientFrames: [(bytes: [UInt8], afterHeal: Bool)] = []
        var bankFrames: [(bytes: [UInt8], afterHeal: Bool)] = []
        // The bank answers with a step against the stolen ratchet key: the attacker can follow it.
        while pair.bankSession.ratchet!.myTurn {
            bankFrames.append((try pair.bankSends("b\(n)"), false))
            n += 1
        }
        // The client's next step, a fresh secret against the bank's new key, heals client→bank.
        let clientSteps = pair.clientSession.ratchet!.steps
        while !(clientFrames.last?.afterHeal ?? false) {
            let bytes = try pair.clientSends("c\(n)")
            clientFrames.append((bytes, pair.clientSession.ratchet!.steps > clientSteps))
            n += 1
            #expect(n < 60)
        }
        // The bank's step against that fresh key heals bank→client.
        let bankSteps = pair.bankSession.ratchet!.steps
        while !(bankFrames.last?.afterHeal ?? false) {
            let bytes = try pair.bankSends("b\(n)")
            bankFrames.append((bytes, pair.bankSession.ratchet!.steps > bankSteps))
            n += 1
            #expect(n < 60)
        }
        // More traffic both ways afterwards.
        for _ in 0..<6 {
            clientFrames.append((try pair.clientSends("c\(n)"), true))
            bankFrames.append((try pair.bankSends("b\(n)"), true))
            n += 1
        }
        #expect(clientFrames.contains { !$0.afterHeal } && bankFrames.contains { !$0.afterHeal })
        for (bytes, afterHeal) in clientFrames {
            #expect(try Self.thiefOpensClientFrame(bytes, stolen: stolen, secrets: secrets) == !afterHeal,
                    "client frame \(TestHex.encode(Array(bytes.prefix(4)))), after the heal: \(afterHeal)")
        }
        for (bytes, afterHeal) in bankFrames {
            #expect(try Self.thiefOpensBankFrame(bytes, thief: &thief, secrets: secrets) == !afterHeal,
                    "bank frame \(TestHex.encode(Array(bytes.prefix(4)))), after the heal: \(afterHeal)")
        }

        // An ack forged with the stolen ack key is rejected after the heal (acks are keyed by the current chain).
        let pending = try pair.bank.send(text: "otp 1234", to: Fixtures.client.publicKey, number: "+client", now: pair.now + 1)
        var forged = Frame(header: FrameHeader(type: .ack), counter: 0xFFFF)
        forged.body = try SIV.seal(AckBody(cumulative: 0xFFFF, bitmap: 0).bytes, key: try #require(stolen.send?.ackKey),
                                   ad: forged.associatedHeader + stolen.sessionID)
        let step = pair.bank.receive(forged.bytes, from: "+client", now: pair.now + 2)
        #expect(step.deliveredIDs.isEmpty)
        #expect(step.rejections == [.authenticationFailed])
        #expect(pair.bankSession.outbox.contains { $0.messageID == pending.messageID })
        // Erasure: the client's ratchet secret went with the bank's answer; the bank holds only its own, unanswered.
        #expect(pair.clientSession.ratchet?.mine == nil)
        #expect(pair.bankSession.ratchet?.mine != nil)
        #expect(pair.bankSession.ratchet?.previous.isEmpty == true && pair.clientSession.ratchet?.previous.isEmpty == true)
    }

    /// Byte cost: a step frame costs exactly 20 + 32 = 52 bytes of overhead; every other data frame 20.
    @Test func aStepCostsThirtyTwoBytesAndOtherFramesTwenty() throws {
        var pair = try Pair(configuration: EndpointConfiguration(ackDelay: 1, commitOnDelivery: true, ratchetEvery: 3, ratchetInterval: 0))
        var stepCosts: [Int] = []
        var otherCosts: [Int] = []
        for i in 0..<24 {
            let fromClient = i % 2 == 0
            pair.now += 10
            let steps = { (p: Pair) in fromClient ? p.clientSession.ratchet!.steps : p.bankSession.ratchet!.steps }
            let before = steps(pair)
            let result = fromClient
                ? try pair.client.send([UInt8](repeating: 7, count: 81), to: Fixtures.bank.publicKey, number: "+bank", now: pair.now)
                : try pair.bank.send([UInt8](repeating: 8, count: 81), to: Fixtures.client.publicKey, number: "+client", now: pair.now)
            let cost = try #require(result.cost)
            #expect(cost.segments == 1 && cost.wireBytes == 81 + cost.overheadBytes)
            // No piggy-backed acks here: every ack went alone (tick) before the next message.
            if steps(pair) > before { stepCosts.append(cost.overheadBytes) } else { otherCosts.append(cost.overheadBytes) }
            for sms in result.step.outbound {
                if fromClient { _ = pair.bank.receive(sms.bytes, from: "+client", now: pair.now) }
                else { _ = pair.client.receive(sms.bytes, from: "+bank", now: pair.now) }
            }
            for sms in pair.bank.tick(now: pair.now + 5).outbound { _ = pair.client.receive(sms.bytes, from: "+bank", now: pair.now + 5) }
            for sms in pair.client.tick(now: pair.now + 5).outbound { _ = pair.bank.receive(sms.bytes, from: "+client", now: pair.now + 5) }
        }
        #expect(stepCosts.count >= 4)
        #expect(stepCosts.allSatisfy { $0 == 52 })
        #expect(otherCosts.allSatisfy { $0 == 20 }, "\(otherCosts)")
        // A step due on a 113-byte message (no room for 32 more bytes in its SMS) waits for a frame it fits in.
        let turnIsClients = pair.clientSession.ratchet!.myTurn
        var sender = turnIsClients ? pair.client : pair.bank
        let peer = turnIsClients ? Fixtures.bank.publicKey : Fixtures.client.publicKey
        var state = sender.state
        state.sessions[0].ratchet?.messagesSinceStep = 3
        sender = sender.with(state: state, tag: 9)
        let full = try sender.send([UInt8](repeating: 9, count: 113), to: peer, number: "+x", now: pair.now + 10)
        #expect(full.cost == MessageCost(segments: 1, wireBytes: 133, overheadBytes: 20))
        let small = try sender.send([UInt8](repeating: 9, count: 40), to: peer, number: "+x", now: pair.now + 11)
        #expect(small.cost == MessageCost(segments: 1, wireBytes: 92, overheadBytes: 52))
    }

    /// Over the seeded lossy network (20 % loss, 15 % duplication, reordering by up to 15 s), hundreds of messages
    /// both ways with a ratchet step every few messages: every message delivered exactly once and in order.
    @Test(arguments: [(UInt64(1), true), (2, false), (3, true), (4, false)])
    func exactlyOnceInOrderWithFrequentSteps(seed: UInt64, hello: Bool) throws {
        let config = EndpointConfiguration(retry: RetryPolicy(initialTimeout: 20, multiplier: 1.5, maximumTimeout: 120,
                                                              maximumAttempts: 60),
                                           ackDelay: 1, commitOnDelivery: true, ratchetEvery: 3, ratchetInterval: 0)
        var a = Fixtures.endpoint(Fixtures.client, tag: 1, configuration: config)
        var b = Fixtures.endpoint(Fixtures.bank, tag: 2, configuration: config)
        if hello {
            a.markIntroduced(Fixtures.bank.publicKey)
            b.enrol(Fixtures.client.publicKey, number: "+client")
        }
        var conv = Conversation(a: a, b: b, aNumber: "+client", bNumber: "+bank",
                                network: LossyNetwork(seed: seed, loss: 0.2, duplication: 0.15, maxDelay: 15))
        let count = 300
        var sentByA: [UInt64] = []
        var sentByB: [UInt64] = []
        var rng = SeededGenerator(seed: seed &+ 7)
        for i in 0..<count {
            let size = i % 17 == 0 ? 200 : Int.random(in: 0...110, using: &rng)
            let payload = [UInt8(i & 0xFF), UInt8(i >> 8)] + rng.bytes(size)
            let result = try conv.a.send(payload, to: Fixtures.bank.publicKey, number: "+bank", now: conv.now)
            sentByA.append(result.messageID)
            conv.handle(result.step, atA: true)
            _ = conv.run(until: conv.now + 4) { _ in false }
            if !conv.receivedByB.isEmpty {
                let r = try conv.b.send([UInt8(i & 0xFF), UInt8(i >> 8)] + rng.bytes(Int.random(in: 0...100, using: &rng)),
                                        to: Fixtures.client.publicKey, number: "+client", now: conv.now)
                sentByB.append(r.messageID)
                conv.handle(r.step, atA: false)
            }
        }
        let finished = conv.run(until: 400_000) { c in
            c.receivedByB.count == count && c.receivedByA.count == sentByB.count
                && c.deliveredToA.count == count && c.deliveredToB.count == sentByB.count
        }
        #expect(finished)
        #expect(conv.failures == 0)
        let indices = conv.receivedByB.map { Int($0.payload[0]) | Int($0.payload[1]) << 8 }
        #expect(indices == Array(0..<count))
        let back = conv.receivedByA.map { Int($0.payload[0]) | Int($0.payload[1]) << 8 }
        #expect(back == Array(0..<back.count).map { back.isEmpty ? $0 : back[0] + $0 } || back == back.sorted())
        #expect(Set(back).count == back.count && back.count == sentByB.count)
        #expect(Set(conv.deliveredToA) == Set(sentByA))
        #expect(Set(conv.deliveredToB) == Set(sentByB))
        let clientRatchet = try #require(conv.a.state.sessions.first?.ratchet)
        let bankRatchet = try #require(conv.b.state.sessions.first?.ratchet)
        // Steps alternate; both sides applied the same ones (±1 in flight at the end).
        #expect(clientRatchet.steps >= 40, "steps: \(clientRatchet.steps)")
        print("ratchet lossy seed \(seed) hello \(hello): steps \(clientRatchet.steps)/\(bankRatchet.steps), SMS sent \(conv.network.sent), messages \(count)+\(sentByB.count), rejections \(conv.rejections.count), t \(conv.now)")
        #expect(abs(clientRatchet.steps - bankRatchet.steps) <= 1)
        #expect(clientRatchet.previous.count <= RatchetState.maximumPrevious)
        #expect(conv.a.state.sessions.count == 1 && conv.b.state.sessions.count == 1)
    }

    /// Reordering around a step, both directions: frames under the new chain that arrive before the step frame
    /// are refused and open when they come again; frames under the old chain that arrive after the step still
    /// open (the replaced chain is kept for the counters below the step, then erased). Exactly once, in order.
    @Test func framesAroundAStepArriveInAnyOrder() throws {
        var pair = try Pair()
        let t = pair.now + 1
        let b0 = try pair.bank.send(text: "b0", to: Fixtures.client.publicKey, number: "+client", now: t).step.outbound[0].bytes
        var c: [[UInt8]] = []
        for i in 1...5 {
            c.append(try pair.client.send(text: "c\(i)", to: Fixtures.bank.publicKey, number: "+bank", now: t).step.outbound[0].bytes)
        }
        let sizes = c.map(\.count)
        #expect(sizes.filter { $0 > sizes.min()! }.count == 1)  // exactly one of them is the step (+32)
        let stepIndex = try #require(sizes.firstIndex(of: sizes.max()!))
        #expect(stepIndex > 0 && stepIndex < 4)
        var atBank: [String] = []
        var refused: [SecureSMSError] = []
        // New-chain frames first, then the step, then the old-chain frames, then the new ones again.
        let order = Array((stepIndex + 1..<5).reversed()) + [stepIndex] + Array(0..<stepIndex) + Array(stepIndex + 1..<5)
        for i in order {
            let step = pair.bank.receive(c[i], from: "+client", now: t + 1)
            atBank += step.messages.map(\.text)
            refused += step.rejections
        }
        #expect(atBank == ["c1", "c2", "c3", "c4", "c5"])
        #expect(refused == Array(repeating: .authenticationFailed, count: 4 - stepIndex))
        #expect(pair.bankSession.ratchet?.previous.isEmpty == true)  // every counter below the step arrived
        // The bank's turn: its step comes with its next frames; b0 (old chain) arrives last.
        let b1 = try pair.bank.send(text: "b1", to: Fixtures.client.publicKey, number: "+client", now: t + 2).step.outbound[0].bytes
        let b2 = try pair.bank.send(text: "b2", to: Fixtures.client.publicKey, number: "+client", now: t + 2).step.outbound[0].bytes
        #expect(b1.count == b2.count + 32 + 5 || b1.count == b2.count + 32)  // b1 is the step (maybe with an ack)
        var atClient: [String] = []
        refused = []
        for bytes in [b2, b1, b0, b2] {
            let step = pair.client.receive(bytes, from: "+bank", now: t + 3)
            atClient += step.messages.map(\.text)
            refused += step.rejections
        }
        #expect(atClient == ["b0", "b1", "b2"])
        #expect(refused == [.authenticationFailed])
        #expect(pair.clientSession.ratchet?.previous.isEmpty == true)
        #expect(pair.clientSession.ratchet?.mine == nil)  // the bank answered: the client's ratchet secret is erased
    }

    /// One-way traffic (a bank sending one-time passwords, the client only acknowledging): the client's step goes
    /// on its ack once overdue (60 bytes: key and start counter), the bank answers on its next frame, and a copy of
    /// the client's state taken before stops opening the bank's frames after that answer.
    @Test func oneWayTrafficStepsOnAcksAndHeals() throws {
        var pair = try Pair()
        var thief = pair.client
        let secrets = [Fixtures.client.secretKey]
        var ackSizes: [Int] = []
        var frames: [(bytes: [UInt8], afterHeal: Bool)] = []
        var healed = false
        for i in 0..<40 {
            pair.now += 1
            let sent = try pair.bank.send(text: "otp \(1000 + i)", to: Fixtures.client.publicKey, number: "+client", now: pair.now)
            let bytes = sent.step.outbound[0].bytes
            #expect(pair.client.receive(bytes, from: "+bank", now: pair.now).messages.count == 1)
            if pair.bankSession.ratchet!.mine != nil, try Frame(bytes: bytes).body.count >= 48 { healed = true }
            frames.append((bytes, healed))
            for sms in pair.client.tick(now: pair.now + 1).outbound {
                ackSizes.append(sms.bytes.count)
                _ = pair.bank.receive(sms.bytes, from: "+client", now: pair.now + 1)
            }
        }
        #expect(Set(ackSizes).isSubset(of: [25, 60]))
        #expect(ackSizes.filter { $0 == 60 }.count >= 3)
        #expect(pair.clientSession.ratchet!.steps >= 6 && pair.bankSession.ratchet!.steps == pair.clientSession.ratchet!.steps)
        #expect(frames.contains { !$0.afterHeal } && frames.contains { $0.afterHeal })
        for (bytes, afterHeal) in frames {
            #expect(try Self.thiefOpensBankFrame(bytes, thief: &thief, secrets: secrets) == !afterHeal)
        }
    }

    /// The same one-way traffic over the seeded lossy network: exactly once, in order, steps taken on acks.
    @Test(arguments: [UInt64(5), 6])
    func oneWayTrafficOverALossyNetwork(seed: UInt64) throws {
        let config = EndpointConfiguration(retry: RetryPolicy(initialTimeout: 20, multiplier: 1.5, maximumTimeout: 120,
                                                              maximumAttempts: 60),
                                           ackDelay: 1, commitOnDelivery: true, ratchetEvery: 3, ratchetInterval: 0)
        var conv = Conversation(a: Fixtures.endpoint(Fixtures.client, tag: 1, configuration: config),
                                b: Fixtures.endpoint(Fixtures.bank, tag: 2, configuration: config),
                                aNumber: "+client", bNumber: "+bank",
                                network: LossyNetwork(seed: seed, loss: 0.2, duplication: 0.15, maxDelay: 15))
        conv.handle(try conv.a.send([0], to: Fixtures.bank.publicKey, number: "+bank", now: 0).step, atA: true)
        #expect(conv.run(until: 10_000) { $0.receivedByB.count == 1 && $0.deliveredToA.count == 1 })
        var sent: [UInt64] = []
        var rng = SeededGenerator(seed: seed)
        for i in 0..<150 {
            let r = try conv.b.send([UInt8(i)] + rng.bytes(Int.random(in: 0...60, using: &rng)), to: Fixtures.client.publicKey,
                                    number: "+client", now: conv.now)
            sent.append(r.messageID)
            conv.handle(r.step, atA: false)
            _ = conv.run(until: conv.now + 4) { _ in false }
        }
        #expect(conv.run(until: 400_000) { $0.receivedByA.count == 150 && $0.deliveredToB.count == 150 })
        #expect(conv.failures == 0)
        #expect(conv.receivedByA.map { $0.payload[0] } == (0..<150).map { UInt8($0) })
        #expect(Set(conv.deliveredToB) == Set(sent))
        #expect((conv.a.state.sessions.first?.ratchet?.steps ?? 0) >= 20)
    }

    /// `ratchetEvery: 0, ratchetInterval: 0` turns stepping off (the peer's steps are still accepted), and the
    /// time trigger alone steps after the interval.
    @Test func offAndTimeTriggers() throws {
        var off = try Pair(configuration: EndpointConfiguration(ackDelay: 1, commitOnDelivery: true, ratchetEvery: 0, ratchetInterval: 0))
        for i in 10..<40 {  // 3 characters: 3 bytes packed
            #expect(try off.clientSends("c\(i)").count == 20 + 3)
            #expect(try off.bankSends("b\(i)").count == 20 + 3)
        }
        #expect(off.clientSession.ratchet?.steps == 0)

        var timed = try Pair(configuration: EndpointConfiguration(ackDelay: 1, commitOnDelivery: true, ratchetEvery: 0, ratchetInterval: 3600))
        #expect(try timed.clientSends("ab").count == 22)
        timed.now += 3600
        #expect(try timed.clientSends("cd").count == 22 + 32)
        #expect(try timed.bankSends("ef").count == 22)  // the bank's turn came, its interval did not
        timed.now += 3600
        #expect(try timed.bankSends("gh").count == 22 + 32)
        #expect(timed.clientSession.ratchet?.steps == 2 && timed.bankSession.ratchet?.steps == 2)
    }

    /// A replayed step frame is rejected as a replay; a step frame with another key or a flipped bit does not
    /// authenticate and changes nothing; a "step" from the side whose turn it is not is not tried.
    @Test func replayedAndForgedStepsAreRejected() throws {
        var pair = try Pair()
        var frames: [[UInt8]] = []
        while pair.clientSession.ratchet?.steps == 0 { frames.append(try pair.clientSends("c\(frames.count)")) }
        let step = try #require(frames.last)
        let replay = pair.bank.receive(step, from: "+client", now: pair.now + 1)
        #expect(replay.messages.isEmpty)
        #expect(replay.rejections == [.replayed(counter: try Frame(bytes: step).counter)])
        // A fresh "step" by Mallory who holds the stolen root but not the bank's secret.
        let before = pair.bankSession
        var forged = step
        for i in 4..<36 { forged[i] ^= 0x5A }
        let r = pair.bank.receive(forged, from: "+client", now: pair.now + 2)
        #expect(r.messages.isEmpty && r.rejections.count == 1)
        #expect(pair.bankSession.ratchet == before.ratchet && pair.bankSession.receive == before.receive)
    }

    /// Sessions stored before the ratchet existed (no `ratchet` in their JSON) still load, and never step.
    @Test func sessionsStoredBeforeTheRatchetStillLoad() throws {
        var pair = try Pair()
        try pair.clientSends("one")
        let session = pair.clientSession
        let json = try StateCoding.encoder().encode(session)
        var object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["ratchet"] != nil)
        object["ratchet"] = nil
        let old = try JSONSerialization.data(withJSONObject: object)
        let decoded = try StateCoding.decoder().decode(Session.self, from: old)
        #expect(decoded.ratchet == nil)
        #expect(decoded.send == session.send && decoded.receive == session.receive)
        // Such a session keeps working at 20 bytes a frame.
        var clientState = pair.client.state
        clientState.sessions[0] = decoded
        pair.client = pair.client.with(state: clientState, tag: 9)
        var bankState = pair.bank.state
        bankState.sessions[0].ratchet = nil
        pair.bank = pair.bank.with(state: bankState, tag: 10)
        for i in 10..<16 {
            #expect(try pair.clientSends("c\(i)").count == 23)
            #expect(try pair.bankSends("b\(i)").count == 23)
        }
    }

    // MARK: Vector

    /// Ephemeral source returning public(seed) for the given seeds in order.
    static func sequence(_ seeds: [UInt8]) -> @Sendable () throws(SecureSMSError) -> Handshake.Ephemeral {
        let counter = Counter()
        return { () throws(SecureSMSError) in
            let n = counter.next() - 1
            return try Handshake.Ephemeral.generate(seed: [UInt8](repeating: seeds[min(n, seeds.count - 1)], count: 32))
        }
    }

    /// A hello session of the vector identities (client C1×32, bank B0×32), a step due every 10 s: hello
    /// (e = 05×32), reply (e = 07×32), the client's step (x = 06×32) on "transfer 10", the bank's step
    /// (y = 08×32) on "OK".
    static func vectorTranscript() throws -> [(String, String)] {
        let client = try Identity.generate(seed: [UInt8](repeating: 0xC1, count: 32))
        let bank = try Identity.generate(seed: [UInt8](repeating: 0xB0, count: 32))
        let config = EndpointConfiguration(commitOnDelivery: true, ratchetEvery: 0, ratchetInterval: 10)
        var bankConfig = config
        bankConfig.role = .bank
        var c = SecureEndpoint(identity: client, state: EndpointState(), configuration: config, ephemerals: sequence([0x05, 0x06, 0x09]))
        var b = SecureEndpoint(identity: bank, state: EndpointState(), configuration: bankConfig, ephemerals: sequence([0x07, 0x08]))
        c.pin(bank.publicKey, number: "+100")
        c.markIntroduced(bank.publicKey)
        b.enrol(client.publicKey, number: "+200")
        var out: [(String, String)] = []
        let hello = try c.send(text: "Balance?", to: bank.publicKey, number: "+100", now: 0)
        out.append(("ratchet session: hello (text \"Balance?\", e = seed 05×32)", TestHex.encode(hello.step.outbound[0].bytes)))
        _ = b.receive(hello.step.outbound[0].bytes, from: "+200", now: 0)
        let reply = try b.send(text: "EUR 42.00", to: client.publicKey, number: "+200", now: 0)
        out.append(("ratchet session: reply (text \"EUR 42.00\", e = seed 07×32)", TestHex.encode(reply.step.outbound[0].bytes)))
        _ = c.receive(reply.step.outbound[0].bytes, from: "+100", now: 0)
        out.append(("ratchet session: rk_0", TestHex.encode(c.state.sessions[0].ratchet!.root)))
        _ = c.tick(now: 10)  // the ack for the reply goes alone
        let step1 = try c.send(Array("transfer 10".utf8), to: bank.publicKey, number: "+100", now: 20)
        out.append(("ratchet step 1 client→bank (x = seed 06×32, DH with bank.public; bytes \"transfer 10\")",
                    TestHex.encode(step1.step.outbound[0].bytes)))
        out.append(("ratchet session: rk_1", TestHex.encode(c.state.sessions[0].ratchet!.root)))
        let got = b.receive(step1.step.outbound[0].bytes, from: "+200", now: 20)
        guard got.messages.map(\.payload) == [Array("transfer 10".utf8)], b.state.sessions[0].ratchet!.root == c.state.sessions[0].ratchet!.root
        else { throw SecureSMSError.authenticationFailed }
        _ = b.tick(now: 30)
        let step2 = try b.send(text: "OK", to: client.publicKey, number: "+200", now: 40)
        out.append(("ratchet step 2 bank→client (y = seed 08×32, DH with x; text \"OK\")", TestHex.encode(step2.step.outbound[0].bytes)))
        out.append(("ratchet session: rk_2", TestHex.encode(b.state.sessions[0].ratchet!.root)))
        let back = c.receive(step2.step.outbound[0].bytes, from: "+100", now: 40)
        guard back.messages.map(\.text) == ["OK"], b.state.sessions[0].ratchet!.root == c.state.sessions[0].ratchet!.root
        else { throw SecureSMSError.authenticationFailed }
        // One-way traffic: the bank sends again; the client, overdue (20 s since step 2) with no data of its own,
        // steps on its ack.
        let more = try b.send(text: "EUR 0.00", to: client.publicKey, number: "+200", now: 50)
        _ = c.receive(more.step.outbound[0].bytes, from: "+100", now: 50)
        let ackStep = c.tick(now: 70)
        out.append(("ratchet step 3 client→bank on an ack (x' = seed 09×32, DH with y; cumulative 3, start counter 2)",
                    TestHex.encode(ackStep.outbound[0].bytes)))
        out.append(("ratchet session: rk_3", TestHex.encode(c.state.sessions[0].ratchet!.root)))
        _ = b.receive(ackStep.outbound[0].bytes, from: "+200", now: 70)
        guard b.state.sessions[0].ratchet!.root == c.state.sessions[0].ratchet!.root, b.state.sessions[0].ratchet!.myTurn
        else { throw SecureSMSError.authenticationFailed }
        return out
    }

    @Test func ratchetVectorIsStable() throws {
        let transcript = try Self.vectorTranscript()
        if ProcessInfo.processInfo.environment["SECURESMS_PRINT_VECTORS"] != nil {
            for (name, hex) in transcript { print("\(name)\n    \(hex)") }
        }
        #expect(transcript.map(\.1) == (try Self.vectorTranscript()).map(\.1))
        // The step frames: header, counter, X (32), T (16), C.
        let step1 = try Frame(bytes: #require(TestHex.decode(transcript[3].1)))
        #expect(step1.header.type == .data && step1.counter == 1)
        #expect(Array(step1.body.prefix(32)) == (try Sodium.keyPair(seed: [UInt8](repeating: 0x06, count: 32))).public)
        #expect(step1.bytes.count == 4 + 32 + 16 + 11)
        for (name, hex) in transcript { #expect(Self.expected[name] == hex, "vector \(name)") }
        // The roots from their components: rk_1 = KDF_RK(rk_0, DH(x, S_bank)), rk_2 = KDF_RK(rk_1, DH(y, X)).
        let x = try Sodium.keyPair(seed: [UInt8](repeating: 0x06, count: 32))
        let y = try Sodium.keyPair(seed: [UInt8](repeating: 0x08, count: 32))
        let bank = try Identity.generate(seed: [UInt8](repeating: 0xB0, count: 32))
        let rk0 = try #require(TestHex.decode(transcript[2].1))
        let rk1 = RatchetState.kdfRK(root: rk0, dh: try Sodium.x25519(secret: x.secret, public: bank.publicKey.bytes))
        #expect(TestHex.encode(rk1.root) == transcript[4].1)
        let rk2 = RatchetState.kdfRK(root: rk1.root, dh: try Sodium.x25519(secret: y.secret, public: x.public))
        #expect(TestHex.encode(rk2.root) == transcript[6].1)
        // The bank's step frame carries Y and opens under ChainKDF.start(ck_2) at its counter 1.
        let step2 = try Frame(bytes: #require(TestHex.decode(transcript[5].1)))
        #expect(Array(step2.body.prefix(32)) == y.public)
        // Step 3 on an ack: 1 + counter 3 + X' 32 + tag 16 + ack body 5 + start 3 = 60 bytes.
        let step3 = try Frame(bytes: #require(TestHex.decode(transcript[7].1)))
        #expect(step3.header.type == .ack && step3.bytes.count == 60)
        let x3 = try Sodium.keyPair(seed: [UInt8](repeating: 0x09, count: 32))
        #expect(step3.ephemeral == x3.public)
        let rk3 = RatchetState.kdfRK(root: rk2.root, dh: try Sodium.x25519(secret: x3.secret, public: y.public))
        #expect(TestHex.encode(rk3.root) == transcript[8].1)

    }

    static let expected: [String: String] = [
        "ratchet session: hello (text \"Balance?\", e = seed 05×32)":
            "84dbdb13c44e429251771ec76197c7a1f8ea289a18ca3dd7a7e102ba7cc84df6b55cbe1a2cc487fc659387b5e486e3b04c25159482361e53b93dc1",
        "ratchet session: reply (text \"EUR 42.00\", e = seed 07×32)":
            "94761d88ec830413919dfe9d4d1d56f17e653c8c994082df5b137b90a0ae6edf74bf4b69729277acdfab09cd6c1ab3511c216bcceaf163ba49",
        "ratchet session: rk_0":
            "9728aaf74674ab38130fff6f0c1594ef34391f69cd81b5b764cb7288e3bf63a6",
        "ratchet step 1 client→bank (x = seed 06×32, DH with bank.public; bytes \"transfer 10\")":
            "9800000190e68be878c7cae260234f24f9745794d1605d5a13c0eec971695e44557b580036ace9d7abd56a98bbad8210443182224de086311a0ecf3bb5f1f0",
        "ratchet session: rk_1":
            "dd3391689f5618d2e614168222a2ae1700bf16902cadf2ed0bf332cd9bf0a2aa",
        "ratchet step 2 bank→client (y = seed 08×32, DH with x; text \"OK\")":
            "9c000001899abcb61e203a8c03613c9f7524d4efcf609db0c80d8e8d0fbabd93430c5323ef72112cb4357239effdba07a3c58f10450f",
        "ratchet session: rk_2":
            "dcb774545357b915a1e7b93bc476231ec84a7addbcc14ddc2aeb3b41dc6a1f82",
        "ratchet step 3 client→bank on an ack (x' = seed 09×32, DH with y; cumulative 3, start counter 2)":
            "a0000002ede2393fe2defd0ff703799841c699b03fd634a9b9c411ed760df7bce5d5c267112c2c437ceb2c3b59dafef2a72684a3d91775f53f3be77b",
        "ratchet session: rk_3":
            "073f7ebb9c36d645c4f768da460657b9ef354749f041f74580db66cbecab7c47",
    ]
}

extension SecureEndpoint {
    /// The same endpoint over an edited state (ephemerals from a fresh seeded source `tag`).
    func with(state: EndpointState, tag: UInt8) -> SecureEndpoint {
        SecureEndpoint(identity: identity, state: state, configuration: configuration, ephemerals: Fixtures.ephemerals(tag))
    }
}
