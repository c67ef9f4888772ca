/// Collects fragments per sender until a message is complete. Bounded: at most `maxPending` partial
/// messages per sender and `maxTotal` overall; entries older than `maxAge` seconds are dropped.
public struct FrameReassembler: Sendable {
    struct Key: Hashable, Sendable {
        var sender: String
        var handshake: Bool
        var ref: UInt8
    }

    struct Entry: Sendable {
        var first: Frame?
        var parts: [UInt8: [UInt8]] = [:]
        var created: Double
    }

    private var entries: [Key: Entry] = [:]
    /// Partial messages kept per sender.
    public var maxPending = 32
    /// Partial messages kept in total.
    public var maxTotal = 1024
    /// Seconds after which a partial message is dropped.
    public var maxAge: Double = 3600

    /// Creates an empty reassembler.
    public init() {}

    /// Number of partial messages held.
    public var pendingCount: Int { entries.count }

    /// Adds one frame; returns the complete frame when `frame` completed a message (or was whole).
    public mutating func add(_ frame: Frame, from sender: String, now: Double) throws(SecureSMSError) -> Frame? {
        expire(now: now)
        let key: Key
        if frame.header.type == .cont {
            key = Key(sender: sender, handshake: frame.header.flags.contains(.handshakeContinuation), ref: frame.ref)
        } else if frame.isFirstFragment {
            key = Key(sender: sender, handshake: frame.header.type != .data, ref: frame.fragmentRef)
        } else {
            return frame
        }
        var entry = entries[key] ?? Entry(created: now)
        if frame.header.type == .cont {
            if let existing = entry.parts[frame.index], existing != frame.body {
                entries[key] = nil
                throw .badFragment("conflicting copies of fragment \(frame.index)")
            }
            entry.parts[frame.index] = frame.body
        } else {
            if let old = entry.first, old.fixedPart != frame.fixedPart || old.body != frame.body {
                entry = Entry(created: now)  // a newer message reuses the reference: start over
            }
            entry.first = frame
        }
        if let first = entry.first {
            let count = Int(first.fragmentCount)
            if entry.parts.keys.contains(where: { Int($0) >= count }) {
                entries[key] = nil
                throw .badFragment("fragment index beyond count \(count)")
            }
            if entry.parts.count == count - 1 {
                entries[key] = nil
                var whole = first
                whole.header.flags.remove(.fragmented)
                whole.fragmentCount = 0
                for i in 1..<count { whole.body += entry.parts[UInt8(i)] ?? [] }
                return whole
            }
        }
        entries[key] = entry
        enforceBounds(sender: sender)
        return nil
    }

    private mutating func expire(now: Double) {
        entries = entries.filter { now - $0.value.created <= maxAge }
    }

    private mutating func enforceBounds(sender: String) {
        let mine = entries.filter { $0.key.sender == sender }
        if mine.count > maxPending, let oldest = mine.min(by: { $0.value.created < $1.value.created }) {
            entries[oldest.key] = nil
        }
        while entries.count > maxTotal, let oldest = entries.min(by: { $0.value.created < $1.value.created }) {
            entries[oldest.key] = nil
        }
    }
}
