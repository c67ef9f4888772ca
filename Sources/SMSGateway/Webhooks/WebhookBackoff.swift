import Foundation

/// When a failed delivery is tried again: exponential backoff with "equal jitter" (half the delay
/// fixed, half random, as in the AWS architecture note on backoff), capped, until the give-up age.
public struct WebhookBackoff: Sendable, Equatable {
    /// Delay after the first failure.
    public var base: TimeInterval
    /// Longest delay between two attempts.
    public var cap: TimeInterval
    /// A delivery older than this (since its event) is given up after its next failure.
    public var giveUpAfter: TimeInterval

    public init(base: TimeInterval = 1, cap: TimeInterval = 3600, giveUpAfter: TimeInterval = 3 * 86_400) {
        self.base = max(0.001, base); self.cap = max(self.base, cap); self.giveUpAfter = giveUpAfter
    }

    /// The delay after `attempts` failed attempts (1 = the first), with `unit` a random draw in [0, 1).
    public func delay(afterAttempts attempts: Int, unit: Double) -> TimeInterval {
        let exponent = Double(min(max(attempts, 1) - 1, 60))
        let full = min(cap, base * pow(2, exponent))
        return full / 2 + full / 2 * min(max(unit, 0), 1)
    }

    /// What to do after a failed attempt.
    public func outcome(afterAttempts attempts: Int, createdAt: Date, now: Date,
                        random: inout some RandomNumberGenerator) -> DeliveryAttemptResult.Outcome {
        guard now.timeIntervalSince(createdAt) < giveUpAfter else { return .gaveUp }
        let next = now.addingTimeInterval(delay(afterAttempts: attempts, unit: Double.random(in: 0..<1, using: &random)))
        return .retry(next: next)
    }
}
