/// An append-only log that keeps only its newest `limit` entries (a ring), or everything when `limit` is nil.
///
/// The emulator's transcripts, sent-message lists, delivery logs and fault logs are `BoundedLog`s, so a
/// long end-to-end run holds at most `limit` entries of each while ``appendedCount`` still counts them all.
/// It is a random-access collection in age order: index 0 is the oldest entry still kept.
/// ```swift
/// var log = BoundedLog<Int>(limit: 3)
/// for n in 1...5 { log.append(n) }
/// Array(log)            // [3, 4, 5]
/// log.appendedCount     // 5
/// log.droppedCount      // 2
/// ```
public struct BoundedLog<Element>: RandomAccessCollection {
    /// The most entries kept; nil keeps every entry.
    public let limit: Int?
    /// How many entries were ever appended (kept or dropped) since creation or ``removeAll()``.
    public private(set) var appendedCount = 0

    private var storage: [Element] = []
    /// Position in `storage` of the oldest entry once the ring is full.
    private var head = 0

    /// An empty log keeping at most `limit` entries (negative limits keep none); nil keeps everything.
    public init(limit: Int?) {
        self.limit = limit.map { Swift.max(0, $0) }
    }

    /// How many entries were dropped to stay within ``limit``.
    public var droppedCount: Int { appendedCount - storage.count }

    /// The position of the oldest kept entry (always 0).
    public var startIndex: Int { 0 }
    /// One past the newest kept entry.
    public var endIndex: Int { storage.count }

    /// The entry at `position`, counted from the oldest kept entry.
    public subscript(position: Int) -> Element {
        let physical = head + position
        return storage[physical < storage.count ? physical : physical - storage.count]
    }

    /// Appends `element`, dropping the oldest entry when the log is full; returns the dropped entry, if any.
    @discardableResult
    public mutating func append(_ element: Element) -> Element? {
        appendedCount += 1
        guard let limit else {
            storage.append(element)
            return nil
        }
        guard limit > 0 else { return element }
        guard storage.count == limit else {
            storage.append(element)
            return nil
        }
        let dropped = storage[head]
        storage[head] = element
        head = head + 1 == limit ? 0 : head + 1
        return dropped
    }

    /// Changes the newest entry in place; returns false (and does nothing) when the log is empty.
    @discardableResult
    mutating func modifyLast(_ body: (inout Element) -> Void) -> Bool {
        guard !storage.isEmpty else { return false }
        let physical = head == 0 ? storage.count - 1 : head - 1
        body(&storage[physical])
        return true
    }

    /// Forgets every entry and resets ``appendedCount``.
    public mutating func removeAll() {
        storage.removeAll()
        head = 0
        appendedCount = 0
    }
}

extension BoundedLog: Sendable where Element: Sendable {}

extension BoundedLog: Equatable where Element: Equatable {
    /// Equal when both keep the same entries in the same order (limits and counts aside).
    public static func == (lhs: BoundedLog, rhs: BoundedLog) -> Bool { lhs.elementsEqual(rhs) }
}

extension BoundedLog: CustomStringConvertible {
    /// The kept entries, like an array's description.
    public var description: String { Array(self).description }
}
