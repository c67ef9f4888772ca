/// The symmetric KDF chain of one direction: `mk_n = BLAKE2b(key: ck_n, 0x01)`,
/// `ck_{n+1} = BLAKE2b(key: ck_n, 0x02)`. Old chain and message keys are forgotten (forward secrecy).
enum ChainKDF {
    /// Message key and next chain key of `chainKey`.
    static func step(_ chainKey: [UInt8]) -> (messageKey: [UInt8], next: [UInt8]) {
        (Sodium.blake2b([0x01], key: chainKey), Sodium.blake2b([0x02], key: chainKey))
    }

    /// The first chain key (counter 1) and the ack key of a direction, from its split root.
    static func start(root: [UInt8]) -> (chainKey: [UInt8], ackKey: [UInt8]) {
        (Sodium.blake2b(Array("chain".utf8), key: root), Sodium.blake2b(Array("ack".utf8), key: root))
    }

}

/// The sending half of a session: the next data counter and chain key, and the ack counter.
/// The caller persists the session after every `next…` call and before the frame leaves.
struct SendChain: Codable, Sendable, Equatable {
    private(set) var chainKey: [UInt8]
    private(set) var nextCounter: UInt32 = 1
    private(set) var ackKey: [UInt8]
    private(set) var nextAckCounter: UInt32 = 1

    init(root: [UInt8]) {
        (chainKey, ackKey) = ChainKDF.start(root: root)
    }

    /// `old` continued from a new (upgraded) root: same counters, new chain key and new ack key (v2: acks
    /// are keyed by the current chain, so pre-upgrade keys, computable from a stolen static key, forge none).
    init(upgrading old: SendChain, root: [UInt8]) {
        self = old
        (chainKey, ackKey) = ChainKDF.start(root: root)
        for _ in 1..<max(old.nextCounter, 1) { chainKey = ChainKDF.step(chainKey).next }
    }

    /// `old` after a DH ratchet step (§4.1): the same counters, the chain restarted from `root` at the next
    /// counter (its chain key is `ChainKDF.start(root)`), and a new ack key.
    init(ratcheting old: SendChain, root: [UInt8]) {
        self = old
        (chainKey, ackKey) = ChainKDF.start(root: root)
    }

    /// Takes the next data counter and its message key, advancing the chain.
    mutating func nextMessageKey() throws(SecureSMSError) -> (counter: UInt32, key: [UInt8]) {
        guard nextCounter <= Frame.maxCounter else { throw .counterExhausted }
        let (mk, next) = ChainKDF.step(chainKey)
        let counter = nextCounter
        chainKey = next
        nextCounter += 1
        return (counter, mk)
    }

    /// Takes the next ack counter.
    mutating func nextAck() throws(SecureSMSError) -> UInt32 {
        guard nextAckCounter <= Frame.maxCounter else { throw .counterExhausted }
        defer { nextAckCounter += 1 }
        return nextAckCounter
    }
}

/// The receiving half: chain key at `nextCounter`, a bounded store of skipped message keys, the ack key.
struct ReceiveChain: Codable, Sendable, Equatable {
    /// How far ahead of the chain a counter may be (keys derived and kept for the gap).
    static let maxSkip: UInt32 = 64
    /// How many skipped keys are kept at most (oldest evicted first).
    static let maxStoredSkipped = 128

    private(set) var chainKey: [UInt8]
    private(set) var nextCounter: UInt32 = 1
    private(set) var skipped: [UInt32: [UInt8]] = [:]
    /// The key of the peer's stand-alone acks; nil before an intro session's upgrade (no acks accepted).
    private(set) var ackKey: [UInt8]?
    /// The highest ack counter accepted (ack replay is rejected: counters must grow).
    var lastAckCounter: UInt32 = 0

    /// A chain from `root`; `acceptsAcks: false` for an intro session before its upgrade.
    init(root: [UInt8], acceptsAcks: Bool = true) {
        let start = ChainKDF.start(root: root)
        chainKey = start.chainKey
        ackKey = acceptsAcks ? start.ackKey : nil
    }

    /// The peer's chain after its DH ratchet step at `counter` (§4.1): counters from `counter` on; the ack
    /// counter carries over (acks must keep growing across steps).
    init(root: [UInt8], startingAt counter: UInt32, lastAckCounter: UInt32) {
        self.init(root: root)
        nextCounter = counter
        self.lastAckCounter = lastAckCounter
    }

    /// Whether no message key was taken from this chain yet.
    var isUnused: Bool { nextCounter == 1 && skipped.isEmpty }

    /// Advances an unused chain to `counter` without keeping the keys (those counters arrived already).
    mutating func skipUnused(below counter: UInt32) {
        guard isUnused else { return }
        while nextCounter < counter { chainKey = ChainKDF.step(chainKey).next; nextCounter += 1 }
    }

    /// The message key for `counter`, consuming it. Call on a copy and keep the copy only if the
    /// AEAD verifies, so forged frames cannot advance the chain.
    mutating func messageKey(for counter: UInt32) throws(SecureSMSError) -> [UInt8] {
        if counter < nextCounter {
            if let key = skipped.removeValue(forKey: counter) { return key }
            throw .replayed(counter: counter)
        }
        guard counter - nextCounter <= ReceiveChain.maxSkip else { throw .outsideWindow(counter: counter) }
        while nextCounter < counter {
            let (mk, next) = ChainKDF.step(chainKey)
            skipped[nextCounter] = mk
            chainKey = next
            nextCounter += 1
        }
        let (mk, next) = ChainKDF.step(chainKey)
        chainKey = next
        nextCounter += 1
        while skipped.count > ReceiveChain.maxStoredSkipped, let oldest = skipped.keys.min() {
            skipped[oldest] = nil
        }
        return mk
    }
}
