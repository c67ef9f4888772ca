import Testing
@testable import ATModem
import SMSKitTestSupport

/// A lock built the way `Modem`'s storage lock is: a flag and a `Waiters` list on an actor.
private actor TicketLock: WaitingActor {
    var locked = false
    var waiters = Waiters<Bool>()
    private(set) var holders = 0
    private(set) var overlaps = 0

    func lock() async -> Bool {
        if !locked { locked = true; return enter() }
        let ticket = waiters.ticket()
        let granted = await suspend(cancelled: false, register: { waiters.append(ticket, $0) },
                                    onCancel: { $0.waiters.resume(ticket, returning: false) })
        return granted ? enter() : false
    }

    private func enter() -> Bool {
        holders += 1
        if holders > 1 { overlaps += 1 }
        return true
    }

    func unlock() {
        holders -= 1
        if !waiters.resumeFirst(returning: true) { locked = false }
    }

    /// Free with callers still waiting: a lost wake-up.
    var strandedWaiters: Bool { !locked && !waiters.isEmpty }
}

@Suite struct WaitersTests {
    /// The soak flake: `WaitingActor.suspend`'s continuation body, a closure that did not capture the
    /// actor, ran off it. A caller could then register after the lock had been released with nobody
    /// waiting, and slept forever with the lock free (a modem stopped reading its SIM until the next
    /// reassembly timeout). Many callers contend for one lock; every one must get it, never two at once.
    @Test func contendedLockWakesEveryWaiterAndNeverAdmitsTwo() async throws {
        let lock = TicketLock()
        let finished = try await withTimeout(60) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<2_000 {
                            guard await lock.lock() else { return }
                            await Task.yield()
                            await lock.unlock()
                        }
                    }
                }
            }
            return true
        }
        let stranded = await lock.strandedWaiters
        #expect(finished == true, "a caller was never woken (stranded: \(stranded))")
        #expect(await lock.overlaps == 0)
    }

    @Test func cancellingAWaiterReturnsAtOnce() async throws {
        let lock = TicketLock()
        _ = await lock.lock()
        let waiter = Task { await lock.lock() }
        while await lock.waiters.isEmpty { await Task.yield() }
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(await lock.waiters.isEmpty)
    }
}
