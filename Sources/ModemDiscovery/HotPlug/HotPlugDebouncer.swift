/// Applies raw events to a ``HotPlugTracker`` and reports changes once events have been quiet for
/// `settle` (a modem brings up its three to six ports in a burst). The snapshot is reported at once.
actor HotPlugDebouncer<C: Clock> where C.Duration == Duration {
    private var tracker: HotPlugTracker
    private var generation = 0
    private let settle: Duration
    private let clock: C
    private let emit: @Sendable ([HotPlugEvent]) -> Void

    init(settle: Duration, clock: C, includeAll: Bool, emit: @escaping @Sendable ([HotPlugEvent]) -> Void) {
        self.tracker = HotPlugTracker(includeAll: includeAll)
        self.settle = settle
        self.clock = clock
        self.emit = emit
    }

    /// Records `event` and (re)starts the quiet-period timer.
    func receive(_ event: UDevEvent) {
        tracker.apply(event)
        generation &+= 1
        if case .snapshot = event {
            flushNow()
            return
        }
        let expected = generation
        let (clock, settle) = (self.clock, self.settle)
        Task {
            try? await clock.sleep(for: settle)
            self.flush(ifGeneration: expected)
        }
    }

    /// Reports pending changes immediately (used when the raw stream ends).
    func flushNow() {
        let events = tracker.settle()
        if !events.isEmpty { emit(events) }
    }

    private func flush(ifGeneration expected: Int) {
        guard expected == generation else { return }
        flushNow()
    }
}
