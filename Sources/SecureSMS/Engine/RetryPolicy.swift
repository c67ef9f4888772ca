/// When unacknowledged messages are re-sent, and when the endpoint gives up and reports `failed`.
///
/// Attempt k (1-based) waits `min(initialTimeout · multiplier^(k-1), maximumTimeout)` seconds.
/// Example: `RetryPolicy(initialTimeout: 30, multiplier: 2, maximumTimeout: 600, maximumAttempts: 6)`.
public struct RetryPolicy: Sendable, Equatable, Codable {
    /// Seconds to wait for an acknowledgement after the first transmission.
    public var initialTimeout: Double
    /// Back-off factor between attempts.
    public var multiplier: Double
    /// Upper bound of one wait.
    public var maximumTimeout: Double
    /// Transmissions (first one included) before the message is reported `failed`.
    public var maximumAttempts: Int

    /// Creates a policy.
    public init(initialTimeout: Double = 30, multiplier: Double = 2, maximumTimeout: Double = 600, maximumAttempts: Int = 6) {
        self.initialTimeout = max(initialTimeout, 0.001)
        self.multiplier = max(multiplier, 1)
        self.maximumTimeout = max(maximumTimeout, self.initialTimeout)
        self.maximumAttempts = max(maximumAttempts, 1)
    }

    /// Seconds to wait after transmission number `attempt` (1-based).
    public func timeout(afterAttempt attempt: Int) -> Double {
        var t = initialTimeout
        var k = 1
        while k < attempt, t < maximumTimeout {
            t *= multiplier
            k += 1
        }
        return min(t, maximumTimeout)
    }
}
