/// Matches status reports to sent parts by TP-MR and recipient, and folds part statuses into one
/// status per message. Pure value type; reports that arrive before their part is registered are
/// kept as orphans and applied on registration.
struct DeliveryTracker: Sendable {
    struct Tracked: Sendable {
        var recipient: String
        var references: [Int]
        var statuses: [DeliveryStatus?]
        var correlationID: String? = nil
    }

    private(set) var messages: [UInt64: Tracked] = [:]
    /// MR → message IDs that used it, most recent last.
    private var byReference: [Int: [UInt64]] = [:]
    private var orphans: [ReceivedStatusReport] = []
    private let orphanLimit = 256

    /// Starts tracking a message whose parts will get references.
    mutating func begin(messageID: UInt64, recipient: String, parts: Int, correlationID: String? = nil) {
        messages[messageID] = Tracked(recipient: recipient, references: [], statuses: Array(repeating: nil, count: parts),
                                      correlationID: correlationID)
    }

    /// Records the MR of the next part; returns a final report if orphans complete the message.
    mutating func register(messageID: UInt64, reference: Int) -> DeliveryReport? {
        guard var t = messages[messageID] else { return nil }
        t.references.append(reference)
        messages[messageID] = t
        byReference[reference, default: []].append(messageID)
        var result: DeliveryReport?
        if let i = orphans.lastIndex(where: { $0.reference == reference && Self.sameNumber($0.recipient, t.recipient) }) {
            let orphan = orphans.remove(at: i)
            result = apply(orphan)
        }
        return result
    }

    /// Applies a status report; returns the message's report once every part is final.
    mutating func apply(_ report: ReceivedStatusReport) -> DeliveryReport? {
        let candidates = byReference[report.reference] ?? []
        guard let id = candidates.last(where: { id in
            messages[id].map { Self.sameNumber($0.recipient, report.recipient) } ?? false
        }), var t = messages[id], let part = t.references.lastIndex(of: report.reference) else {
            orphans.append(report)
            if orphans.count > orphanLimit { orphans.removeFirst() }
            return nil
        }
        t.statuses[part] = DeliveryStatus(tpStatus: report.status)
        messages[id] = t
        let statuses = t.statuses.compactMap { $0 }
        let failed = statuses.first { if case .failed = $0 { return true } else { return false } }
        guard failed != nil || (statuses.count == t.statuses.count && statuses.allSatisfy(\.isFinal)) else { return nil }
        messages[id] = nil
        for r in t.references { byReference[r]?.removeAll { $0 == id } }
        let parts = t.statuses.map { $0 ?? .pending(status: -1) }
        return DeliveryReport(messageID: id, recipient: t.recipient, references: t.references,
                              status: failed ?? .delivered, parts: parts, correlationID: t.correlationID)
    }

    /// Compares numbers by their last 9 digits (international vs national forms).
    static func sameNumber(_ a: String, _ b: String) -> Bool {
        let da = a.filter(\.isNumber), db = b.filter(\.isNumber)
        if da.isEmpty || db.isEmpty { return a == b }
        return da.suffix(9) == db.suffix(9)
    }
}
