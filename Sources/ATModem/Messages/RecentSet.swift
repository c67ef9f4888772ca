import Foundation
import SMSPDU

/// A set that remembers only its newest `limit` members (a ring of insertion order).
struct RecentSet: Sendable {
    let limit: Int
    private var members: Set<String> = []
    private var order: [String] = []
    private var head = 0

    init(limit: Int) { self.limit = max(1, limit) }

    var count: Int { members.count }

    func contains(_ member: String) -> Bool { members.contains(member) }

    mutating func insert(_ member: String) {
        guard members.insert(member).inserted else { return }
        if order.count < limit {
            order.append(member)
        } else {
            members.remove(order[head])
            order[head] = member
            head = (head + 1) % limit
        }
    }
}
