import Foundation
import Testing
@testable import SMSGateway

@Suite("SQLite store: durability and group commit")
struct SQLiteStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func writerIsFullySynchronous() async throws {
        let (store, _) = try makeStore()
        #expect(try await store.synchronousSetting() == 2)
    }

    @Test func concurrentAcceptsShareCommits() async throws {
        let (store, _) = try makeStore()
        let now = self.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                group.addTask { _ = try await store.accept(try newMessage(to: "+1555\(100_000 + i)"), idempotency: nil, now: now) }
            }
            try await group.waitForAll()
        }
        #expect(try await store.messages(status: .queued, after: nil, limit: 500).count == 200)
        #expect(await store.largestCommitBatch() > 1)
    }
}

/// Several gateway processes on one PostgreSQL database: each `PostgresStore` here is one host.
@Suite("PostgreSQL store: many hosts", .serialized,
       .enabled(if: postgresTestURL != nil, "SMSKIT_TEST_POSTGRES_URL is not set: scripts/test.sh starts a throwaway PostgreSQL and sets it"))
struct PostgresClusterStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let modemX = ModemClaim(id: "imei-x", number: "+15550011")
    let modemY = ModemClaim(id: "imei-y", number: "+15550012")

    /// `count` hosts on one fresh schema.
    func cluster(_ count: Int, leaseTimeout: Duration = .seconds(15)) async throws -> [PostgresStore] {
        let url = try #require(postgresTestURL)
        let schema = "c_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
        var hosts: [PostgresStore] = []
        for i in 0..<count {
            hosts.append(try await PostgresStore.open(url: url, options: .init(node: "\(schema)-host\(i)", leaseTimeout: leaseTimeout,
                                                                                 maxConnections: 8, schema: schema), logger: quietLogger))
        }
        return hosts
    }

    func closeAll(_ hosts: [PostgresStore]) async { for h in hosts { await h.close() } }

    @Test func migrationsAreVersionedAndCommitsSynchronous() async throws {
        let hosts = try await cluster(2)  // the second open finds every migration applied
        #expect(try await hosts[1].appliedMigrations() == PostgresSchema.migrations.map(\.version))
        #expect(try await hosts[0].synchronousCommit() == "on")
        await closeAll(hosts)
    }

    @Test func aSecondLiveProcessCannotTakeTheSameNodeName() async throws {
        let hosts = try await cluster(1)
        let url = try #require(postgresTestURL)
        await #expect(throws: GatewayError.self) {
            _ = try await PostgresStore.open(url: url, options: .init(node: hosts[0].node, schema: hosts[0].node.components(separatedBy: "-host").first),
                                             logger: quietLogger)
        }
        await closeAll(hosts)
    }

    @Test func concurrentClaimsFromManyHostsTakeEachMessageOnce() async throws {
        let hosts = try await cluster(3)
        let now = self.now
        for i in 0..<60 { _ = try await hosts[i % 3].accept(try newMessage(to: "+1555\(200_000 + i)"), idempotency: nil, now: now) }
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for (h, host) in hosts.enumerated() {
                for w in 0..<3 {
                    let modem = ModemClaim(id: "imei-\(h)-\(w)", number: nil)
                    group.addTask {
                        var ids: [String] = []
                        while let c = try await host.claim(modem: modem, now: now) {
                            ids.append(c.id)
                            try await host.partSending(messageID: c.id, seq: 1, modem: modem.id, now: now)
                            try await host.partSent(messageID: c.id, seq: 1, reference: ids.count, now: now)
                            _ = try await host.finishAttempt(messageID: c.id, outcome: .done, now: now)
                        }
                        return ids
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claimed.count == 60 && Set(claimed).count == 60, "claimed \(claimed.count), distinct \(Set(claimed).count)")
        #expect(try await hosts[1].messages(status: .sent, after: nil, limit: 100).count == 60)
        await closeAll(hosts)
    }

    @Test func idempotencyKeyHoldsAcrossHostsAtOnce() async throws {
        let hosts = try await cluster(2)
        let now = self.now
        let key = IdempotencyKey(key: "same", requestDigest: "d")
        let results = try await withThrowingTaskGroup(of: Accepted.self) { group in
            for i in 0..<8 { group.addTask { try await hosts[i % 2].accept(try newMessage(), idempotency: key, now: now) } }
            return try await group.reduce(into: [Accepted]()) { $0.append($1) }
        }
        #expect(Set(results.map(\.message.id)).count == 1)
        #expect(results.filter { if case .created = $0 { return true } else { return false } }.count == 1)
        await closeAll(hosts)
    }

    @Test func pinnedMessageWaitsForTheLeaseHolder() async throws {
        let hosts = try await cluster(2)
        let pinned = try await hosts[1].accept(try newMessage(to: "+15550901", from: modemX.number), idempotency: nil, now: now).message
        // Host 0 drives modem X: its first claim takes the lease.
        #expect(try await hosts[0].claim(modem: modemY, now: now) == nil)
        let c = try #require(try await hosts[0].claim(modem: modemX, now: now))
        #expect(c.id == pinned.id)
        // Host 1 cannot use modem X while host 0 holds the lease.
        _ = try await hosts[1].accept(try newMessage(to: "+15550902", from: modemX.number), idempotency: nil, now: now)
        #expect(try await hosts[1].claim(modem: modemX, now: now) == nil)
        #expect(try await hosts[0].heldLeases() == [modemX.id, modemY.id])
        await closeAll(hosts)
    }

    @Test func aDeadHostsClaimsAreRescuedAfterItsLeaseExpires() async throws {
        let hosts = try await cluster(3, leaseTimeout: .seconds(3))
        let (dead, rescuer, other) = (hosts[0], hosts[1], hosts[2])
        let atMost = try await dead.accept(try newMessage(to: "+15550911"), idempotency: nil, now: now).message
        let atLeast = try await dead.accept(try newMessage(to: "+15550912", guarantee: .atLeastOnce), idempotency: nil, now: now).message
        let untouched = try await dead.accept(try newMessage(to: "+15550913"), idempotency: nil, now: now).message
        for _ in 0..<3 { _ = try #require(try await dead.claim(modem: modemX, now: now)) }
        try await dead.partSending(messageID: atMost.id, seq: 1, modem: modemX.id, now: now)
        try await dead.partSending(messageID: atLeast.id, seq: 1, modem: modemX.id, now: now)
        await dead.close()  // kill -9: no release, no heartbeat
        // Before the timeout nothing moves.
        #expect(try await rescuer.heartbeat(now: now).rescued == RecoverySummary())
        #expect(try await other.claim(modem: modemY, now: now) == nil)
        // After it, one rescuer takes the claims back under the crash rule.
        var rescued = RecoverySummary()
        let deadline = ContinuousClock.now + .seconds(15)
        while rescued == RecoverySummary() && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            rescued = try await rescuer.heartbeat(now: now).rescued
        }
        #expect(rescued == RecoverySummary(unknownParts: 1, resentParts: 1, requeued: 2))
        #expect(try await other.message(id: atMost.id)?.status == .unknown)
        let ids = Set([try await other.claim(modem: modemY, now: now)?.id, try await other.claim(modem: modemY, now: now)?.id])
        #expect(ids == [atLeast.id, untouched.id], "unpinned work goes to a live host with capacity")
        await rescuer.close(); await other.close()
    }

    @Test func aHostThatLostItsLeaseCannotSendAndItsLateResultsDoNotUndoTheRescue() async throws {
        let hosts = try await cluster(2, leaseTimeout: .seconds(1))
        let (slow, taker) = (hosts[0], hosts[1])
        let m = try await slow.accept(try newMessage(to: "+15550921"), idempotency: nil, now: now).message
        _ = try #require(try await slow.claim(modem: modemX, now: now))
        // The slow host stalls past its lease (no heartbeat); the other takes the modem over.
        var took: ClaimedMessage?
        let deadline = ContinuousClock.now + .seconds(10)
        while took == nil && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            took = try await taker.claim(modem: modemX, now: now)
        }
        #expect(took?.id == m.id, "the taker rescued the claim and took the message")
        await #expect(throws: GatewayError.self) {
            try await slow.partSending(messageID: m.id, seq: 1, modem: modemX.id, now: now)
        }
        let after = try await slow.finishAttempt(messageID: m.id, outcome: .fail(MessageError(code: "late", detail: "late")), now: now)
        #expect(after.status == .sending && after.modem == modemX.id, "a late finish from the old holder changes nothing")
        await closeAll(hosts)
    }

    @Test func aRestartUnderTheSameNodeNameRecoversAtOnce() async throws {
        let url = try #require(postgresTestURL)
        let hosts = try await cluster(1, leaseTimeout: .seconds(60))
        let m = try await hosts[0].accept(try newMessage(to: "+15550931"), idempotency: nil, now: now).message
        _ = try #require(try await hosts[0].claim(modem: modemX, now: now))
        try await hosts[0].partSending(messageID: m.id, seq: 1, modem: modemX.id, now: now)
        let schema = hosts[0].node.components(separatedBy: "-host").first
        await hosts[0].close()
        let again = try await PostgresStore.open(url: url, options: .init(node: hosts[0].node, leaseTimeout: .seconds(60), schema: schema),
                                                 logger: quietLogger)
        #expect(try await again.recover(now: now) == RecoverySummary(unknownParts: 1, resentParts: 0, requeued: 0))
        #expect(try await again.message(id: m.id)?.status == .unknown)
        await again.close()
    }

    @Test func reportsMatchOnAnyHostAndTheInboxHasOneOrder() async throws {
        let hosts = try await cluster(2)
        let now = self.now
        let m = try await hosts[0].accept(try newMessage(to: "+15550941"), idempotency: nil, now: now).message
        _ = try await hosts[0].claim(modem: modemX, now: now)
        try await hosts[0].partSending(messageID: m.id, seq: 1, modem: modemX.id, now: now)
        // The report reaches host 1 before host 0 commits the +CMGS result: kept, then applied.
        #expect(try await hosts[1].applyStatusReport(.init(modem: modemX.id, reference: 5, recipient: "+15550941", tpStatus: 0,
                                                           dischargeTime: nil), now: now) == nil)
        try await hosts[0].partSent(messageID: m.id, seq: 1, reference: 5, now: now)
        #expect(try await hosts[0].finishAttempt(messageID: m.id, outcome: .done, now: now).status == .delivered)
        // 40 single-part messages received at once on two hosts (two modems each).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                let tpdu = try deliverTPDUs("in-\(i)", from: "+1999000\(i % 7)", reference: 1, second: i % 60)[0]
                let record = inboundRecord(tpdu, modem: "modem-\(i % 4)", sender: "+1999000\(i % 7)", reference: nil, total: 1, sequence: 1)
                group.addTask { _ = try await hosts[i % 2].receive(record, now: now) }
            }
            try await group.waitForAll()
        }
        var seen: [InboxMessage] = []
        var cursor: Int64 = 0
        while true {
            let page = try await hosts[(seen.count / 7) % 2].inbox(after: cursor, limit: 7)
            guard let last = page.last else { break }
            seen += page
            cursor = last.cursor
        }
        #expect(seen.count == 40 && Set(seen.compactMap(\.text)).count == 40)
        #expect(seen.map(\.cursor) == seen.map(\.cursor).sorted())
        await closeAll(hosts)
    }

    @Test func capsCountPartsFromEveryHostAndTokensAreShared() async throws {
        let hosts = try await cluster(2)
        let now = self.now
        for host in hosts {
            let m = try await host.accept(try newMessage(to: "+1555095\(hosts.firstIndex { $0 === host } ?? 0)"), idempotency: nil, now: now).message
            // Modem X moves between hosts (the first host released it).
            _ = try #require(try await host.claim(modem: modemX, now: now))
            try await host.partSending(messageID: m.id, seq: 1, modem: modemX.id, now: now)
            try await host.partSent(messageID: m.id, seq: 1, reference: 1, now: now)
            _ = try await host.finishAttempt(messageID: m.id, outcome: .done, now: now)
            _ = try await host.releaseLeases(now: now)
        }
        #expect(try await hosts[0].partsSent(modem: modemX.id, since: now.addingTimeInterval(-1)) == 2)
        #expect(try await hosts[1].lastPartSent(modem: modemX.id) == now)
        let secret = TokenDigest.generate()
        let record = try await hosts[0].createToken(name: "shared", digest: TokenDigest.digest(secret), now: now)
        #expect(try await hosts[1].token(digest: TokenDigest.digest(secret)) == record)
        await closeAll(hosts)
    }
}
