import Foundation
import SMSPDU

/// Reassembly of concatenated SMS (TS 23.040 §9.2.3.24.1): parts in any order, and duplicates judged by
/// the **whole message**, never by one part's bytes.
///
/// Two different messages from one sender with the same reference often share a byte-identical part
/// (templated texts sent in the same second: "OTP 123456. <long disclaimer>"), so a part equal to one seen
/// before may belong to a second message. Rules:
/// - a part joins the newest open group of its key (sender, reference, total) that lacks its sequence number;
/// - a part that would open a new group while its content is already held at that position (in an open
///   group, or in a message delivered before) is a **copy**: a network duplicate, a resend after an unplug
///   (new timestamp), or the shared part of a twin message. Its slot is deleted at once (its content is
///   safe: on the SIM in the open group, or delivered) and the content is kept in memory as a spare;
/// - any other part opens a new group (a new message, or a reused reference);
/// - a completed group whose parts are byte for byte those of a message already delivered is a duplicate:
///   its slots are deleted, nothing is delivered;
/// - a group takes missing parts from the spares of its key that carry the time stamp of one of its parts
///   (a twin sent in the same second whose shared part came first) and is delivered complete;
/// - a group still open at its timeout is surfaced as incomplete — never dropped.
///
/// Pure value type; the ``Modem`` drives its timeouts. Memory is bounded: at most
/// ``maximumOpenGroups`` open groups (the oldest is surfaced when a new one would exceed it), the newest
/// ``memory`` delivered messages and parts, and spares (``sparesPerPart`` time stamps per part) for the newest
/// ``memory`` keys.
struct MessageReassembler: Sendable {
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
        /// A message to hand to the consumer (complete, or incomplete at its timeout).
        case message(AssembledMessage)
        /// A copy of what is already held or delivered: delete these slots, deliver nothing.
        case duplicate([StorageSlot])
        /// A new group started; schedule its timeout.
        case started(Key, generation: UInt64)
        /// The part joined an open group.
        case waiting
    }

    /// How many delivered messages, delivered parts and spare keys are remembered.
    let memory: Int
    /// The most groups kept open at once.
    let maximumOpenGroups: Int
    private(set) var groups: [Key: [Group]] = [:]
    private(set) var openGroupCount = 0
    private var deliveredMessages = RecentSet(limit: 1)
    private var deliveredParts = RecentSet(limit: 1)
    /// Per key and sequence number, the newest spare of each time stamp (at most ``sparesPerPart``).
    private var spares: [Key: [Int: [ReceivedPart]]] = [:]
    private var spareOrder: [Key] = []
    private var generation: UInt64 = 0

    init(memory: Int = 20_000, maximumOpenGroups: Int = 4_096) {
        self.memory = max(1, memory)
        self.maximumOpenGroups = max(1, maximumOpenGroups)
        deliveredMessages = RecentSet(limit: self.memory)
        deliveredParts = RecentSet(limit: self.memory)
    }

    /// Adds a part (with the slot it was read from, nil for `+CMT`).
    mutating func add(_ part: ReceivedPart, slot: StorageSlot?) -> [Outcome] {
        let slots = slot.map { [$0] } ?? []
        guard let c = part.concat, c.total > 1, c.sequence >= 1, c.sequence <= c.total else {
            let fingerprint = "1|\(part.sender)|\(part.identity)"
            if deliveredMessages.contains(fingerprint) { return [.duplicate(slots)] }
            deliveredMessages.insert(fingerprint)
            return [.message(Self.assemble([part], total: 1, slots: slots))]
        }
        let key = Key(sender: part.sender, reference: c.reference, total: c.total)
        var outcomes: [Outcome] = []
        var open = groups[key] ?? []
        let index: Int
        if let i = open.lastIndex(where: { $0.parts[c.sequence] == nil }) {
            index = i
        } else {
            let held = open.contains { $0.parts[c.sequence]?.payload == part.payload }
            if held || deliveredParts.contains(Self.partFingerprint(key, c.sequence, part)) {
                keepSpare(part, key: key, sequence: c.sequence)
                return [.duplicate(slots)]
            }
            generation &+= 1
            open.append(Group(generation: generation))
            openGroupCount += 1
            index = open.count - 1
            outcomes.append(.started(key, generation: generation))
        }
        open[index].parts[c.sequence] = part
        open[index].slots += slots
        if open[index].parts.count < c.total { fillFromSpares(&open[index], key: key) }
        if open[index].parts.count == c.total {
            let group = open.remove(at: index)
            openGroupCount -= 1
            outcomes.append(complete(group, key: key))
        } else if outcomes.isEmpty {
            outcomes.append(.waiting)
        }
        groups[key] = open.isEmpty ? nil : open
        if openGroupCount > maximumOpenGroups, let oldest = oldestOpenGroup() {
            if let outcome = expire(oldest.key, generation: oldest.generation) { outcomes.append(outcome) }
        }
        return outcomes
    }

    /// Ends the group if it is still open in the same generation: a duplicate when every part was delivered
    /// before, else the incomplete message.
    mutating func expire(_ key: Key, generation: UInt64) -> Outcome? {
        guard var open = groups[key], let i = open.firstIndex(where: { $0.generation == generation }) else { return nil }
        let group = open.remove(at: i)
        openGroupCount -= 1
        groups[key] = open.isEmpty ? nil : open
        if group.parts.allSatisfy({ deliveredParts.contains(Self.partFingerprint(key, $0.key, $0.value)) }) {
            return .duplicate(group.slots)
        }
        rememberParts(of: group, key: key)
        return .message(Self.assemble(group, total: key.total))
    }

    /// Completes a group from the spares of its key when they hold every missing part with the time stamp
    /// of one of its parts: the shared part of a twin sent in the same second, which came first.
    private func fillFromSpares(_ group: inout Group, key: Key) {
        guard let spare = spares[key] else { return }
        let missing = (1...key.total).filter { group.parts[$0] == nil }
        let stamps = Set(group.parts.values.map(\.timestamp))
        var found: [Int: ReceivedPart] = [:]
        for sequence in missing {
            guard let match = spare[sequence]?.last(where: { stamps.contains($0.timestamp) }) else { return }
            found[sequence] = match
        }
        group.parts.merge(found) { held, _ in held }
    }

    private mutating func keepSpare(_ part: ReceivedPart, key: Key, sequence: Int) {
        if spares[key] == nil {
            spareOrder.append(key)
            if spareOrder.count > memory { spares[spareOrder.removeFirst()] = nil }
        }
        // One per time stamp: a late copy of an older message's part (another second) must not displace
        // the spare a twin of this second is waiting for.
        var kept = spares[key, default: [:]][sequence, default: []]
        kept.removeAll { $0.timestamp == part.timestamp }
        kept.append(part)
        if kept.count > Self.sparesPerPart { kept.removeFirst(kept.count - Self.sparesPerPart) }
        spares[key, default: [:]][sequence] = kept
    }

    /// How many spares (of distinct time stamps) are kept per key and sequence number.
    static let sparesPerPart = 8

    private mutating func complete(_ group: Group, key: Key) -> Outcome {
        let identities = group.parts.keys.sorted().compactMap { group.parts[$0]?.identity }
        let fingerprint = Self.messageFingerprint(key, identities)
        if deliveredMessages.contains(fingerprint) { return .duplicate(group.slots) }
        deliveredMessages.insert(fingerprint)
        rememberParts(of: group, key: key)
        return .message(Self.assemble(group, total: key.total))
    }

    private mutating func rememberParts(of group: Group, key: Key) {
        for (sequence, part) in group.parts { deliveredParts.insert(Self.partFingerprint(key, sequence, part)) }
    }

    private func oldestOpenGroup() -> (key: Key, generation: UInt64)? {
        var best: (key: Key, generation: UInt64)?
        for (key, open) in groups {
            for g in open where g.generation < (best?.generation ?? .max) { best = (key, g.generation) }
        }
        return best
    }

    private static func messageFingerprint(_ key: Key, _ identities: [String]) -> String {
        "\(key.total)|\(key.reference)|\(key.sender)|" + identities.joined(separator: "|")
    }

    /// A part by its content (not its bytes): a copy resent with a new timestamp matches too.
    private static func partFingerprint(_ key: Key, _ sequence: Int, _ part: ReceivedPart) -> String {
        let content: String
        switch part.payload {
        case .text(let t): content = "t:" + t
        case .data(let d): content = "d:" + d.map { String($0, radix: 16) }.joined(separator: ".")
        }
        return "\(key.total)|\(key.reference)|\(key.sender)|\(sequence)|\(content)"
    }

    private static func assemble(_ group: Group, total: Int) -> AssembledMessage {
        let ordered = group.parts.keys.sorted().compactMap { group.parts[$0] }
        var m = assemble(ordered, total: total, slots: group.slots)
        m.receivedParts = group.parts.keys.sorted()
        return m
    }

    /// Joins payloads in order: text through `UserData.joinedText` (a UCS-2 surrogate pair split across
    /// two parts by the sender becomes its one character again), data bytes concatenated.
    static func assemble(_ parts: [ReceivedPart], total: Int, slots: [StorageSlot]) -> AssembledMessage {
        let first = parts.first
        var content: IncomingMessage.Content
        if !parts.isEmpty, parts.allSatisfy({ if case .data = $0.payload { return true } else { return false } }) {
            content = .data(parts.flatMap { if case .data(let d) = $0.payload { return d } else { return [] } })
        } else if parts.contains(where: \.userData.holdsUnpairedSurrogate),
                  parts.allSatisfy({ if case .text = $0.payload { return true } else { return false } }),
                  let text = UserData.joinedText(parts.map(\.userData)) {
            content = .text(text)
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
