/// Receiver-side reliability: which sequence numbers arrived, and in-order, exactly-once delivery.
struct ReceiveTracker: Codable, Sendable, Equatable {
    /// A decrypted message waiting for the gap before it to fill.
    struct Pending: Codable, Sendable, Equatable {
        var payload: [UInt8]
        var isText: Bool
        var deliver: Bool
    }

    /// All sequence numbers below this were received and delivered.
    private(set) var cumulative: UInt32 = 0
    private var above: [UInt32: Pending] = [:]

    /// Whether `seq` was already received.
    func hasReceived(_ seq: UInt32) -> Bool { seq < cumulative || above[seq] != nil }

    /// Records a new message; returns the messages now deliverable in order (empty for duplicates).
    mutating func record(_ seq: UInt32, _ pending: Pending) -> [(UInt32, Pending)] {
        guard !hasReceived(seq) else { return [] }
        above[seq] = pending
        var ready: [(UInt32, Pending)] = []
        while let next = above.removeValue(forKey: cumulative) {
            ready.append((cumulative, next))
            cumulative += 1
        }
        return ready
    }

    /// The acknowledgement describing what was received.
    var ack: AckBody {
        var bitmap: UInt16 = 0
        for i in 0..<16 where above[cumulative + 1 + UInt32(i)] != nil { bitmap |= 1 << UInt16(i) }
        return AckBody(cumulative: cumulative, bitmap: bitmap)
    }
}
