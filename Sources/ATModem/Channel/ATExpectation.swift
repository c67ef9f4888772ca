/// What the decoder knows about the command in flight.
public struct ATExpectation: Sendable, Equatable {
    /// The command text as sent (without CR), used to recognise its echo.
    public var command: String
    /// Information-response prefixes this command produces (`+CPIN:`); such lines are responses
    /// even when the URC table lists them.
    public var responsePrefixes: [String]
    /// Whether the command waits for the `> ` prompt (`AT+CMGS`).
    public var expectsPrompt: Bool
    /// Extra lines to drop as echo (the PDU hex after the prompt).
    public var echoes: Set<String>
    /// A resynchronisation probe (see `ATCommandStateMachine`): final results that belong to an
    /// earlier, timed-out command arrive before the probe's own, so a final result does not end
    /// the expectation; the owner ends it with ``ATResponseDecoder/cancelExpectation()``.
    public var isProbe: Bool

    /// Creates an expectation.
    public init(command: String, responsePrefixes: [String] = [], expectsPrompt: Bool = false, echoes: Set<String> = [],
                isProbe: Bool = false) {
        self.command = command
        self.responsePrefixes = responsePrefixes
        self.expectsPrompt = expectsPrompt
        self.echoes = echoes
        self.isProbe = isProbe
    }
}
