/// `GET /v1/messages` response: a page of messages in id (creation) order.
public struct MessagePage: Sendable, Codable, Equatable {
    /// The messages of this page.
    public var messages: [MessageResource]
    /// The last message's id, to pass as `after` for the next page; `null` when the page is empty
    /// (so paging until `next` is null and paging until `messages` is empty both end).
    public var next: String?

    /// Creates a page.
    public init(messages: [MessageResource], next: String?) { self.messages = messages; self.next = next }

    enum CodingKeys: String, CodingKey { case messages, next }

    /// Writes `next` as `null` rather than leaving it out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(messages, forKey: .messages)
        try container.encode(next, forKey: .next)
    }
}
