import ATModem
import Foundation

/// How failed sends are classified and retried.
public struct RetryPolicy: Sendable, Equatable {
    /// First retry delay; doubles per attempt.
    public var baseDelay: Duration
    /// Longest delay between attempts.
    public var maxDelay: Duration
    /// Attempts before a message fails with `retries_exhausted`.
    public var maxAttempts: Int

    public init(baseDelay: Duration = .seconds(2), maxDelay: Duration = .seconds(300), maxAttempts: Int = 8) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
    }

    /// Exponential backoff with ±25 % jitter for the `attempt`-th failure (1-based).
    public func delay(attempt: Int, jitter: Double = Double.random(in: 0.75...1.25)) -> Duration {
        let base = Double(baseDelay.components.seconds) + Double(baseDelay.components.attoseconds) / 1e18
        let cap = Double(maxDelay.components.seconds)
        let raw = min(cap, base * pow(2, Double(max(0, attempt - 1))))
        return .milliseconds(Int64(raw * jitter * 1000))
    }
}

/// What a send error means for the message (pure, unit-tested).
enum SendFailure: Equatable {
    /// The SMS may have gone out (PDU written, no result).
    case unconfirmed(String)
    /// Worth another try, preferably on another modem (busy network, modem trouble, unplug before the PDU).
    case transient(code: String, detail: String)
    /// This message cannot be sent (bad number, barred, rejected by the network).
    case permanent(code: String, detail: String)

    static func classify(_ error: ModemError) -> SendFailure {
        switch error {
        case .command(.unconfirmed(_, let reason)): return .unconfirmed(reason)
        case .invalidRecipient(let n): return .permanent(code: "invalid_recipient", detail: "invalid recipient \(n)")
        case .encoding(let d): return .permanent(code: "encoding", detail: d.description)
        case .command(.cms(let cms, _)):
            // RP-causes (< 128) that are not transient concern the recipient or the network's verdict on this message.
            if !cms.isTransient && cms.rawValue < 128 { return .permanent(code: "smsc_rejected", detail: "\(cms)") }
            return .transient(code: cms.isTransient ? "network_busy" : "modem_error", detail: "\(cms)")
        default:
            return .transient(code: "modem_unavailable", detail: error.description)
        }
    }
}
