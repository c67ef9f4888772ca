import Testing
@testable import SMSPDU

@Suite struct SegmentationTests {
    func encodeAll(_ plan: SegmentPlan) throws -> [PDU] {
        try plan.submitPDUs(to: Address("+15555551234")).map { s in
            try PDU(bytes: PDU(tpdu: .submit(s)).encode().bytes)
        }
    }

    @Test func gsm7Boundaries() throws {
        let one = try SegmentPlanner.plan(text: String(repeating: "a", count: 160))
        #expect(one.segmentCount == 1)
        #expect(one.alphabet == .gsm7)
        #expect(one.unitsLeftInLastSegment == 0)
        #expect(one.segments[0].header == nil)
        let two = try SegmentPlanner.plan(text: String(repeating: "a", count: 161))
        #expect(two.segmentCount == 2)
        #expect(two.unitsPerSegment == 153)
        #expect(two.unitsLeftInLastSegment == 153 - 8)
        #expect(two.segments[0].header?.concatenation == Concatenation(reference: 0, total: 2, sequence: 1, is16Bit: false))
        let sixteen = try SegmentPlanner.plan(text: String(repeating: "a", count: 161), options: .init(reference: .sixteenBit(0xABCD)))
        #expect(sixteen.unitsPerSegment == 152)
        #expect(sixteen.segments[1].header?.concatenation == Concatenation(reference: 0xABCD, total: 2, sequence: 2, is16Bit: true))
        #expect(reassemble(try encodeAll(sixteen)) == String(repeating: "a", count: 161))
    }

    @Test func ucs2Boundaries() throws {
        let one = try SegmentPlanner.plan(text: String(repeating: "я", count: 70))
        #expect(one.segmentCount == 1)
        #expect(one.alphabet == .ucs2)
        let two = try SegmentPlanner.plan(text: String(repeating: "я", count: 71))
        #expect(two.segmentCount == 2)
        #expect(two.unitsPerSegment == 67)
        #expect(two.unitsLeftInLastSegment == 63)
    }

    @Test func escapeSequenceNeverSplit() throws {
        // 152 septets of "a" then "€" (2 septets): the euro sign moves whole to part 2.
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 10)
        let plan = try SegmentPlanner.plan(text: text)
        #expect(plan.segmentCount == 2)
        #expect(plan.segments[0].text == String(repeating: "a", count: 152))
        #expect(plan.segments[1].text?.hasPrefix("€") == true)
        let pdus = try encodeAll(plan)
        #expect(reassemble(pdus) == text)
        // The first part's last septet is not an escape.
        let (udl, octets) = try plan.segments[0].encode(dcs: .gsm7)
        let septets = try #require(SeptetPacking.unpack(octets, count: Int(udl) - 7, startBit: 49))
        #expect(septets.last != GSM7Alphabet.escape)
    }

    @Test func surrogatePairNeverSplit() throws {
        // 66 units then an emoji (2 units): the pair moves whole to part 2.
        let text = String(repeating: "ж", count: 66) + "😀" + "okay"
        let plan = try SegmentPlanner.plan(text: text)
        #expect(plan.alphabet == .ucs2)
        #expect(plan.segmentCount == 2)
        #expect(plan.segments[0].text == String(repeating: "ж", count: 66))
        #expect(plan.segments[1].text == "😀okay")
        #expect(reassemble(try encodeAll(plan)) == text)
        for segment in plan.segments {
            let units = Array(segment.text?.utf16 ?? "".utf16)
            #expect(units.last.map { !UTF16.isLeadSurrogate($0) } ?? true)
        }
    }

    @Test func manyEmojiStayWhole() throws {
        let text = String(repeating: "👍🏽", count: 100)
        let plan = try SegmentPlanner.plan(text: text)
        #expect(plan.totalUnits == 400)
        #expect(plan.segmentCount == 7)   // 16 whole 👍🏽 (64 of 66 units) per part
        #expect(plan.segments.dropLast().allSatisfy { $0.text == String(repeating: "👍🏽", count: 16) })
        #expect(reassemble(try encodeAll(plan)) == text)
        // A grapheme cluster longer than a segment is split between scalars, never inside a pair.
        let family = String(repeating: "👨‍👩‍👧‍👦", count: 3) + String(repeating: "\u{301}", count: 80)
        let big = try SegmentPlanner.plan(text: "e" + family)
        #expect(reassemble(try encodeAll(big)).unicodeScalars.elementsEqual(("e" + family).unicodeScalars))
    }

    @Test func autoPicksCheapestEncoding() throws {
        #expect(try SegmentPlanner.plan(text: "hello").alphabet == .gsm7)
        #expect(try SegmentPlanner.plan(text: "你好").alphabet == .ucs2)
        let turkish = String(repeating: "Işık ağaç üzüm şeker ", count: 8)
        let without = try SegmentPlanner.plan(text: turkish)
        #expect(without.alphabet == .ucs2)
        let with = try SegmentPlanner.plan(text: turkish, options: .init(nationalLanguages: [.turkish]))
        #expect(with.alphabet == .gsm7)
        #expect(with.lockingShift == .turkish)
        #expect(with.segmentCount < without.segmentCount)
        #expect(with.segments[0].header?.nationalLockingShift == 1)
        #expect(reassemble(try encodeAll(with)) == turkish)
        let spanish = try SegmentPlanner.plan(text: "¿Qué tal, señorita? Más café", options: .init(nationalLanguages: [.spanish, .portuguese]))
        #expect(spanish.alphabet == .gsm7)
        #expect(spanish.segmentCount == 1)
        // Only the single-shift table is needed, so no locking shift element is spent.
        #expect(spanish.lockingShift == nil)
        #expect(spanish.singleShift != nil)
    }

    @Test func plainTextNeedsNoNationalElements() throws {
        let plan = try SegmentPlanner.plan(text: "plain text", options: .init(nationalLanguages: NationalLanguage.allCases))
        #expect(plan.lockingShift == nil && plan.singleShift == nil)
        #expect(plan.segments[0].header == nil)
    }

    @Test func forcedAlphabets() throws {
        #expect(try SegmentPlanner.plan(text: "hello", options: .init(alphabet: .ucs2)).alphabet == .ucs2)
        #expect(throws: PDUError.unencodableCharacter("你", index: 2)) {
            _ = try SegmentPlanner.plan(text: "ab你", options: .init(alphabet: .gsm7))
        }
    }

    @Test func emptyText() throws {
        let plan = try SegmentPlanner.plan(text: "")
        #expect(plan.segmentCount == 1)
        #expect(plan.unitsLeftInLastSegment == 160)
        #expect(reassemble(try encodeAll(plan)) == "")
    }

    @Test func tooManySegments() throws {
        #expect(throws: PDUError.tooManySegments(256)) {
            _ = try SegmentPlanner.plan(text: String(repeating: "a", count: 255 * 153 + 1))
        }
        #expect(throws: PDUError.self) {
            _ = try SegmentPlanner.plan(text: String(repeating: "a", count: 500), options: .init(maxSegments: 3))
        }
    }

    @Test func bytesWithPortsMatchCapacities() throws {
        let ports = PortAddressing(destination: 16000, source: 16000, is16Bit: true)
        #expect(UserDataCapacity.bytesPerSegment(concatenation: nil, ports: .sixteenBit) == 133)
        #expect(UserDataCapacity.bytesPerSegment(concatenation: .eightBit, ports: .sixteenBit) == 128)
        #expect(UserDataCapacity.bytesPerSegment(concatenation: .sixteenBit, ports: .sixteenBit) == 127)
        #expect(UserDataCapacity.bytesPerSegment(concatenation: .eightBit, ports: nil) == 134)
        #expect(UserDataCapacity.bytesPerSegment(concatenation: nil, ports: nil) == 140)
        #expect(UserDataCapacity.septets(headerOctets: 0) == 160)
        #expect(UserDataCapacity.septets(headerOctets: 6) == 153)
        #expect(UserDataCapacity.ucs2Units(headerOctets: 7) == 66)
        var rng = SeededRNG(seed: 7)
        for count in [0, 1, 133, 134, 256, 1000] {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let plan = try SegmentPlanner.plan(bytes: bytes, options: .init(reference: .sixteenBit(0x0102), ports: ports))
            #expect(plan.segmentCount == UserDataCapacity.segments(forBytes: count, concatenation: .sixteenBit, ports: .sixteenBit))
            let per = plan.segmentCount == 1 ? 133 : 127
            for ud in plan.segments.dropLast() { #expect(ud.bytes?.count == per) }
            let pdus = try encodeAll(plan)
            var joined: [UInt8] = []
            for pdu in pdus {
                let ud = try #require(pdu.tpdu.userData)
                #expect(ud.header?.ports == ports)
                #expect(pdu.tpdu.dataCodingScheme?.alphabet == .eightBit)
                joined += ud.bytes ?? []
            }
            #expect(joined == bytes)
        }
    }

    @Test func classAndTemplateAreCarried() throws {
        let plan = try SegmentPlanner.plan(text: "flash", options: .init(messageClass: .class0))
        #expect(plan.dataCodingScheme.rawValue == 0x10)
        let template = SubmitPDU(destination: try Address("+1"), userData: .empty, messageReference: 9,
                                 validityPeriod: .relative(167), statusReportRequest: true)
        let submits = plan.submitPDUs(template: template)
        #expect(submits[0].messageReference == 9)
        #expect(submits[0].statusReportRequest)
        #expect(submits[0].validityPeriod == .relative(167))
        #expect(submits[0].userData.text == "flash")
    }
}

@Suite struct SMSEncoderTests {
    @Test func textToWirePDUs() throws {
        let destination = try Address("+491701234567")
        let template = SubmitPDU(destination: try Address("+1"), userData: .empty, messageReference: 5,
                                 validityPeriod: .relative(167), statusReportRequest: true)
        let text = String(repeating: "Grüße ", count: 40)
        let message = try SMSEncoder.encode(text: text, to: destination, smsc: try Address("+4917000000"),
                                            options: .init(reference: .eightBit(9)), template: template)
        #expect(message.plan.segmentCount == 2)
        #expect(message.pdus.count == 2)
        var parts: [PDU] = []
        for (pdu, submit) in zip(message.pdus, message.submits) {
            let decoded = try PDU(hex: pdu.hex)
            #expect(decoded.tpdu == .submit(submit))
            #expect(submit.destination == destination)
            #expect(submit.messageReference == 5 && submit.statusReportRequest && submit.validityPeriod == .relative(167))
            #expect(pdu.tpduLength == pdu.bytes.count - 7)   // SMSC field: 07 91 + 5 octets
            parts.append(decoded)
        }
        #expect(reassemble(parts) == text)
        let data = try SMSEncoder.encode(bytes: [1, 2, 3], to: destination,
                                         options: .init(ports: try PortAddressing(spec: "16000:16001")))
        #expect(data.pdus.count == 1)
        #expect(data.pdus[0].hex.hasPrefix("00"))
        #expect(try PDU(hex: data.pdus[0].hex).tpdu.userData?.header?.ports?.destination == 16000)
    }

    @Test func argumentParsers() throws {
        #expect(try PortAddressing(spec: "5:6") == PortAddressing(destination: 5, source: 6, is16Bit: false))
        #expect(try PortAddressing(spec: "2948:9200").is16Bit)
        for bad in ["", "1", "1:", ":2", "70000:1", "a:b", "1:2:3"] {
            #expect(throws: PDUError.self, "\(bad)") { _ = try PortAddressing(spec: bad) }
        }
        #expect(try NationalLanguage.list("turkish, Hindi") == [.turkish, .hindi])
        #expect(try NationalLanguage.list("") == [])
        #expect(throws: PDUError.self) { _ = try NationalLanguage.list("klingon") }
    }
}
