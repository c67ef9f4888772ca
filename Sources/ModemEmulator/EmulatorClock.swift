import Foundation

/// The time source of the emulator: wall-clock time for SCTS stamps and sleeps for injected delays.
///
/// Inject ``InstantClock`` in tests so every fault delay completes at once:
/// `VirtualNetwork(seed: 1, clock: InstantClock())`.
public protocol EmulatorClock: Sendable {
    /// The current wall-clock time (used for service-centre timestamps).
    func now() -> Date
    /// Suspends for `duration` (fault delays, slow replies).
    func sleep(for duration: Duration) async throws
}

/// The real clock: `Date()` and `Task.sleep`.
public struct SystemClock: EmulatorClock {
    /// Creates the real clock.
    public init() {}
    /// The current time.
    public func now() -> Date { Date() }
    /// Sleeps for real.
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// A clock whose sleeps return at once and whose time starts at a fixed instant, so runs are fast and repeatable.
///
/// `now()` is `start` plus the real time elapsed since the clock was made, so timestamps still increase.
public struct InstantClock: EmulatorClock {
    private let start: Date
    private let origin: ContinuousClock.Instant

    /// Creates a clock starting at `start` (default 2024-05-01 12:00:00 UTC).
    public init(start: Date = Date(timeIntervalSince1970: 1_714_564_800)) {
        self.start = start
        self.origin = ContinuousClock.now
    }

    /// `start` plus the real time elapsed since creation.
    public func now() -> Date {
        let elapsed = ContinuousClock.now - origin
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return start.addingTimeInterval(seconds)
    }

    /// Returns at once (after yielding, so other tasks run).
    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        await Task.yield()
    }
}
