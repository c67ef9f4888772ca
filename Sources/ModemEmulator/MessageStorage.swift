/// A preferred message storage name (`AT+CPMS`).
public enum MessageMemory: String, Sendable, CaseIterable {
    /// SIM storage.
    case sm = "SM"
    /// Modem (ME) storage.
    case me = "ME"
    /// SM then ME, numbered as one (indices after SM's capacity are ME's).
    case mt = "MT"
    /// Status report storage.
    case sr = "SR"
}

/// A message in a modem's storage, as `AT+CMGR` shows it.
public struct StoredMessage: Sendable, Equatable {
    /// The `<stat>` of 27.005.
    public enum Status: Int, Sendable, CaseIterable {
        /// A received message not yet read (`REC UNREAD`).
        case receivedUnread = 0
        /// A received message that was read (`REC READ`).
        case receivedRead = 1
        /// A written message not yet sent (`STO UNSENT`).
        case storedUnsent = 2
        /// A written message that was sent (`STO SENT`).
        case storedSent = 3

        /// The text-mode name, e.g. `REC UNREAD`.
        public var text: String {
            switch self {
            case .receivedUnread: "REC UNREAD"
            case .receivedRead: "REC READ"
            case .storedUnsent: "STO UNSENT"
            case .storedSent: "STO SENT"
            }
        }
    }

    /// The status.
    public var status: Status
    /// The PDU as the modem prints it: SMSC address field followed by the TPDU.
    public var pdu: [UInt8]

    /// The TPDU length `AT+CMGR` prints (the PDU without its SMSC field).
    public var tpduLength: Int {
        guard let first = pdu.first else { return 0 }
        return max(0, pdu.count - 1 - Int(first))
    }
}

/// How many messages a memory holds and can hold (``VirtualModem/storageUsage(_:)``).
public struct StorageUsage: Sendable, Equatable {
    /// Messages stored.
    public var used: Int
    /// Slots in all.
    public var capacity: Int
}

/// The SM, ME and SR memories of one modem, with capacities; indices start at 1.
struct MessageStorage: Sendable {
    private var slots: [MessageMemory: [Int: StoredMessage]] = [.sm: [:], .me: [:], .sr: [:]]
    private let capacities: [MessageMemory: Int]

    /// Storage with the given capacities of SM, ME and SR.
    init(sm: Int, me: Int, sr: Int) {
        capacities = [.sm: max(0, sm), .me: max(0, me), .sr: max(0, sr)]
    }

    /// Number of messages in `memory`.
    func used(_ memory: MessageMemory) -> Int {
        memory == .mt ? used(.sm) + used(.me) : slots[memory]?.count ?? 0
    }

    /// Capacity of `memory`.
    func total(_ memory: MessageMemory) -> Int {
        memory == .mt ? total(.sm) + total(.me) : capacities[memory] ?? 0
    }

    /// Maps an index of `memory` to its physical memory and index, or nil when out of range.
    private func locate(_ index: Int, in memory: MessageMemory) -> (MessageMemory, Int)? {
        guard index >= 1, index <= total(memory) else { return nil }
        if memory != .mt { return (memory, index) }
        let smCapacity = total(.sm)
        return index <= smCapacity ? (.sm, index) : (.me, index - smCapacity)
    }

    /// The message at `index`, nil for an empty slot; throws `+CMS ERROR: 321` when out of range.
    func message(at index: Int, in memory: MessageMemory) throws(ATFailure) -> StoredMessage? {
        guard let (physical, slot) = locate(index, in: memory) else { throw .cms(.invalidMemoryIndex) }
        return slots[physical]?[slot]
    }

    /// Changes the status of a stored message (e.g. unread → read when it is read).
    mutating func setStatus(_ status: StoredMessage.Status, at index: Int, in memory: MessageMemory) {
        guard let (physical, slot) = locate(index, in: memory) else { return }
        slots[physical]?[slot]?.status = status
    }

    /// Stores `message` in the first free slot and returns its index in `memory`, or nil when full.
    mutating func store(_ message: StoredMessage, in memory: MessageMemory) -> Int? {
        if memory == .mt {
            if let index = store(message, in: .sm) { return index }
            return store(message, in: .me).map { $0 + total(.sm) }
        }
        let capacity = total(memory)
        guard capacity > 0 else { return nil }
        for index in 1...capacity where slots[memory]?[index] == nil {
            slots[memory]?[index] = message
            return index
        }
        return nil
    }

    /// Deletes the message at `index` (an empty slot is fine); throws `+CMS ERROR: 321` when out of range.
    mutating func delete(at index: Int, in memory: MessageMemory) throws(ATFailure) {
        guard let (physical, slot) = locate(index, in: memory) else { throw .cms(.invalidMemoryIndex) }
        slots[physical]?[slot] = nil
    }

    /// All messages of `memory` in index order.
    func list(_ memory: MessageMemory) -> [(index: Int, message: StoredMessage)] {
        if memory == .mt {
            return list(.sm) + list(.me).map { (index: $0.index + total(.sm), message: $0.message) }
        }
        return (slots[memory] ?? [:]).sorted { $0.key < $1.key }.map { (index: $0.key, message: $0.value) }
    }
}
