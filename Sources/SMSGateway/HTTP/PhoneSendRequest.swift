/// The body of `POST /v1/emulator/phones/send` (emulate mode): a virtual phone with number `from`
/// sends `text` to the gateway modem with number `to`.
public struct PhoneSendRequest: Sendable, Codable, Equatable {
    /// The virtual phone's number.
    public var from: String
    /// The gateway modem's number.
    public var to: String
    /// The message.
    public var text: String

    /// Creates a request.
    public init(from: String, to: String, text: String) { self.from = from; self.to = to; self.text = text }
}
