import ModemEmulator
@testable import SecureSMS

/// An in-memory operator network that loses, duplicates, reorders and delays SMS, seeded.
struct LossyNetwork {
    struct InFlight {
        var deliverAt: Double
        var order: UInt64
        var to: String
        var from: String
        var bytes: [UInt8]
    }

    var random: SeededGenerator
    var loss: Double
    var duplication: Double
    var maxDelay: Double
    private var queue: [InFlight] = []
    private var sequence: UInt64 = 0
    private(set) var sent = 0

    init(seed: UInt64, loss: Double, duplication: Double, maxDelay: Double) {
        random = SeededGenerator(seed: seed)
        self.loss = loss
        self.duplication = duplication
        self.maxDelay = maxDelay
    }

    /// Submits SMS from `from`; each may be lost, duplicated and is delayed randomly (so reordered).
    mutating func submit(_ outbound: [OutboundSMS], from: String, now: Double) {
        for sms in outbound {
            sent += 1
            if Double.random(in: 0..<1, using: &random) < loss { continue }
            let copies = Double.random(in: 0..<1, using: &random) < duplication ? 2 : 1
            for _ in 0..<copies {
                sequence += 1
                queue.append(InFlight(deliverAt: now + Double.random(in: 0...maxDelay, using: &random), order: sequence,
                                      to: sms.to, from: from, bytes: sms.bytes))
            }
        }
    }

    /// The earliest pending delivery time.
    var nextDelivery: Double? { queue.map(\.deliverAt).min() }

    /// Removes and returns everything due at `now`, in delivery-time order.
    mutating func due(now: Double) -> [InFlight] {
        let ready = queue.filter { $0.deliverAt <= now }.sorted { ($0.deliverAt, $0.order) < ($1.deliverAt, $1.order) }
        queue.removeAll { $0.deliverAt <= now }
        return ready
    }
}

/// Two endpoints joined by a lossy network, driven in virtual time.
struct Conversation {
    var a: SecureEndpoint
    var b: SecureEndpoint
    let aNumber: String
    let bNumber: String
    var network: LossyNetwork
    var now: Double = 0
    var receivedByA: [ReceivedMessage] = []
    var receivedByB: [ReceivedMessage] = []
    var deliveredToA: Set<UInt64> = []  // ids sent by A and acknowledged
    var deliveredToB: Set<UInt64> = []
    var failures = 0
    var rejections: [SecureSMSError] = []

    mutating func handle(_ step: EndpointStep, atA: Bool) {
        for event in step.events {
            switch event {
            case .message(let m): if atA { receivedByA.append(m) } else { receivedByB.append(m) }
            case .delivered(let id, _, _): if atA { deliveredToA.insert(id) } else { deliveredToB.insert(id) }
            case .failed, .unconfirmed: failures += 1
            case .rejected(_, let e): rejections.append(e)
            }
        }
        network.submit(step.outbound, from: atA ? aNumber : bNumber, now: now)
    }

    /// Advances virtual time until `done` holds or `limit` is reached; returns whether `done` held.
    mutating func run(until limit: Double, done: (Conversation) -> Bool) -> Bool {
        while now < limit {
            if done(self) { return true }
            let candidates = [network.nextDelivery, a.nextDeadline, b.nextDeadline].compactMap { $0 }
            guard let next = candidates.min() else { return done(self) }
            now = max(now, next)
            for sms in network.due(now: now) {
                if sms.to == aNumber {
                    handle(a.receive(sms.bytes, from: sms.from, now: now), atA: true)
                } else {
                    handle(b.receive(sms.bytes, from: sms.from, now: now), atA: false)
                }
            }
            handle(a.tick(now: now), atA: true)
            handle(b.tick(now: now), atA: false)
        }
        return done(self)
    }
}
