/// Follows hot-plug: an async sequence of modems added and removed, from a udev netlink monitor,
/// debounced over the burst of ports one modem produces, removals tracked by device path.
///
/// Modems present when watching starts are reported as `added` first.
///
/// ```swift
/// let watcher = try ModemWatcher()
/// for await event in watcher.events() {
///     print(event.kind, event.modem.devnode ?? "-")
/// }
/// ```
public final class ModemWatcher: Sendable {
    private let source: UDevEventSource
    private let settle: Duration
    private let includeAll: Bool

    /// Starts listening now (so no event between this call and ``events()`` is lost).
    /// - Parameters:
    ///   - settle: quiet time that ends a burst of port events.
    ///   - includeAll: also report serial adapters and unknown devices.
    ///   - netlinkSource: `"udev"` (after rules ran; the default) or `"kernel"` (hosts without udevd).
    public init(settle: Duration = .milliseconds(500), includeAll: Bool = false,
                netlinkSource: String = "udev") throws(DiscoveryError) {
        self.source = try UDevEventSource(netlinkSource: netlinkSource)
        self.settle = settle
        self.includeAll = includeAll
    }

    /// The events; call once. Ends when the monitor fails or the consumer stops iterating.
    public func events() -> AsyncStream<HotPlugEvent> {
        Self.debounced(source.events, settle: settle, clock: ContinuousClock(), includeAll: includeAll) { [source] in
            source.stop()
        }
    }

    /// The debouncing pipeline over any raw event stream (what ``events()`` runs; tests feed it directly).
    public static func debounced<C: Clock>(_ raw: AsyncStream<UDevEvent>, settle: Duration, clock: C,
                                           includeAll: Bool = false,
                                           onTermination: @escaping @Sendable () -> Void = {})
        -> AsyncStream<HotPlugEvent> where C.Duration == Duration {
        let (stream, continuation) = AsyncStream.makeStream(of: HotPlugEvent.self)
        let debouncer = HotPlugDebouncer(settle: settle, clock: clock, includeAll: includeAll) { events in
            for event in events { continuation.yield(event) }
        }
        let pump = Task {
            for await event in raw { await debouncer.receive(event) }
            await debouncer.flushNow()
            continuation.finish()
        }
        continuation.onTermination = { _ in
            pump.cancel()
            onTermination()
        }
        return stream
    }
}
