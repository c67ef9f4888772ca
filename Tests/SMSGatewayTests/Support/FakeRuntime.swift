import Foundation
@testable import SMSGateway

/// A runtime for HTTP tests: counts wake-ups, records phone sends, and lets a test release inbox
/// long polls with ``signalInbox()``.
actor FakeRuntime: GatewayRuntime {
    nonisolated let isEmulated: Bool
    private var modemList: [ModemResource]
    private(set) var acceptedSignals = 0
    private(set) var phoneSends: [PhoneSendRequest] = []
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0

    init(isEmulated: Bool = false, modems: [ModemResource] = []) {
        self.isEmulated = isEmulated
        self.modemList = modems
    }

    func modems() -> [ModemResource] { modemList }

    func messageAccepted() { acceptedSignals += 1 }

    func waitForInbox(after cursor: Int64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForSignal() }
            await group.next()
            group.cancelAll()
        }
    }

    func phoneSend(from: String, to: String, text: String) async throws {
        guard isEmulated, modemList.contains(where: { $0.number == to }) else {
            throw GatewayError.notFound(kind: "modem", id: to)
        }
        phoneSends.append(PhoneSendRequest(from: from, to: to, text: text))
    }

    /// The commands ``controlModem(id:action:)`` received, in order.
    private(set) var controls: [(id: String, action: ModemControlAction)] = []

    func controlModem(id: String, action: ModemControlAction) throws(GatewayError) -> ModemResource {
        guard let i = modemList.firstIndex(where: { $0.id == id }) else { throw .notFound(kind: "modem", id: id) }
        controls.append((id, action))
        switch action {
        case .suspend: modemList[i].state = "suspended"
        case .drain: modemList[i].state = "drained"  // nothing in hand in a fake
        case .resume: modemList[i].state = "ready"
        }
        return modemList[i]
    }

    /// Long polls waiting now.
    var waiting: Int { waiters.count }

    /// Releases every waiting long poll.
    func signalInbox() {
        let pending = waiters
        waiters = [:]
        for continuation in pending.values { continuation.resume() }
    }

    private func waitForSignal() async {
        let id = nextWaiter
        nextWaiter += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { waiters[id] = continuation }
            }
        } onCancel: {
            Task { await self.release(id) }
        }
    }

    private func release(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
