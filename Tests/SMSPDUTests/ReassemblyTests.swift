import Testing
@testable import SMSPDU

@Suite struct ReassemblyTests {
    /// Builds a UCS-2 SMS-DELIVER part from raw UTF-16BE octets.
    func part(_ octets: [UInt8], sequence: UInt8) throws -> PDU {
        var body = [UInt8](hex: "0500030A02") + [sequence] + octets
        body.insert(UInt8(body.count), at: 0)
        return try PDU(bytes: [UInt8](hex: "004404812143000811111111111111") + body)
    }

    @Test func surrogatePairSplitBySenderIsRestored() throws {
        // "a😀b" as UTF-16BE, cut between the two halves of the emoji.
        let first = try part([0x00, 0x61, 0xD8, 0x3D], sequence: 1)
        let second = try part([0xDE, 0x00, 0x00, 0x62], sequence: 2)
        let parts = [first, second].compactMap { $0.tpdu.userData }
        #expect(parts[0].text == "a\u{FFFD}")
        #expect(UserData.joinedText(parts) == "a😀b")
        // Relaying a part keeps the original octets.
        #expect(try PDU(bytes: first.encode().bytes) == first)
        #expect(try first.hex().hasSuffix("0061D83D"))
    }

    @Test func joinsTextAndBytes() throws {
        let text = String(repeating: "Grüße aus Köln ", count: 20)
        let plan = try SegmentPlanner.plan(text: text)
        #expect(UserData.joinedText(plan.segments) == text)
        #expect(UserData.joinedBytes(plan.segments) == nil)
        let data = try SegmentPlanner.plan(bytes: Array(repeating: 0xAB, count: 300))
        #expect(UserData.joinedBytes(data.segments) == Array(repeating: 0xAB, count: 300))
        #expect(UserData.joinedText(data.segments) == nil)
    }
}
