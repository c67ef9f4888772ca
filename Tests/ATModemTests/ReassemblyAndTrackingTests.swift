import Foundation
import Testing
@testable import ATModem

func part(_ text: String, ref: Int, total: Int, seq: Int, id: String, from sender: String = "+1555", at second: Double = 0) -> ReceivedPart {
    ReceivedPart(sender: sender, smsc: nil, timestamp: Date(timeIntervalSince1970: 1_800_000_000 + second), concat: (ref, total, seq),
                 ports: nil, payload: .text(text), identity: id)
}

func messages(_ outcomes: [MessageReassembler.Outcome]) -> [AssembledMessage] {
    outcomes.compactMap { if case .message(let m) = $0 { return m } else { return nil } }
}

@Suite struct ReassemblyAndTrackingTests {
    @Test func referenceReuseKeepsTheOldMessageAndSurfacesItAtItsTimeout() throws {
        var r = MessageReassembler()
        let first = r.add(part("a", ref: 1, total: 2, seq: 1, id: "A1"), slot: StorageSlot(memory: "SM", index: 1))
        guard case .started(let key, let oldGeneration) = try #require(first.first) else { Issue.record("not started"); return }
        let out = r.add(part("X", ref: 1, total: 2, seq: 1, id: "B1"), slot: StorageSlot(memory: "SM", index: 2))
        #expect(messages(out).isEmpty)  // a second group opens; the first is not given up early
        let done = r.add(part("Y", ref: 1, total: 2, seq: 2, id: "B2"), slot: nil)
        #expect(messages(done).map(\.content) == [.text("XY")])
        guard case .message(let old) = r.expire(key, generation: oldGeneration) else { Issue.record("old one dropped"); return }
        #expect(old.content == .text("a") && old.receivedParts == [1] && old.slots == [StorageSlot(memory: "SM", index: 1)])
    }

    @Test func identicalSinglePartIsADuplicateAndMemoryIsBounded() {
        var r = MessageReassembler(memory: 2)
        let single = ReceivedPart(sender: "+1", smsc: nil, timestamp: nil, concat: nil, ports: nil, payload: .data([1]), identity: "S")
        #expect(r.add(single, slot: nil).count == 1)
        guard case .duplicate = r.add(single, slot: nil).first else { Issue.record("not a duplicate"); return }
        let other = { (id: String) in ReceivedPart(sender: "+1", smsc: nil, timestamp: nil, concat: nil, ports: nil, payload: .data([2]), identity: id) }
        _ = r.add(other("T"), slot: nil)
        _ = r.add(other("U"), slot: nil)
        #expect(messages(r.add(single, slot: nil)).count == 1)  // forgotten after `memory` newer messages
    }

    /// Issue 14 item 1: two templated messages, same sender, reference and second, share a byte-identical
    /// part 2. Main dropped the second one's part 2 as a duplicate and the message never completed.
    @Test func twoMessagesSharingAByteIdenticalPartAreBothDelivered() {
        for order in [[0, 1, 2, 3], [0, 2, 1, 3], [0, 2, 3, 1], [2, 0, 3, 1]] {
            var r = MessageReassembler()
            let parts = [part("OTP 111111. ", ref: 7, total: 2, seq: 1, id: "A1"), part("disclaimer", ref: 7, total: 2, seq: 2, id: "T2"),
                         part("OTP 222222. ", ref: 7, total: 2, seq: 1, id: "B1"), part("disclaimer", ref: 7, total: 2, seq: 2, id: "T2")]
            var got: [String] = []
            for (n, i) in order.enumerated() {
                for m in messages(r.add(parts[i], slot: StorageSlot(memory: "SM", index: n + 1))) {
                    if case .text(let t) = m.content { got.append(t) }
                }
            }
            #expect(got.sorted() == ["OTP 111111. disclaimer", "OTP 222222. disclaimer"], "order \(order)")
            #expect(r.openGroupCount == 0)
        }
    }

    @Test func wholeMessageCopiesAndStrayPartCopiesAreDuplicates() throws {
        var r = MessageReassembler()
        let a1 = part("one ", ref: 9, total: 2, seq: 1, id: "A1"), a2 = part("two", ref: 9, total: 2, seq: 2, id: "A2")
        _ = r.add(a1, slot: StorageSlot(memory: "SM", index: 1))
        #expect(messages(r.add(a2, slot: StorageSlot(memory: "SM", index: 2))).count == 1)
        // The whole message again (byte for byte), and a copy of part 2 resent with a new time stamp (other
        // bytes, same content): copies of delivered content, their slots deleted at once, nothing delivered.
        for (p, index) in [(a1, 3), (a2, 4), (part("two", ref: 9, total: 2, seq: 2, id: "A2-resent", at: 5), 5)] {
            let out = r.add(p, slot: StorageSlot(memory: "SM", index: index))
            guard case .duplicate(let slots) = try #require(out.first), out.count == 1 else { Issue.record("\(out)"); return }
            #expect(slots.map(\.index) == [index])
        }
        #expect(r.openGroupCount == 0)
        // A lone later part with new content (another second) is surfaced at its timeout, not filled up with
        // the spare copy of A's part 1 and not dropped.
        let lone = r.add(part("new", ref: 9, total: 2, seq: 2, id: "C2", at: 60), slot: nil)
        guard case .started(let k2, let g2) = try #require(lone.first), case .message(let m) = r.expire(k2, generation: g2) else {
            Issue.record("lone part dropped"); return
        }
        #expect(m.content == .text("new") && m.receivedParts == [2])
    }

    @Test func copyWhileOpenIsDeletedAtOnceAndATwinSharingPartOneIsCompletedFromIt() throws {
        var r = MessageReassembler()
        let a1 = part("Your code: ", ref: 4, total: 2, seq: 1, id: "S1")
        _ = r.add(a1, slot: StorageSlot(memory: "SM", index: 1))
        // The same part 1 again while A is open: a network copy or the shared part 1 of a twin (B1 == A1).
        guard case .duplicate(let copy) = try #require(r.add(a1, slot: StorageSlot(memory: "SM", index: 2)).first) else {
            Issue.record("copy kept"); return
        }
        #expect(copy.map(\.index) == [2])
        #expect(messages(r.add(part("1111", ref: 4, total: 2, seq: 2, id: "A2"), slot: StorageSlot(memory: "SM", index: 3)))
            .map(\.content) == [.text("Your code: 1111")])
        // B's own part 2 (same second): it takes the spare part 1 and is delivered complete at once.
        let b = messages(r.add(part("2222", ref: 4, total: 2, seq: 2, id: "B2"), slot: StorageSlot(memory: "SM", index: 4)))
        #expect(b.map(\.content) == [.text("Your code: 2222")])
        #expect(b.first?.receivedParts == [1, 2] && b.first?.slots.map(\.index) == [4])
        #expect(r.openGroupCount == 0)
    }

    /// Soak flake: B's part 2 (shared with A, same reference, B's second) came before B's part 1 and was
    /// kept as a spare; then a late copy of A's part 2 (A's second) came and replaced it, so B's part 1
    /// found no spare with its time stamp and B was surfaced incomplete at its timeout. Spares are kept
    /// per time stamp.
    @Test func aLateCopyOfAnotherMessagesPartDoesNotDisplaceATwinsSpare() {
        var r = MessageReassembler()
        _ = r.add(part("OTP 111111. ", ref: 7, total: 2, seq: 1, id: "A1", at: 0), slot: StorageSlot(memory: "SM", index: 1))
        #expect(messages(r.add(part("disclaimer", ref: 7, total: 2, seq: 2, id: "A2", at: 0), slot: StorageSlot(memory: "SM", index: 2))).count == 1)
        let b2 = r.add(part("disclaimer", ref: 7, total: 2, seq: 2, id: "B2", at: 1), slot: StorageSlot(memory: "SM", index: 3))
        guard case .duplicate = b2.first else { Issue.record("\(b2)"); return }
        _ = r.add(part("disclaimer", ref: 7, total: 2, seq: 2, id: "A2", at: 0), slot: StorageSlot(memory: "SM", index: 4))
        let b = messages(r.add(part("OTP 222222. ", ref: 7, total: 2, seq: 1, id: "B1", at: 1), slot: StorageSlot(memory: "SM", index: 5)))
        #expect(b.map(\.content) == [.text("OTP 222222. disclaimer")])
        #expect(r.openGroupCount == 0)
    }

    @Test func openGroupsAreBoundedByGivingUpTheOldest() {
        var r = MessageReassembler(maximumOpenGroups: 3)
        var surfaced: [AssembledMessage] = []
        for ref in 0..<10 { surfaced += messages(r.add(part("p\(ref)", ref: ref, total: 2, seq: 1, id: "P\(ref)"), slot: nil)) }
        #expect(r.openGroupCount == 3)
        #expect(surfaced.map(\.content) == (0..<7).map { .text("p\($0)") })  // oldest first, incomplete, not lost
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

/// Another sender's UCS-2 message cut between the two halves of an emoji: the driver's reassembly
/// gives the emoji back (it used to join the parts' decoded strings: two U+FFFD).
@Suite struct SplitSurrogateReassemblyTests {
    /// An SMS-DELIVER PDU line (empty SMSC) with a concatenation header and raw UTF-16BE `octets`.
    static func line(_ octets: [UInt8], sequence: UInt8) -> String {
        var body: [UInt8] = [0x05, 0x00, 0x03, 0x0A, 0x02, sequence] + octets
        body.insert(UInt8(body.count), at: 0)
        let bytes: [UInt8] = [0x00, 0x44, 0x04, 0x81, 0x21, 0x43, 0x00, 0x08] + [UInt8](repeating: 0x11, count: 7) + body
        return bytes.map { String(format: "%02X", $0) }.joined()
    }

    @Test func anEmojiSplitAcrossTwoPartsComesOutWhole() throws {
        var r = MessageReassembler()
        var outcomes: [MessageReassembler.Outcome] = []
        for (seq, octets) in [(UInt8(2), [UInt8]([0xDE, 0x00, 0x00, 0x62])), (1, [0x00, 0x61, 0xD8, 0x3D])] {
            guard case .deliver(let part) = try DecodedPDU(hex: Self.line(octets, sequence: seq)) else {
                Issue.record("not a deliver")
                return
            }
            outcomes += r.add(part, slot: nil)
        }
        #expect(messages(outcomes).map(\.content) == [.text("a😀b")])
    }
}
