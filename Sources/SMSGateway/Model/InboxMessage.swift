import Foundation

/// A received SMS as `GET /v1/inbox` returns it: reassembled from parts committed to the store.
public struct InboxMessage: Sendable, Codable, Equatable {
    public var id: String
    /// Position in the inbox: strictly increasing in commit order; pass it as `after` to continue.
    public var cursor: Int64
    public var from: String
    /// The number of the gateway modem it arrived on (or the modem id when the number is unknown).
    public var to: String
    public var modem: String
    public var text: String?
    public var dataHex: String?
    public var ports: Ports?
    public var receivedAt: Date
    /// Parts the message has (1 for a single SMS).
    public var parts: Int
    /// Part numbers that arrived (all of them unless ``complete`` is false).
    public var receivedParts: [Int]
    /// False for a message surfaced after the reassembly timeout with parts missing.
    public var complete: Bool
    /// Set for a message from a secure peer: `text`/`data_hex` hold the plaintext the engine
    /// authenticated and decrypted.
    public var secure: SecureInboxInfo? = nil

    enum CodingKeys: String, CodingKey {
        case id, cursor, from, to, modem, text, ports, parts, complete, secure
        case dataHex = "data_hex", receivedAt = "received_at", receivedParts = "received_parts"
    }

    public init(id: String, cursor: Int64, from: String, to: String, modem: String, text: String?, dataHex: String?,
                ports: Ports?, receivedAt: Date, parts: Int, receivedParts: [Int], complete: Bool,
                secure: SecureInboxInfo? = nil) {
        self.secure = secure
        self.id = id; self.cursor = cursor; self.from = from; self.to = to; self.modem = modem
        self.text = text; self.dataHex = dataHex; self.ports = ports; self.receivedAt = receivedAt
        self.parts = parts; self.receivedParts = receivedParts; self.complete = complete
    }
}

/// `GET /v1/inbox` response.
public struct InboxPage: Sendable, Codable, Equatable {
    public var messages: [InboxMessage]
    /// The cursor to pass as `after` next time (the last message's, or the request's when empty).
    public var next: Int64
    public init(messages: [InboxMessage], next: Int64) { self.messages = messages; self.next = next }
}
