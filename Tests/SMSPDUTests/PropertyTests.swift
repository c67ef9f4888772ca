import Testing
@testable import SMSPDU

/// Round trips over random input with fixed seeds.
@Suite struct PropertyTests {
    /// Every alphabet combination: the default one and each national table alone and paired.
    static let alphabets: [GSM7Alphabet] = {
        var result = [GSM7Alphabet.default]
        for l in NationalLanguage.allCases {
            if l.hasLockingShiftTable { result.append(GSM7Alphabet(lockingShift: l)) }
            result.append(GSM7Alphabet(singleShift: l))
            if l.hasLockingShiftTable { result.append(GSM7Alphabet(lockingShift: l, singleShift: l)) }
        }
        return result
    }()

    @Test(arguments: alphabets)
    func septetsRoundTrip(_ alphabet: GSM7Alphabet) throws {
        let pool = characters(of: alphabet)
        var rng = SeededRNG(seed: UInt64(alphabet.lockingShift?.rawValue ?? 0) << 8 | UInt64(alphabet.singleShift?.rawValue ?? 0))
        for _ in 0..<20 {
            let text = randomText(pool, length: Int.random(in: 0...200, using: &rng), using: &rng)
            let septets = try alphabet.encode(text)
            #expect(alphabet.decode(septets) == text)
            let fill = Int.random(in: 0...6, using: &rng)
            let packed = SeptetPacking.pack(septets, fillBits: fill)
            #expect(SeptetPacking.unpack(packed, count: septets.count, startBit: fill) == septets)
        }
    }

    /// Text from one alphabet's tables, planned with that language allowed, survives encode, decode
    /// and reassembly as SMS-SUBMIT and as SMS-DELIVER.
    @Test(arguments: alphabets)
    func plannedMessagesRoundTrip(_ alphabet: GSM7Alphabet) throws {
        let pool = characters(of: alphabet)
        var rng = SeededRNG(seed: 0xC0FFEE ^ UInt64(alphabet.lockingShift?.rawValue ?? 0) << 8 | UInt64(alphabet.singleShift?.rawValue ?? 0))
        let languages = [alphabet.lockingShift, alphabet.singleShift].compactMap { $0 }
        for round in 0..<8 {
            let text = randomText(pool, length: Int.random(in: 0...400, using: &rng), using: &rng)
            let reference: ConcatenationReference = round % 2 == 0 ? .eightBit(UInt8(round)) : .sixteenBit(UInt16(round) << 8)
            let plan = try SegmentPlanner.plan(text: text, options: .init(alphabet: .gsm7, nationalLanguages: languages, reference: reference))
            #expect(plan.alphabet == .gsm7)
            let submits = plan.submitPDUs(to: try Address("+447700900123"))
            var decoded: [PDU] = []
            for submit in submits {
                let (length, bytes) = try PDU(tpdu: .submit(submit)).encode()
                #expect(length == bytes.count - 1)
                let pdu = try PDU(bytes: bytes)
                #expect(pdu.tpdu == .submit(submit))
                let deliver = DeliverPDU(submit: submit, originator: try Address("Bank"),
                                         serviceCentreTimestamp: ServiceCentreTimestamp(year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 0, offsetQuarterHours: -20))
                decoded.append(try PDU(hex: PDU(smsc: try Address("+447700900000"), tpdu: .deliver(deliver)).hex()))
            }
            #expect(reassemble(decoded) == text)
        }
    }

    @Test func ucs2RoundTripWithAstralCharacters() throws {
        var rng = SeededRNG(seed: 42)
        let ranges: [ClosedRange<UInt32>] = [0x20...0x7E, 0x400...0x4FF, 0x4E00...0x9FFF, 0x1F300...0x1FAFF, 0x10000...0x10FFF]
        for _ in 0..<40 {
            var text = ""
            for _ in 0..<Int.random(in: 0...300, using: &rng) {
                let r = ranges[Int.random(in: 0..<ranges.count, using: &rng)]
                if let s = Unicode.Scalar(UInt32.random(in: r, using: &rng)) { text.unicodeScalars.append(s) }
            }
            let plan = try SegmentPlanner.plan(text: text, options: .init(alphabet: .ucs2, reference: .sixteenBit(7)))
            var pdus: [PDU] = []
            for s in plan.submitPDUs(to: try Address("12345")) {
                pdus.append(try PDU(hex: PDU(tpdu: .submit(s)).hex()))
            }
            #expect(reassemble(pdus) == text)
            #expect(plan.totalUnits == text.utf16.count)
        }
    }

    @Test func randomFieldsRoundTrip() throws {
        var rng = SeededRNG(seed: 2026)
        func address() -> Address {
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return Address(typeOfNumber: .international, value: String((0..<Int.random(in: 1...15, using: &rng)).map { _ in "0123456789".randomElement(using: &rng) ?? "0" }))
            case 1: return Address(typeOfNumber: .unknown, numberingPlan: .isdn, value: String((0..<Int.random(in: 1...20, using: &rng)).map { _ in "0123456789*#abc".randomElement(using: &rng) ?? "0" }))
            default: return Address(typeOfNumber: .alphanumeric, numberingPlan: .unknown, value: String((0..<Int.random(in: 1...11, using: &rng)).map { _ in "ABCxyz 019@£".randomElement(using: &rng) ?? "A" }))
            }
        }
        func timestamp() -> ServiceCentreTimestamp {
            ServiceCentreTimestamp(year: Int.random(in: 2000...2099, using: &rng), month: Int.random(in: 1...12, using: &rng),
                                   day: Int.random(in: 1...28, using: &rng), hour: Int.random(in: 0...23, using: &rng),
                                   minute: Int.random(in: 0...59, using: &rng), second: Int.random(in: 0...59, using: &rng),
                                   offsetQuarterHours: Int.random(in: -79...79, using: &rng))
        }
        func userData() -> (DataCodingScheme, UserData) {
            let header: UserDataHeader? = Bool.random(using: &rng)
                ? UserDataHeader(elements: [.concatenation8(reference: 1, total: 2, sequence: 1), InformationElement(identifier: 0x70, data: [1, 2])])
                : nil
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return (DataCodingScheme(rawValue: 0xF0 | UInt8.random(in: 0...3, using: &rng)), UserData(header: header, text: "Hi [x] €5"))
            case 1: return (.ucs2, UserData(header: header, text: "Привет 🌍"))
            default: return (DataCodingScheme(alphabet: .eightBit, messageClass: .class1), UserData(header: header, bytes: (0..<Int.random(in: 0...100, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
            }
        }
        for _ in 0..<300 {
            let smsc: Address? = Bool.random(using: &rng) ? Address(typeOfNumber: .international, value: "4917000000") : nil
            let (dcs, ud) = userData()
            let tpdu: TPDU
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                tpdu = .deliver(DeliverPDU(originator: address(), protocolIdentifier: UInt8.random(in: 0...255, using: &rng), dataCodingScheme: dcs,
                                           serviceCentreTimestamp: timestamp(), userData: ud, moreMessagesToSend: Bool.random(using: &rng),
                                           loopPrevention: Bool.random(using: &rng), statusReportIndication: Bool.random(using: &rng), replyPath: Bool.random(using: &rng)))
            case 1:
                let vps: [ValidityPeriod?] = [nil, .relative(UInt8.random(in: 0...255, using: &rng)), .absolute(timestamp()), .enhanced(.seconds(UInt8.random(in: 0...255, using: &rng)))]
                tpdu = .submit(SubmitPDU(destination: address(), userData: ud, dataCodingScheme: dcs, messageReference: UInt8.random(in: 0...255, using: &rng),
                                         validityPeriod: vps[Int.random(in: 0..<vps.count, using: &rng)], statusReportRequest: Bool.random(using: &rng),
                                         protocolIdentifier: UInt8.random(in: 0...255, using: &rng), rejectDuplicates: Bool.random(using: &rng), replyPath: Bool.random(using: &rng)))
            default:
                let withUD = Bool.random(using: &rng)
                tpdu = .statusReport(StatusReportPDU(messageReference: UInt8.random(in: 0...255, using: &rng), recipient: address(),
                                                     serviceCentreTimestamp: timestamp(), dischargeTime: timestamp(), status: UInt8.random(in: 0...255, using: &rng),
                                                     protocolIdentifier: withUD ? 0 : nil, dataCodingScheme: withUD ? dcs : nil, userData: withUD ? ud : nil,
                                                     moreMessagesToSend: Bool.random(using: &rng), loopPrevention: Bool.random(using: &rng), statusReportQualifier: Bool.random(using: &rng)))
            }
            let pdu = PDU(smsc: smsc, tpdu: tpdu)
            let decoded = try PDU(hex: pdu.hex())
            #expect(decoded == pdu)
            let bare = try pdu.encode(includeSMSC: false)
            #expect(try PDU(bytes: bare.bytes, hasSMSC: false).tpdu == tpdu)
        }
    }
}
