import Foundation

/// A message put together from its parts (or what arrived of it).
struct AssembledMessage: Sendable {
    var sender: String
    var content: IncomingMessage.Content
    var timestamp: Date?
    var smsc: String?
    var ports: (destination: Int, source: Int)?
    var totalParts: Int
    var receivedParts: [Int]
    var slots: [StorageSlot]
}

/// Reassembly of concatenated SMS (TS 23.040 §9.2.3.24.1): parts in any order, network duplicates
/// (byte-identical TPDUs) dropped, a reference reused while a message is open starts a new one and
/// surfaces the old as incomplete. Pure value type; the ``Modem`` drives its timeouts.
struct Reassembler: Sendable {
    struct Key: Hashable, Sendable {
        var sender: String
        var reference: Int
        var total: Int
    }

    struct Group: Sendable {
        var generation: UInt64
        var parts: [Int: ReceivedPart] = [:]
        var slots: [StorageSlot] = []
    }

    enum Outcome: Sendable {
        /// A message to hand to the consumer (complete, or incomplete when displaced).
        case message(AssembledMessage)
        /// A byte-identical copy of a part already seen: delete its slot, deliver nothing.
        case duplicate(StorageSlot?)
        /// A new group started; schedule its timeout.
        case started(Key, generation: UInt64)
        /// The part joined an open group.
        case waiting
    }

    /// How many part identities are remembered for duplicate detection.
    let memory: Int
    private(set) var groups: [Key: Group] = [:]
    private var seen: Set<String> = []
    private var seenOrder: [String] = []
    private var seenHead = 0
    private var generation: UInt64 = 0

    init(memory: Int = 20_000) { self.memory = max(1, memory) }

    /// Adds a part (with the slot it was read from, nil for `+CMT`).
    mutating func add(_ part: ReceivedPart, slot: StorageSlot?) -> [Outcome] {
        if seen.contains(part.identity) { return [.duplicate(slot)] }
        remember(part.identity)
        guard let c = part.concat, c.total > 1, c.sequence >= 1, c.sequence <= c.total else {
            return [.message(Self.assemble([part], total: 1, slots: slot.map { [$0] } ?? []))]
        }
        let key = Key(sender: part.sender, reference: c.reference, total: c.total)
        var outcomes: [Outcome] = []
        if let existing = groups[key], let old = existing.parts[c.sequence], old.payload == part.payload {
            return [.duplicate(slot)]  // the same part again (e.g. resent after an unplug, new timestamp)
        }
        if let existing = groups[key], existing.parts[c.sequence] != nil {
            // Same reference reused with different content: the old message will not complete.
            outcomes.append(.message(Self.assemble(existing, total: c.total)))
            groups[key] = nil
        }
        var group: Group
        if let g = groups[key] {
            group = g
        } else {
            generation &+= 1
            group = Group(generation: generation)
            outcomes.append(.started(key, generation: generation))
        }
        group.parts[c.sequence] = part
        if let slot { group.slots.append(slot) }
        if group.parts.count == c.total {
            groups[key] = nil
            outcomes.append(.message(Self.assemble(group, total: c.total)))
        } else {
            groups[key] = group
            if outcomes.isEmpty { outcomes.append(.waiting) }
        }
        return outcomes
    }

    /// Surfaces the group as incomplete if it is still open in the same generation.
    mutating func expire(_ key: Key, generation: UInt64) -> AssembledMessage? {
        guard let g = groups[key], g.generation == generation else { return nil }
        groups[key] = nil
        return Self.assemble(g, total: key.total)
    }

    /// Whether a part identity was seen (used to skip re-reads of the same slot).
    func hasSeen(_ identity: String) -> Bool { seen.contains(identity) }

    private mutating func remember(_ identity: String) {
        seen.insert(identity)
        if seenOrder.count < memory {
            seenOrder.append(identity)
        } else {
            seen.remove(seenOrder[seenHead])
            seenOrder[seenHead] = identity
            seenHead = (seenHead + 1) % memory
        }
    }

    private static func assemble(_ group: Group, total: Int) -> AssembledMessage {
        let ordered = group.parts.keys.sorted().compactMap { group.parts[$0] }
        var m = assemble(ordered, total: total, slots: group.slots)
        m.receivedParts = group.parts.keys.sorted()
        return m
    }

    /// Joins payloads in order: UCS-2 bytes are decoded together, data bytes concatenated.
    static func assemble(_ parts: [ReceivedPart], total: Int, slots: [StorageSlot]) -> AssembledMessage {
        let first = parts.first
        var content: IncomingMessage.Content
        if !parts.isEmpty, parts.allSatisfy({ if case .data = $0.payload { return true } else { return false } }) {
            content = .data(parts.flatMap { if case .data(let d) = $0.payload { return d } else { return [] } })
        } else {
            var text = ""
            for part in parts {
                switch part.payload {
                case .text(let t): text += t
                case .data(let d): text += String(decoding: d, as: UTF8.self)
                }
            }
            content = .text(text)
        }
        return AssembledMessage(sender: first?.sender ?? "", content: content, timestamp: first?.timestamp,
                                smsc: first?.smsc, ports: first?.ports, totalParts: total,
                                receivedParts: total == 1 ? [1] : [], slots: slots)
    }
}
