/// Callers suspended on an actor, in arrival order. Each has a ticket, so a caller whose task is
/// cancelled is taken out and resumed at once (`WaitingActor.suspend(cancelled:register:onCancel:)`); no continuation in
/// the driver waits without a cancellation handler.
struct Waiters<Value: Sendable>: Sendable {
    private var entries: [(ticket: UInt64, continuation: CheckedContinuation<Value, Never>)] = []
    private var nextTicket: UInt64 = 0

    /// Whether no caller waits.
    var isEmpty: Bool { entries.isEmpty }

    /// A new ticket, taken before suspending.
    mutating func ticket() -> UInt64 {
        nextTicket &+= 1
        return nextTicket
    }

    /// Adds a suspended caller.
    mutating func append(_ ticket: UInt64, _ continuation: CheckedContinuation<Value, Never>) {
        entries.append((ticket, continuation))
    }

    /// Resumes the caller holding `ticket`, if it still waits.
    mutating func resume(_ ticket: UInt64, returning value: Value) {
        guard let index = entries.firstIndex(where: { $0.ticket == ticket }) else { return }
        entries.remove(at: index).continuation.resume(returning: value)
    }

    /// Resumes the longest-waiting caller; false when none waits.
    mutating func resumeFirst(returning value: Value) -> Bool {
        guard !entries.isEmpty else { return false }
        entries.removeFirst().continuation.resume(returning: value)
        return true
    }

    /// Resumes every caller.
    mutating func resumeAll(returning value: Value) {
        let all = entries
        entries.removeAll()
        for entry in all { entry.continuation.resume(returning: value) }
    }
}

/// An actor whose callers wait in ``Waiters`` lists.
protocol WaitingActor: Actor {}

extension WaitingActor {
    /// Suspends: `register` puts the continuation on a list (with a ticket taken before), from which
    /// the actor resumes it later. When the calling task is cancelled, `cancel` runs on the actor (it
    /// resumes the ticket with its cancelled value), so the caller returns at once.
    func suspend<Value: Sendable>(cancelled: Value, register: (CheckedContinuation<Value, Never>) -> Void,
                                  onCancel cancel: @escaping @Sendable (isolated Self) -> Void) async -> Value {
        // The isolation is passed explicitly. `register` mutates the actor's waiter lists, so it must run
        // on the actor; these closures capture nothing isolated, and a generic protocol-extension body
        // does not hand its isolation to them by itself: they ran on the global executor, a caller could
        // register after the lock it waited for was released, and sleep forever (`WaitersTests`).
        await withTaskCancellationHandler(operation: {
            await withCheckedContinuation(isolation: self) { (continuation: CheckedContinuation<Value, Never>) in
                self.assertIsolated("a Waiters list is the actor's state")
                if Task.isCancelled { continuation.resume(returning: cancelled) } else { register(continuation) }
            }
        }, onCancel: {
            Task { await self.isolated(cancel) }
        }, isolation: self)
    }

    private func isolated(_ body: @Sendable (isolated Self) -> Void) { body(self) }
}
