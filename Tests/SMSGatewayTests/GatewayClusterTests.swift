import Foundation
import SMSKitTestSupport
import Testing
@testable import SMSGateway

/// Posts `count` messages (`out-i`, Idempotency-Key `out-i`) through whichever hosts are up,
/// spreading requests over them; a failed request goes to another host with the same key.
private func postAcrossHosts(_ rig: ClusterRig, count: Int, concurrency: Int, progress: Progress) async throws -> [String: String] {
    let next = Counter()
    return try await withThrowingTaskGroup(of: [String: String].self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                var ids: [String: String] = [:]
                var turn = worker
                while let i = await next.take(below: count) {
                    let text = "out-\(i)"
                    let body: [String: Any] = ["to": "+1999" + String(format: "%06d", i % 100), "text": text]
                    while true {
                        let clients = await rig.liveClients
                        turn += 1
                        if !clients.isEmpty,
                           let r = try? await clients[turn % clients.count].request("POST", "/v1/messages", json: body,
                                                                                    headers: ["Idempotency-Key": text], timeout: 10),
                           r.status == 202, let id = r.json["id"] as? String {
                            ids[text] = id
                            break
                        }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    await progress.add()
                }
                return ids
            }
        }
        var all: [String: String] = [:]
        for try await part in group { all.merge(part) { a, _ in a } }
        return all
    }
}

/// How many messages were accepted so far; the chaos task awaits milestones (no polling).
private actor Progress {
    private(set) var done = 0
    private var waiters: [(Int, CheckedContinuation<Void, Never>)] = []
    func add() {
        done += 1
        let ready = waiters.filter { $0.0 <= done }
        waiters.removeAll { $0.0 <= done }
        for (_, c) in ready { c.resume() }
    }
    func wait(atLeast n: Int) async {
        guard done < n else { return }
        await withCheckedContinuation { waiters.append((n, $0)) }
    }
}

@Suite("Gateway cluster: three real gateways on one PostgreSQL", .serialized)
struct GatewayClusterTests {
    @Test("3 gateways, 2,000 messages through any API, one kill -9 and one restart midway: each delivered once outside `unknown`, the dead host's claims finished by the others within the lease timeout, the inbox complete and without duplicates",
          .enabled(if: haveBinary, "build smskit first: swift build"),
          .enabled(if: postgresTestURL != nil, "SMSKIT_TEST_POSTGRES_URL is not set: scripts/test.sh starts a throwaway PostgreSQL and sets it"),
          .timeLimit(.minutes(8)))
    func killAndRestart() async throws {
        let postgres = try #require(postgresTestURL)
        let began = ContinuousClock.now
        func elapsed() -> String { String(format: "%.1f s", Double((ContinuousClock.now - began).components.seconds)) }
        let lease = 3.0
        let numbers = (1...9).map { "+1555" + String(format: "%04d", $0) }
        let rig = try await ClusterRig(name: "cluster", postgres: postgres,
                                       layout: [("host-a", Array(numbers[0..<3])), ("host-b", Array(numbers[3..<6])),
                                                ("host-c", Array(numbers[6..<9])), ("host-d", [])],
                                       leaseTimeout: lease, seed: 31)
        for h in ["host-a", "host-b", "host-c"] { try await rig.start(h) }
        let observer = try await PostgresStore.open(url: rig.database, options: .init(joinCluster: false), logger: quietLogger)
        let count = 2000, inCount = 300
        let progress = Progress()

        let inbound = Task {
            for i in 0..<inCount {
                await rig.phoneSend(from: "+1999" + String(format: "%06d", 700 + i % 40), to: numbers[i % numbers.count], text: "in-\(i)")
            }
        }
        // Midway: kill -9 host C; later stop and restart host B.
        let chaos = Task { () throws -> (failover: Double, cModems: [String], cLeasesAtKill: Int) in
            await progress.wait(atLeast: 600)
            let cModems = await rig.modemIDs("host-c")
            let cLeases = try await observer.leases().filter { $0.node == "host-c" }.count
            await rig.kill("host-c")
            let killedAt = ContinuousClock.now
            // The dead host's work: its leases lapse, the rescuer requeues its claims, the others send them.
            var failover = -1.0
            while ContinuousClock.now < killedAt + .seconds(lease + 20) {
                let leases = try await observer.leases().filter { cModems.contains($0.modem) }
                let stuck = try await observer.messages(status: .sending, after: nil, limit: 5000).filter { cModems.contains($0.modem ?? "") }
                if leases.isEmpty && stuck.isEmpty {
                    let d = (ContinuousClock.now - killedAt).components
                    failover = Double(d.seconds) + Double(d.attoseconds) / 1e18
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            await progress.wait(atLeast: 1200)
            _ = await rig.stop("host-b")
            try await rig.start("host-b")
            return (failover, cModems, cLeases)
        }
        let ids = try await postAcrossHosts(rig, count: count, concurrency: 8, progress: progress)
        let (failover, cModems, cLeasesAtKill) = try await chaos.value
        await inbound.value
        let posted = elapsed()
        #expect(ids.count == count && Set(ids.values).count == count, "every message accepted once (Idempotency-Key)")
        #expect(cLeasesAtKill == 3, "host C held its three modems' leases when it was killed")
        #expect(failover >= 0 && failover <= lease + 5, "host C's claims were finished elsewhere after \(failover) s (lease \(lease) s)")

        // Host C's modems move to a new host D: what reached them while nobody drove them comes in there.
        try await rig.start("host-d", numbers: Array(numbers[6..<9]))
        let http = await rig.client("host-a")
        let settled: Set<String> = ["delivered", "unknown", "sent"]
        var all: [[String: Any]] = []
        // About 40 s on an idle machine; generous for a busy one.
        let deadline = ContinuousClock.now + .seconds(240)
        while ContinuousClock.now < deadline {
            all = (try? await http.allMessages()) ?? []
            if all.count == count && all.allSatisfy({ settled.contains($0["status"] as? String ?? "") }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let settledAt = elapsed()
        let open = try await observer.messages(status: .sending, after: nil, limit: 50)
        if !open.isEmpty {
            print("cluster test: still sending: \(open.map { "\($0.id) modem \($0.modem ?? "-") attempts \($0.attempts) parts \($0.parts.map(\.status))" })")
            print("cluster test: leases \(try await observer.leases()); logs in \(rig.dir.path)")
            await rig.keepLogs()
        }
        #expect(all.count == count, "no accepted message lost")
        #expect(statuses(all).keys.allSatisfy { settled.contains($0) }, "statuses: \(statuses(all))")
        let delivered = all.filter { ["delivered", "sent"].contains($0["status"] as? String ?? "") }.compactMap { $0["text"] as? String }
        let phones = await rig.phoneMessages
        for text in delivered where phones[text] != 1 {
            let message = all.first { $0["text"] as? String == text } ?? [:]
            let detail = (try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? ""
            Issue.record("\(text) is \(message["status"] ?? "?") but reached its phone \(phones[text] ?? 0) times: \(detail); logs in \(rig.dir.path)")
            await rig.keepLogs()
        }
        let unknown = all.filter { $0["status"] as? String == "unknown" }.compactMap { $0["text"] as? String }
        for text in unknown { #expect((phones[text] ?? 0) <= 1, "\(text) unknown: reached its phone more than once") }
        let modemsUsed = Set(all.compactMap { $0["modem"] as? String })
        #expect(modemsUsed.count >= 8, "messages went out on modems of every host: \(modemsUsed.count) modems")

        // Inbound: each of the 300 once, in one order, the same through every host.
        var inbox: [[String: Any]] = []
        let inboxDeadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < inboxDeadline {
            inbox = (try? await http.inbox()) ?? []
            if inbox.count >= inCount { break }
            _ = try? await http.request("GET", "/v1/inbox?after=\((inbox.last?["cursor"] as? NSNumber)?.int64Value ?? 0)&wait=2")
        }
        let inboxAt = elapsed()
        let texts = inbox.compactMap { $0["text"] as? String }
        #expect(texts.count == inCount && Set(texts) == Set((0..<inCount).map { "in-\($0)" }),
                "inbox has \(texts.count) of \(inCount), missing \(Set((0..<inCount).map { "in-\($0)" }).subtracting(texts).sorted().prefix(10))")
        let cursors = inbox.compactMap { ($0["cursor"] as? NSNumber)?.int64Value }
        #expect(cursors == cursors.sorted() && Set(cursors).count == cursors.count)
        let viaB = try await rig.client("host-b").inbox().compactMap { ($0["cursor"] as? NSNumber)?.int64Value }
        #expect(viaB == cursors, "host B shows the same inbox in the same order")
        print("cluster test: failover after \(String(format: "%.1f", failover)) s (lease \(lease) s), host C's modems \(cModems), statuses \(statuses(all)), \(modemsUsed.count) modems used, inbox \(texts.count); posted at \(posted), settled at \(settledAt), inbox at \(inboxAt)")
        await observer.close()
        await rig.shutdown()
    }
}
