import Foundation
import Testing
@testable import SMSGateway

/// The store contract, run against every backend (SQLite always; PostgreSQL when a server is configured).
@Suite("Store contract: outbound transitions")
struct StoreOutboundContractTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let modemA = ModemClaim(id: "imei-a", number: "+15550001")
    let modemB = ModemClaim(id: "imei-b", number: "+15550002")

    @Test(arguments: storeBackends) func acceptIsIdempotentAndConflictsOnOtherBody(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let key = IdempotencyKey(key: "k1", requestDigest: "d1")
        let first = try await store.accept(try newMessage(), idempotency: key, now: now)
        guard case .created(let m) = first else { Issue.record("not created"); return }
        #expect(m.status == .queued && m.segments == 1 && m.parts.map(\.status) == [.pending])
        let again = try await store.accept(try newMessage(), idempotency: key, now: now)
        #expect(again == .replayed(m))
        await #expect(throws: GatewayError.idempotencyConflict(key: "k1")) {
            _ = try await store.accept(try newMessage(text: "other"), idempotency: IdempotencyKey(key: "k1", requestDigest: "d2"), now: now)
        }
        #expect(try await store.messages(status: nil, after: nil, limit: 10).count == 1)
        await h.close()
    }

    @Test(arguments: storeBackends) func sendFlowToDeliveredAndMultipartNeedsEveryPart(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let long = String(repeating: "a", count: 300)  // 2 GSM 7-bit segments
        let m = try await store.accept(try newMessage(text: long), idempotency: nil, now: now).message
        #expect(m.segments == 2)
        let claim = try #require(try await store.claim(modem: modemA, now: now))
        #expect(claim.pendingParts == [1, 2] && claim.id == m.id)
        #expect(try await store.claim(modem: modemB, now: now) == nil)  // already claimed
        for seq in claim.pendingParts {
            try await store.partSending(messageID: m.id, seq: seq, modem: modemA.id, now: now)
            try await store.partSent(messageID: m.id, seq: seq, reference: 40 + seq, now: now)
        }
        let sent = try await store.finishAttempt(messageID: m.id, outcome: .done, now: now)
        #expect(sent.status == .sent && sent.from == "+15550001" && sent.parts.map(\.reference) == [41, 42])
        let r1 = try await store.applyStatusReport(.init(modem: modemA.id, reference: 41, recipient: "15550100",
                                                         tpStatus: 0, dischargeTime: nil), now: now)
        #expect(r1?.status == .sent && r1?.parts.map(\.status) == [.delivered, .sent])
        let r2 = try await store.applyStatusReport(.init(modem: modemA.id, reference: 42, recipient: "+15550100",
                                                         tpStatus: 0, dischargeTime: nil), now: now)
        #expect(r2?.status == .delivered && r2?.deliveredAt != nil)
        await h.close()
    }

    @Test(arguments: storeBackends) func reportMatchesAfterRestartOnTheSameFile(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let m = try await store.accept(try newMessage(), idempotency: nil, now: now).message
        _ = try #require(try await store.claim(modem: modemA, now: now))
        try await store.partSending(messageID: m.id, seq: 1, modem: modemA.id, now: now)
        try await store.partSent(messageID: m.id, seq: 1, reference: 7, now: now)
        _ = try await store.finishAttempt(messageID: m.id, outcome: .done, now: now)
        let reopened = try await h.reopen()
        #expect(try await reopened.applyStatusReport(.init(modem: modemB.id, reference: 7, recipient: "+15550100",
                                                           tpStatus: 0, dischargeTime: nil), now: now) == nil)  // other modem
        let r = try await reopened.applyStatusReport(.init(modem: modemA.id, reference: 7, recipient: "+15550100",
                                                           tpStatus: 0x41, dischargeTime: nil), now: now)
        #expect(r?.status == .undelivered && r?.parts.first?.tpStatus == 0x41)
        await h.close()
    }

    @Test(arguments: storeBackends) func recoveryMakesSendingPartsUnknownOrPendingPerGuarantee(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let atMost = try await store.accept(try newMessage(to: "+15550101"), idempotency: nil, now: now).message
        let atLeast = try await store.accept(try newMessage(to: "+15550102", guarantee: .atLeastOnce), idempotency: nil, now: now).message
        let untouched = try await store.accept(try newMessage(to: "+15550103"), idempotency: nil, now: now).message
        for _ in 0..<3 { _ = try await store.claim(modem: modemA, now: now) }
        try await store.partSending(messageID: atMost.id, seq: 1, modem: modemA.id, now: now)
        try await store.partSending(messageID: atLeast.id, seq: 1, modem: modemA.id, now: now)
        // "Crash": reopen and recover.
        let store2 = try await h.reopen()
        let summary = try await store2.recover(now: now)
        #expect(summary == RecoverySummary(unknownParts: 1, resentParts: 1, requeued: 2))
        #expect(try await store2.message(id: atMost.id)?.status == .unknown)
        #expect(try await store2.message(id: atLeast.id)?.status == .queued)
        #expect(try await store2.message(id: untouched.id)?.status == .queued)
        let ids = Set([try await store2.claim(modem: modemB, now: now)?.id, try await store2.claim(modem: modemB, now: now)?.id])
        #expect(ids == [atLeast.id, untouched.id])
        await h.close()
    }

    @Test(arguments: storeBackends) func sameRecipientKeepsOrderButOthersPass(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let first = try await store.accept(try newMessage(to: "+15550111", text: "1"), idempotency: nil, now: now).message
        let second = try await store.accept(try newMessage(to: "+15550111", text: "2"), idempotency: nil, now: now).message
        let other = try await store.accept(try newMessage(to: "+15550222", text: "x"), idempotency: nil, now: now).message
        let c1 = try #require(try await store.claim(modem: modemA, now: now))
        #expect(c1.id == first.id)
        // The first fails transiently: the second to the same number must wait, the other goes.
        _ = try await store.finishAttempt(messageID: first.id, outcome: .retry(at: now.addingTimeInterval(5), avoid: modemA.id,
                                          error: MessageError(code: "smsc_busy", detail: "+CMS ERROR: 42")), now: now)
        let c2 = try #require(try await store.claim(modem: modemB, now: now))
        #expect(c2.id == other.id)
        #expect(try await store.claim(modem: modemB, now: now) == nil)
        // After the backoff another modem takes it before the failing one may.
        let later = now.addingTimeInterval(6)
        #expect(try await store.claim(modem: modemA, now: later) == nil)
        #expect(try await store.claim(modem: modemB, now: later)?.id == first.id)
        _ = second
        await h.close()
    }

    @Test(arguments: storeBackends) func priorityPinningCancelAndExpiry(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let low = try await store.accept(try newMessage(to: "+15550301"), idempotency: nil, now: now).message
        let high = try await store.accept(try newMessage(to: "+15550302", priority: 9), idempotency: nil, now: now).message
        let pinned = try await store.accept(try newMessage(to: "+15550303", from: "+15550002"), idempotency: nil, now: now).message
        let expiring = try await store.accept(try newMessage(to: "+15550304", validity: 60), idempotency: nil, now: now).message
        #expect(try await store.claim(modem: modemA, now: now)?.id == high.id)
        #expect(try await store.claim(modem: modemA, now: now)?.id == low.id)
        let canceled = try await store.cancel(id: pinned.id, now: now)
        #expect(canceled.status == .canceled && canceled.parts.map(\.status) == [.canceled])
        await #expect(throws: GatewayError.notCancelable(id: pinned.id, status: .canceled)) {
            _ = try await store.cancel(id: pinned.id, now: now)
        }
        await #expect(throws: GatewayError.notFound(kind: "message", id: "msg_nope")) {
            _ = try await store.cancel(id: "msg_nope", now: now)
        }
        #expect(try await store.expire(now: now.addingTimeInterval(61)) == 1)
        #expect(try await store.message(id: expiring.id)?.status == .expired)
        #expect(try await store.claim(modem: modemA, now: now.addingTimeInterval(61)) == nil)
        await h.close()
    }

    @Test(arguments: storeBackends) func pinnedGoesOnlyToItsModemAndScheduledWaits(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let pinned = try await store.accept(try newMessage(to: "+15550401", from: "+15550002"), idempotency: nil, now: now).message
        let later = try await store.accept(try newMessage(to: "+15550402", sendAt: now.addingTimeInterval(30)), idempotency: nil, now: now).message
        #expect(later.status == .scheduled)
        #expect(try await store.claim(modem: modemA, now: now) == nil)
        #expect(try await store.claim(modem: modemB, now: now)?.id == pinned.id)
        #expect(try await store.nextDue(now: now) == now.addingTimeInterval(30))
        #expect(try await store.claim(modem: modemA, now: now.addingTimeInterval(31))?.id == later.id)
        await h.close()
    }

    @Test(arguments: storeBackends) func permanentFailureAndUnconfirmedPart(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let bad = try await store.accept(try newMessage(to: "+15550501"), idempotency: nil, now: now).message
        _ = try await store.claim(modem: modemA, now: now)
        let failed = try await store.finishAttempt(messageID: bad.id, outcome: .fail(MessageError(code: "smsc_rejected", detail: "+CMS ERROR: 1")), now: now)
        #expect(failed.status == .failed && failed.error?.code == "smsc_rejected" && failed.parts.map(\.status) == [.failed])
        let m = try await store.accept(try newMessage(to: "+15550502"), idempotency: nil, now: now).message
        _ = try await store.claim(modem: modemA, now: now)
        try await store.partSending(messageID: m.id, seq: 1, modem: modemA.id, now: now)
        try await store.partUnconfirmed(messageID: m.id, seq: 1, detail: "unplugged after the PDU", now: now)
        #expect(try await store.finishAttempt(messageID: m.id, outcome: .done, now: now).status == .unknown)
        await h.close()
    }

    @Test(arguments: storeBackends) func reportThatOvertakesItsPartIsKeptAndApplied(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let m = try await store.accept(try newMessage(), idempotency: nil, now: now).message
        _ = try await store.claim(modem: modemA, now: now)
        try await store.partSending(messageID: m.id, seq: 1, modem: modemA.id, now: now)
        // The report commits before the +CMGS result does.
        #expect(try await store.applyStatusReport(.init(modem: modemA.id, reference: 9, recipient: "+15550100", tpStatus: 0,
                                                        dischargeTime: nil), now: now) == nil)
        try await store.partSent(messageID: m.id, seq: 1, reference: 9, now: now)
        let done = try await store.finishAttempt(messageID: m.id, outcome: .done, now: now)
        #expect(done.status == .delivered && done.parts.first?.status == .delivered)
        await h.close()
    }

    @Test(arguments: storeBackends) func reportResolvesTheOneUnknownPartAndDeliveredIsNotUndone(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let m = try await store.accept(try newMessage(), idempotency: nil, now: now).message
        _ = try await store.claim(modem: modemA, now: now)
        try await store.partSending(messageID: m.id, seq: 1, modem: modemA.id, now: now)
        let reopened = try await h.reopen()
        _ = try await reopened.recover(now: now)
        #expect(try await reopened.message(id: m.id)?.status == .unknown)
        let r = try await reopened.applyStatusReport(.init(modem: modemA.id, reference: 77, recipient: "+15550100", tpStatus: 0,
                                                           dischargeTime: nil), now: now)
        #expect(r?.status == .delivered && r?.parts.first?.reference == 77)
        await h.close()
    }

    /// Seen in the cluster test: a part went `unknown` (its host died before +CMGS), then another
    /// message to the same phone went out on the same modem and its report overtook its +CMGS
    /// commit. That report is the sending part's, not the unknown one's: it must wait for the
    /// sending part's commit, and the unknown part stays unknown.
    @Test(arguments: storeBackends) func aReportThatMayBeASendingPartsDoesNotSettleAnUnknownOne(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let lost = try await store.accept(try newMessage(), idempotency: nil, now: now).message
        _ = try await store.claim(modem: modemA, now: now)
        try await store.partSending(messageID: lost.id, seq: 1, modem: modemA.id, now: now)
        let reopened = try await h.reopen()
        _ = try await reopened.recover(now: now)
        #expect(try await reopened.message(id: lost.id)?.status == .unknown)
        let next = try await reopened.accept(try newMessage(), idempotency: nil, now: now).message
        #expect(try await reopened.claim(modem: modemA, now: now)?.id == next.id)
        try await reopened.partSending(messageID: next.id, seq: 1, modem: modemA.id, now: now)
        #expect(try await reopened.applyStatusReport(.init(modem: modemA.id, reference: 149, recipient: "+15550100", tpStatus: 0,
                                                           dischargeTime: nil), now: now) == nil, "kept for the sending part")
        #expect(try await reopened.message(id: lost.id)?.status == .unknown)
        try await reopened.partSent(messageID: next.id, seq: 1, reference: 149, now: now)
        let done = try await reopened.finishAttempt(messageID: next.id, outcome: .done, now: now)
        #expect(done.status == .delivered && done.parts.first?.reference == 149)
        #expect(try await reopened.message(id: lost.id)?.status == .unknown)
        await h.close()
    }

    @Test(arguments: storeBackends) func tokensStoreOnlyDigests(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let secret = TokenDigest.generate()
        let record = try await store.createToken(name: "ops", digest: TokenDigest.digest(secret), now: now)
        #expect(try await store.token(digest: TokenDigest.digest(secret)) == record)
        #expect(try await store.token(digest: TokenDigest.digest(secret + "x")) == nil)
        await #expect(throws: GatewayError.self) { _ = try await store.createToken(name: "ops", digest: [1], now: now) }
        #expect(try await store.revokeToken("ops", now: now))
        #expect(try await store.token(digest: TokenDigest.digest(secret)) == nil)
        await h.close()
    }

}

@Suite("Store contract: inbound reassembly")
struct StoreInboundContractTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let sender = "+15559999"

    @Test(arguments: storeBackends) func singlePartDuplicateIsDroppedOnce(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let tpdu = try deliverTPDUs("hi", from: sender, reference: 1)[0]
        guard case .stored(let m?, nil) = try await store.receive(inboundRecord(tpdu, sender: sender, reference: nil, total: 1, sequence: 1), now: now) else {
            Issue.record("not stored"); return
        }
        #expect(m.text == "hi" && m.complete && m.to == "+15550001" && m.cursor == 1)
        #expect(try await store.receive(inboundRecord(tpdu, sender: sender, reference: nil, total: 1, sequence: 1), now: now) == .duplicate)
        #expect(try await store.inbox(after: 0, limit: 10).count == 1)
        await h.close()
    }

    @Test(arguments: storeBackends) func templatedSecondPartIsNotAFalseDuplicate(backend: StoreBackend) async throws {
        // Two OTP messages, same sender, same second, same reference, byte-identical part 2.
        let h = try await backend.make()
        let store = h.store
        let disclaimer = String(repeating: "Never share this code with anyone. ", count: 5)
        let a = try deliverTPDUs("OTP 111111. " + disclaimer, from: sender, reference: 9)
        let b = try deliverTPDUs("OTP 222222. " + disclaimer, from: sender, reference: 9)
        #expect(a.count == 2 && a[1] == b[1] && a[0] != b[0])
        for (i, tpdu) in (a + [b[1], b[0]]).enumerated() {
            let seq = i < 2 ? i + 1 : (i == 2 ? 2 : 1)
            _ = try await store.receive(inboundRecord(tpdu, sender: sender, reference: 9, total: 2, sequence: seq), now: now)
        }
        let inbox = try await store.inbox(after: 0, limit: 10)
        #expect(inbox.map(\.text) == ["OTP 111111. " + disclaimer, "OTP 222222. " + disclaimer])
        #expect(inbox.allSatisfy { $0.complete })
        await h.close()
    }

    @Test(arguments: storeBackends) func wholeMessageRedeliveryIsDroppedAndPartDuplicatesToo(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let parts = try deliverTPDUs(String(repeating: "x", count: 200), from: sender, reference: 3)
        for round in 0..<2 {
            for (i, tpdu) in parts.enumerated() {
                let r = try await store.receive(inboundRecord(tpdu, sender: sender, reference: 3, total: 2, sequence: i + 1), now: now)
                if round == 0 && i == 0 {
                    #expect(try await store.receive(inboundRecord(tpdu, sender: sender, reference: 3, total: 2, sequence: 1), now: now) == .duplicate)
                }
                if round == 1 && i == 1 { #expect(r == .duplicate) }
            }
        }
        #expect(try await store.inbox(after: 0, limit: 10).count == 1)
        await h.close()
    }

    @Test(arguments: storeBackends) func incompleteIsSurfacedAfterTimeout(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let parts = try deliverTPDUs(String(repeating: "y", count: 400), from: sender, reference: 4)
        #expect(parts.count == 3)
        _ = try await store.receive(inboundRecord(parts[0], sender: sender, reference: 4, total: 3, sequence: 1), now: now)
        _ = try await store.receive(inboundRecord(parts[2], sender: sender, reference: 4, total: 3, sequence: 3), now: now)
        #expect(try await store.oldestOpenGroup() == now)
        #expect(try await store.expireIncomplete(before: now, now: now).isEmpty)
        let surfaced = try await store.expireIncomplete(before: now.addingTimeInterval(1), now: now)
        #expect(surfaced.count == 1 && surfaced[0].complete == false && surfaced[0].receivedParts == [1, 3] && surfaced[0].parts == 3)
        #expect(try await store.oldestOpenGroup() == nil)
        await h.close()
    }

    @Test(arguments: storeBackends) func emojiSplitAcrossUCS2PartsIsJoined(backend: StoreBackend) async throws {
        let h = try await backend.make()
        let store = h.store
        let text = String(repeating: "é", count: 66) + "😀" + "z"  // UCS-2; the pair straddles 67 units
        let parts = try deliverTPDUs(text, from: sender, reference: 5)
        for (i, tpdu) in parts.enumerated().reversed() {
            _ = try await store.receive(inboundRecord(tpdu, sender: sender, reference: 5, total: parts.count, sequence: i + 1), now: now)
        }
        #expect(try await store.inbox(after: 0, limit: 10).first?.text == text)
        await h.close()
    }
}
