import Testing
@testable import ATModem

func part(_ text: String, ref: Int, total: Int, seq: Int, id: String, from sender: String = "+1555") -> ReceivedPart {
    ReceivedPart(sender: sender, smsc: nil, timestamp: nil, concat: (ref, total, seq), ports: nil, payload: .text(text), identity: id)
}

@Suite struct ReassemblyAndTrackingTests {
    @Test func referenceReuseSurfacesTheOldMessageAsIncomplete() {
        var r = Reassembler()
        _ = r.add(part("a", ref: 1, total: 2, seq: 1, id: "A1"), slot: StorageSlot(memory: "SM", index: 1))
        let out = r.add(part("X", ref: 1, total: 2, seq: 1, id: "B1"), slot: StorageSlot(memory: "SM", index: 2))
        let messages = out.compactMap { if case .message(let m) = $0 { return m } else { return nil } }
        #expect(messages.count == 1 && messages[0].content == .text("a") && messages[0].receivedParts == [1])
        let done = r.add(part("Y", ref: 1, total: 2, seq: 2, id: "B2"), slot: nil)
        #expect(done.contains { if case .message(let m) = $0 { return m.content == .text("XY") } else { return false } })
    }

    @Test func identicalPartIsADuplicateAndSeenMemoryIsBounded() {
        var r = Reassembler(memory: 2)
        let single = ReceivedPart(sender: "+1", smsc: nil, timestamp: nil, concat: nil, ports: nil, payload: .data([1]), identity: "S")
        #expect(r.add(single, slot: nil).count == 1)
        guard case .duplicate = r.add(single, slot: nil).first else { Issue.record("not a duplicate"); return }
        _ = r.add(part("p", ref: 2, total: 3, seq: 1, id: "P1"), slot: nil)
        _ = r.add(part("q", ref: 3, total: 3, seq: 1, id: "Q1"), slot: nil)
        #expect(!r.hasSeen("S"))  // evicted after `memory` newer identities
    }

    @Test func trackerMatchesOrphansAndFailsOnFirstPermanentError() {
        var t = DeliveryTracker()
        #expect(t.apply(ReceivedStatusReport(reference: 7, recipient: "0791234567", status: 0)) == nil)  // orphan
        t.begin(messageID: 1, recipient: "+41791234567", parts: 2)
        #expect(t.register(messageID: 1, reference: 7) == nil)
        #expect(t.register(messageID: 1, reference: 8) == nil)
        let report = t.apply(ReceivedStatusReport(reference: 8, recipient: "+41791234567", status: 0x41))
        #expect(report?.status == .failed(status: 0x41))
        #expect(report?.parts == [.delivered, .failed(status: 0x41)])
        #expect(DeliveryStatus(tpStatus: 0x21) == .pending(status: 0x21))
    }
}
