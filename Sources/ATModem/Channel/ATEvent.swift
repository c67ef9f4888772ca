/// One thing the decoder recognised in the byte stream.
public enum ATEvent: Sendable, Hashable {
    /// An information line belonging to the command in flight.
    case response(String)
    /// The `> ` prompt for PDU/text input.
    case prompt
    /// The final result of the command in flight.
    case final(ATFinalResult)
    /// An unsolicited result code (possibly with its PDU line).
    case urc(URC)
    /// A line that belongs to nothing (a final result with no command in flight, or unknown text
    /// while idle). Logged and dropped.
    case stray(String)
}
