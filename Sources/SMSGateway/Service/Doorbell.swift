import Foundation

/// A wake-up signal with a generation number, so no ring is lost between "check" and "wait":
/// read ``generation``, check the store, then ``wait(since:timeout:)`` returns at once if the bell
/// rang in between. Waits end on a ring, on the timeout, or on task cancellation.
public actor Doorbell {
    private var count: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter: UInt64 = 0

    public init() {}

    /// Rings count so far.
    public var generation: UInt64 { count }

    /// Wakes every waiter.
    public func ring() {
        count &+= 1
        let all = waiters
        waiters.removeAll()
        for (_, w) in all { w.resume() }
    }

    /// Waits until a ring after `since`, `timeout` (nil: no limit), or cancellation.
    public func wait(since: UInt64, timeout: Duration?) async {
        guard count == since, !Task.isCancelled else { return }
        nextWaiter &+= 1
        let id = nextWaiter
        let timer: Task<Void, Never>? = timeout.map { t in
            Task { [weak self] in
                do { try await Task.sleep(for: t) } catch { return }
                await self?.resume(id)
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                if Task.isCancelled || count != since { c.resume() } else { waiters[id] = c }
            }
        } onCancel: {
            Task { await self.resume(id) }
        }
        timer?.cancel()
    }

    private func resume(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
