import Foundation

/// A `Clock` whose sleeps return at once (after a yield, so other tasks run): inject it in tests so
/// every fault delay and slow reply takes no time, `VirtualNetwork(seed: 1, clock: InstantClock())`.
///
/// The emulator, like the driver, takes one `any Clock<Duration>` for everything it waits for and one
/// wall-time source (`wallTime`, for service-centre timestamps); there is no emulator-only clock type.
public struct InstantClock: Clock {
    public typealias Instant = ContinuousClock.Instant

    /// Creates the clock.
    public init() {}

    /// The real monotonic time (sleeps do not advance it).
    public var now: Instant { ContinuousClock.now }

    /// No resolution: sleeps are not real.
    public var minimumResolution: Duration { .zero }

    /// Returns at once (after yielding); throws `CancellationError` when the task is cancelled.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        await Task.yield()
    }

    /// A wall-time source for repeatable timestamps: `start` (default 2024-05-01 12:00:00 UTC) plus the
    /// real time elapsed since this call, so stamps still increase.
    public static func wallTime(startingAt start: Date = Date(timeIntervalSince1970: 1_714_564_800)) -> @Sendable () -> Date {
        let origin = ContinuousClock.now
        return {
            let elapsed = ContinuousClock.now - origin
            return start.addingTimeInterval(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }
}
