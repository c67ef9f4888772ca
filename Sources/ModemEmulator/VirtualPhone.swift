import Foundation
import SMSPDU

/// A subscriber without a PTY: a handset on the virtual network that records what the SMSC delivers to it,
/// reassembles concatenated messages, and sends with ``VirtualNetwork/phoneSend(from:to:text:)``.
///
/// Phones live inside the ``VirtualNetwork``; ``VirtualNetwork/phone(_:)`` returns a snapshot.
/// ```swift
/// try await net.addPhone(number: "+19990001")          // or: try await net.setPhonePrefixes(["+1999"])
/// // a modem sends AT+CMGS to +19990001 …
/// let phone = try #require(await net.phone("+19990001"))
/// phone.messages.last?.content.text                      // "hello"
/// phone.counts                                           // receivedParts, messages, duplicates, …
/// ```
public struct VirtualPhone: Sendable {
    /// The phone's number.
    public let number: String
    /// Every part delivered to the phone, duplicates included (the newest ``NetworkConfiguration/logLimit``).
    public private(set) var deliveries: BoundedLog<PhoneDelivery>
    /// Every message completed at the phone (the newest ``NetworkConfiguration/logLimit``).
    public private(set) var messages: BoundedLog<PhoneMessage>
    /// Running totals, never dropped.
    public private(set) var counts = PhoneCounts()
    /// Concatenated messages with parts still missing.
    public var incompleteMessages: Int { groups.count }

    /// The next 8-bit concatenation reference for a message this phone sends.
    private var nextReference: UInt8 = 0
    /// Messages being reassembled, by (originator, reference, total).
    private var groups: [GroupKey: Group] = [:]
    /// Opening order of groups, so the oldest is given up first when too many are open.
    private var groupOrder: BoundedLog<(key: GroupKey, serial: Int)>
    private var nextGroupSerial = 0
    /// Submission ids seen recently, for recognising network duplicates.
    private var seenSubmissions: Set<UInt64> = []
    private var seenOrder: BoundedLog<UInt64>

    private struct GroupKey: Hashable, Sendable {
        var from: String
        var reference: UInt16
        var total: Int
    }

    private struct Group: Sendable {
        var serial: Int
        var parts: [Int: (userData: UserData, submission: UInt64)] = [:]
    }

    /// A phone keeping at most `logLimit` deliveries and messages (nil: all). Duplicate detection and open
    /// reassembly groups use a window of at least 1,024 entries.
    init(number: String, logLimit: Int?) {
        self.number = number
        deliveries = BoundedLog(limit: logLimit)
        messages = BoundedLog(limit: logLimit)
        let window = logLimit.map { max($0, 1024) }
        groupOrder = BoundedLog(limit: window)
        seenOrder = BoundedLog(limit: window)
    }

    /// Allocates the concatenation reference of the next message this phone sends (0, 1, … mod 256).
    mutating func allocateReference() -> UInt8 {
        defer { nextReference &+= 1 }
        return nextReference
    }

    /// Counts a message of `parts` parts sent by this phone.
    mutating func recordSent(parts: Int) {
        counts.sentMessages += 1
        counts.sentParts += parts
    }

    /// Takes an SMS-DELIVER (`pdu` = SMSC field + TPDU) and returns what happened: the part, and the message
    /// when it completed one.
    mutating func receive(pdu: [UInt8], from origin: String, submission: UInt64, at date: Date) -> [PhoneEvent] {
        let scaLength = Int(pdu.first ?? 0)
        let tpdu = pdu.count > scaLength ? pdu[(scaLength + 1)...] : []
        var userData: UserData?
        if case .deliver(let deliver)? = try? PDU(bytes: pdu, hasSMSC: true).tpdu { userData = deliver.userData }
        let part = userData?.header?.concatenation.flatMap { element -> PartInfo? in
            let info = PartInfo(reference: element.reference, total: Int(element.total), sequence: Int(element.sequence))
            return info.total >= 1 && (1...info.total).contains(info.sequence) ? info : nil
        }
        let content = userData.map(Self.content) ?? .data([])

        var duplicate = !rememberSubmission(submission)
        var completed: PhoneMessage?
        if !duplicate, let userData {
            if let part, part.total > 1 {
                let key = GroupKey(from: origin, reference: part.reference, total: part.total)
                var group = groups[key] ?? openGroup(key)
                if group.parts[part.sequence] != nil {
                    duplicate = true
                } else {
                    group.parts[part.sequence] = (userData, submission)
                    if group.parts.count == part.total {
                        groups[key] = nil
                        let ordered = group.parts.sorted { $0.key < $1.key }.map(\.value)
                        completed = PhoneMessage(to: number, from: origin, content: Self.joined(ordered.map(\.userData)),
                                                 totalParts: part.total, reference: part.reference,
                                                 submissions: ordered.map(\.submission), at: date)
                    } else {
                        groups[key] = group
                    }
                }
            } else {
                completed = PhoneMessage(to: number, from: origin, content: content, totalParts: 1,
                                         reference: part?.reference, submissions: [submission], at: date)
            }
        }
        let delivery = PhoneDelivery(to: number, from: origin, submission: submission, tpduHex: Hex.encode(Array(tpdu)),
                                     part: part, content: content, duplicate: duplicate, at: date)
        deliveries.append(delivery)
        counts.receivedParts += 1
        if duplicate { counts.duplicates += 1 }
        var events: [PhoneEvent] = [.part(delivery)]
        if let completed {
            messages.append(completed)
            counts.messages += 1
            events.append(.message(completed))
        }
        return events
    }

    /// Records `submission`; false when it was seen already (a network duplicate).
    private mutating func rememberSubmission(_ submission: UInt64) -> Bool {
        guard seenSubmissions.insert(submission).inserted else { return false }
        if let forgotten = seenOrder.append(submission) { seenSubmissions.remove(forgotten) }
        return true
    }

    /// A new reassembly group; the oldest open group is given up when the window is full.
    private mutating func openGroup(_ key: GroupKey) -> Group {
        let serial = nextGroupSerial
        nextGroupSerial += 1
        if let evicted = groupOrder.append((key: key, serial: serial)), groups[evicted.key]?.serial == evicted.serial {
            groups[evicted.key] = nil
        }
        return Group(serial: serial)
    }

    private static func content(_ userData: UserData) -> PhoneContent {
        switch userData.content {
        case .text(let text): .text(text)
        case .binary(let bytes): .data(bytes)
        }
    }

    /// The body of a message from its parts in order (text restores UCS-2 surrogates split across parts).
    private static func joined(_ parts: [UserData]) -> PhoneContent {
        if let text = UserData.joinedText(parts) { return .text(text) }
        if let bytes = UserData.joinedBytes(parts) { return .data(bytes) }
        return .text(parts.map { $0.text ?? "" }.joined())
    }
}
