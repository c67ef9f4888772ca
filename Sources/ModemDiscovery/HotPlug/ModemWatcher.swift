import ServiceLifecycle

/// Follows hot-plug: modems added and removed, from a udev netlink monitor, debounced over the
/// burst of ports one modem produces, removals tracked by device path.
///
/// Modems present when watching starts are reported as `added` first. The watcher is a
/// swift-service-lifecycle `Service`: `init` starts listening (so no event between it and
/// ``run()`` is lost), ``run()`` does the work in the caller's task, and ``events()`` carries the
/// results while it runs.
///
/// ```swift
/// let watcher = try ModemWatcher()
/// await withDiscardingTaskGroup { group in
///     group.addTask { await watcher.run() }
///     for await event in watcher.events() {
///         print(event.kind, event.modem.devnode ?? "-")
///     }
/// }
/// ```
public final class ModemWatcher: Service, Sendable {
    private let source: UDevEventSource
    private let settle: Duration
    private let includeAll: Bool
    private let stream: AsyncStream<HotPlugEvent>
    private let continuation: AsyncStream<HotPlugEvent>.Continuation

    /// Starts listening now (so no event between this call and ``run()`` is lost).
    /// - Parameters:
    ///   - settle: quiet time that ends a burst of port events.
    ///   - includeAll: also report serial adapters and unknown devices.
    ///   - netlinkSource: `"udev"` (after rules ran; the default) or `"kernel"` (hosts without udevd).
    public init(settle: Duration = .milliseconds(500), includeAll: Bool = false,
                netlinkSource: String = "udev") throws(DiscoveryError) {
        let source = try UDevEventSource(netlinkSource: netlinkSource)
        self.source = source
        self.settle = settle
        self.includeAll = includeAll
        (stream, continuation) = AsyncStream.makeStream(of: HotPlugEvent.self)
        // A consumer that stops iterating stops the monitor, and with it run().
        continuation.onTermination = { _ in source.stop() }
    }

    /// The events, while ``run()`` runs; iterate once. Ends when `run()` returns.
    public func events() -> AsyncStream<HotPlugEvent> { stream }

    /// Follows the monitor until the task is cancelled or gracefully shut down, the consumer of
    /// ``events()`` stops, or the monitor fails; then stops the monitor and ends ``events()``.
    public func run() async {
        let (source, settle, includeAll, continuation) = (self.source, self.settle, self.includeAll, self.continuation)
        await cancelWhenGracefulShutdown {
            await Self.pump(source.events, settle: settle, clock: ContinuousClock(), includeAll: includeAll) { continuation.yield($0) }
        }
        source.stop()
        continuation.finish()
    }

    /// The debouncing pipeline over any raw event stream, in its own task (tests feed it directly;
    /// ``run()`` runs the same pipeline in the caller's task).
    public static func debounced<C: Clock>(_ raw: AsyncStream<UDevEvent>, settle: Duration, clock: C,
                                           includeAll: Bool = false,
                                           onTermination: @escaping @Sendable () -> Void = {})
        -> AsyncStream<HotPlugEvent> where C.Duration == Duration {
        let (stream, continuation) = AsyncStream.makeStream(of: HotPlugEvent.self)
        let pump = Task {
            await Self.pump(raw, settle: settle, clock: clock, includeAll: includeAll) { continuation.yield($0) }
            continuation.finish()
        }
        continuation.onTermination = { _ in
            pump.cancel()
            onTermination()
        }
        return stream
    }

    /// Applies raw events to the debouncer until `raw` ends (or the task is cancelled), then
    /// reports what is still pending.
    static func pump<C: Clock>(_ raw: AsyncStream<UDevEvent>, settle: Duration, clock: C, includeAll: Bool,
                               emit: @escaping @Sendable (HotPlugEvent) -> Void) async where C.Duration == Duration {
        let debouncer = HotPlugDebouncer(settle: settle, clock: clock, includeAll: includeAll) { events in
            for event in events { emit(event) }
        }
        for await event in raw { await debouncer.receive(event) }
        await debouncer.flushNow()
    }
}
