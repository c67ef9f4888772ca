import Foundation
import Testing
@testable import SMSPDU

/// Examples from TS 23.038 / TS 23.040 and the classic codec examples.
@Suite struct SpecExampleTests {
    @Test func hellohelloPacking() throws {
        let septets = try GSM7Alphabet.default.encode("hellohello")
        #expect(Hex.encode(SeptetPacking.pack(septets)) == "E8329BFD4697D9EC37")
        #expect(SeptetPacking.unpack([UInt8](hex: "E8329BFD4697D9EC37"), count: 10).map { GSM7Alphabet.default.decode($0) } == "hellohello")
        #expect(Hex.encode(SeptetPacking.pack(try GSM7Alphabet.default.encode("hello"))) == "E8329BFD06")
    }

    @Test func unpackRefusesTooFewBits() {
        #expect(SeptetPacking.unpack([0xFF], count: 2) == nil)
        #expect(SeptetPacking.unpack([0xFF, 0x3F], count: 2) != nil)
    }

    @Test func fillBitsAfterHeader() {
        // UDHL + IEs of n octets: text starts at the next septet boundary.
        #expect(UserData.fillBits(headerOctets: 6) == 1)   // 8-bit concatenation
        #expect(UserData.fillBits(headerOctets: 7) == 0)   // 16-bit concatenation
        #expect(UserData.fillBits(headerOctets: 3) == 4)   // one national language shift
        #expect(UserData.fillBits(headerOctets: 0) == 0)
    }

    @Test func concatenatedPartUserDataMatchesSpecLayout() throws {
        // pymsg-21: UDH 05 00 03 88 03 03, one fill bit, then "a Man, my son".
        let ud = UserData(header: UserDataHeader(elements: [.concatenation8(reference: 0x88, total: 3, sequence: 3)]),
                          text: "a Man, my son")
        let (udl, octets) = try ud.encode(dcs: .gsm7)
        #expect(udl == 20)
        #expect(Hex.encode(octets) == "050003880303C2A066D8CD02B5F3A0F9DB0D")
    }

    @Test func extensionTableAndEscape() throws {
        let septets = try GSM7Alphabet.default.encode("{€}")
        #expect(septets == [0x1B, 0x28, 0x1B, 0x65, 0x1B, 0x29])
        #expect(GSM7Alphabet.default.decode(septets) == "{€}")
        // ESC followed by a code without extension character: the default-table character.
        #expect(GSM7Alphabet.default.decode([0x1B, 0x41]) == "A")
        // ESC ESC reads as a space; a trailing ESC is dropped.
        #expect(GSM7Alphabet.default.decode([0x1B, 0x1B, 0x41, 0x1B]) == " A")
        #expect(GSM7Alphabet.default.septetCount(of: "€") == 2)
        #expect(GSM7Alphabet.default.septetCount(of: "é") == 1)
        #expect(GSM7Alphabet.default.septetCount(of: "ê") == nil)
    }

    @Test func defaultAlphabetIsABijection() throws {
        // Every septet except ESC decodes to one character that encodes back to it.
        for code in UInt8(0)..<128 where code != 0x1B {
            let text = GSM7Alphabet.default.decode([code])
            #expect(text.unicodeScalars.count == 1)
            #expect(try GSM7Alphabet.default.encode(text) == [code])
        }
    }

    @Test func nationalLanguageTablesSpotChecks() throws {
        let turkish = GSM7Alphabet(lockingShift: .turkish, singleShift: .turkish)
        #expect(try turkish.encode("ğ") == [0x0C])
        #expect(try turkish.encode("ş") == [0x1D])
        #expect(try turkish.encode("İ") == [0x40])
        #expect(try GSM7Alphabet(singleShift: .turkish).encode("ş") == [0x1B, 0x73])
        #expect(try GSM7Alphabet(singleShift: .spanish).encode("á") == [0x1B, 0x61])
        let portuguese = GSM7Alphabet(lockingShift: .portuguese)
        #expect(try portuguese.encode("ã") == [0x7B])
        #expect(try portuguese.encode("∞") == [0x15])
        let hindi = GSM7Alphabet(lockingShift: .hindi, singleShift: .hindi)
        #expect(try hindi.encode("क") == [0x15])
        #expect(try hindi.encode("A") == [0x1B, 0x41])
        #expect(hindi.decode([0x15, 0x1B, 0x65]) == "क€")
        // Spanish has no locking-shift table: asking for one falls back to the default.
        #expect(GSM7Alphabet(lockingShift: .spanish).lockingShift == nil)
        #expect(NationalLanguage.allCases.count == 13)
        #expect(NationalLanguage.allCases.filter(\.hasLockingShiftTable).count == 12)
        #expect(NationalLanguage(name: "Urdu") == .urdu)
    }

    @Test func dataCodingSchemeGroups() {
        #expect(DataCodingScheme(rawValue: 0x00).alphabet == .gsm7)
        #expect(DataCodingScheme(rawValue: 0x04).alphabet == .eightBit)
        #expect(DataCodingScheme(rawValue: 0x08).alphabet == .ucs2)
        #expect(DataCodingScheme(rawValue: 0x0C).alphabet == .gsm7)              // reserved alphabet
        #expect(DataCodingScheme(rawValue: 0x00).messageClass == nil)
        #expect(DataCodingScheme(rawValue: 0x12).messageClass == .class2)
        #expect(DataCodingScheme(rawValue: 0x19).alphabet == .ucs2)
        #expect(DataCodingScheme(rawValue: 0x24).isCompressed)
        #expect(DataCodingScheme(rawValue: 0x48).isAutomaticDeletion)
        #expect(DataCodingScheme(rawValue: 0x48).alphabet == .ucs2)
        #expect(DataCodingScheme(rawValue: 0x85).isReservedGroup)
        #expect(DataCodingScheme(rawValue: 0x85).alphabet == .gsm7)
        let mwi = DataCodingScheme(rawValue: 0xC8)
        #expect(mwi.alphabet == .gsm7)
        #expect(mwi.messageWaiting == MessageWaiting(store: false, active: true, kind: .voicemail))
        #expect(DataCodingScheme(rawValue: 0xD1).messageWaiting == MessageWaiting(store: true, active: false, kind: .fax))
        #expect(DataCodingScheme(rawValue: 0xE2).alphabet == .ucs2)
        #expect(DataCodingScheme(rawValue: 0xF4).alphabet == .eightBit)
        #expect(DataCodingScheme(rawValue: 0xF4).messageClass == .class0)
        #expect(DataCodingScheme(rawValue: 0xF3).alphabet == .gsm7)
        #expect(DataCodingScheme(alphabet: .ucs2, messageClass: .class0).rawValue == 0x18)
        #expect(DataCodingScheme(alphabet: .eightBit, compressed: true).rawValue == 0x24)
    }

    @Test func compressedUserDataIsNeverDecodedAsText() throws {
        // SMS-DELIVER with DCS 0x20 (compressed GSM 7-bit): TP-UDL counts octets.
        let pdu = try PDU(hex: "00040B916407281553F8002011101021436500" + "03" + "AABBCC")
        let ud = try #require(pdu.tpdu.userData)
        #expect(ud.bytes == [0xAA, 0xBB, 0xCC])
        let summary = PDUSummary(pdu)
        #expect(summary.compressed == true)
        #expect(summary.text == nil)
        #expect(summary.dataHex == "AABBCC")
        #expect(try pdu.hex() == "00040B916407281553F800201110102143650003AABBCC")
    }

    @Test func relativeValidityTable() {
        #expect(ValidityPeriod.seconds(relative: 0) == 300)
        #expect(ValidityPeriod.seconds(relative: 143) == 12 * 3600)
        #expect(ValidityPeriod.seconds(relative: 144) == 12 * 3600 + 1800)
        #expect(ValidityPeriod.seconds(relative: 167) == 24 * 3600)
        #expect(ValidityPeriod.seconds(relative: 168) == 2 * 86_400)
        #expect(ValidityPeriod.seconds(relative: 196) == 30 * 86_400)
        #expect(ValidityPeriod.seconds(relative: 197) == 5 * 7 * 86_400)
        #expect(ValidityPeriod.seconds(relative: 255) == 63 * 7 * 86_400)
        for v in UInt8(0)...255 {
            #expect(ValidityPeriod.relative(seconds: ValidityPeriod.seconds(relative: v)) == .relative(v))
        }
        // Rounds up to the next expressible value.
        #expect(ValidityPeriod.relative(seconds: 301) == .relative(1))
        #expect(ValidityPeriod.relative(seconds: 25 * 3600) == .relative(168))
        #expect(ValidityPeriod.relative(seconds: 0) == .relative(0))
        #expect(ValidityPeriod.relative(seconds: Int.max) == .relative(255))
    }

    @Test func validitySpecGrammar() throws {
        #expect(try ValidityPeriod(spec: "30m") == .relative(5))
        #expect(try ValidityPeriod(spec: "12h") == .relative(143))
        #expect(try ValidityPeriod(spec: "7d") == .relative(173))
        #expect(try ValidityPeriod(spec: "4w") == .relative(194))  // 28 days fits the day range
        #expect(try ValidityPeriod(spec: "5w") == .relative(197))
        #expect(try ValidityPeriod(spec: "max") == .relative(255))
        #expect(try ValidityPeriod(spec: "none") == nil)
        #expect(try ValidityPeriod(spec: "enhanced:90s") == .enhanced(.seconds(90)))
        #expect(try ValidityPeriod(spec: "enhanced:01:30:00")?.duration == 5400)
        let absolute = try ValidityPeriod(spec: "2026-12-24T18:00:00+01:00")
        #expect(absolute == .absolute(ServiceCentreTimestamp(year: 2026, month: 12, day: 24, hour: 18, minute: 0, second: 0, offsetQuarterHours: 4)))
        for bad in ["", "7", "7x", "-1h", "64w", "enhanced:300s", "2026-13-01T00:00:00+00:00", "2026-01-01T00:00:00+00:10"] {
            #expect(throws: PDUError.self, "\(bad)") { _ = try ValidityPeriod(spec: bad) }
        }
    }

    @Test func enhancedValidityRoundTrip() throws {
        for vp in [EnhancedValidityPeriod.seconds(200, singleShot: true), .hms(hours: 1, minutes: 2, seconds: 3), .relative(167),
                   EnhancedValidityPeriod(octets: [0x07, 1, 2, 3, 4, 5, 6])] {
            let submit = SubmitPDU(destination: try Address("+123"), userData: UserData(text: "x"), validityPeriod: .enhanced(vp))
            let pdu = PDU(tpdu: .submit(submit))
            #expect(try PDU(bytes: pdu.encode().bytes) == pdu)
        }
        #expect(EnhancedValidityPeriod.hms(hours: 1, minutes: 2, seconds: 3).duration == 3723)
        #expect(EnhancedValidityPeriod.seconds(200, singleShot: true).singleShot)
        #expect(EnhancedValidityPeriod(octets: [0x07]).duration == nil)
    }

    @Test func timestampsKeepLocalTimeAndOffset() throws {
        // 0x8A: tens digit 0 with the sign bit, units 8 → −8 quarters = −02:00.
        var reader = ByteReader([UInt8](hex: "21300291650580"))
        let t = try ServiceCentreTimestamp.decode(&reader, field: .serviceCentreTimestamp)
        #expect(t.iso8601 == "2012-03-20T19:56:50+02:00")
        let nepal = ServiceCentreTimestamp(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59, offsetQuarterHours: 23)
        #expect(nepal.iso8601 == "2024-02-29T23:59:59+05:45")
        let newfoundland = ServiceCentreTimestamp(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0, offsetQuarterHours: -14)
        #expect(newfoundland.iso8601 == "2024-01-01T00:00:00-03:30")
        for t in [nepal, newfoundland] {
            var r = ByteReader(try t.encode(field: .serviceCentreTimestamp))
            #expect(try ServiceCentreTimestamp.decode(&r, field: .serviceCentreTimestamp) == t)
            #expect(try ServiceCentreTimestamp(iso8601: t.iso8601) == t)
        }
        #expect(try newfoundland.encode(field: .serviceCentreTimestamp).last == 0x49)
        #expect(nepal.date == Date(timeIntervalSince1970: 1_709_230_499))
        #expect(ServiceCentreTimestamp(date: Date(timeIntervalSince1970: 1_709_230_499), offsetQuarterHours: 23) == nepal)
    }

    @Test func addresses() throws {
        let international = try Address("+49 170 1234567")
        #expect(international.typeOfNumber == .international)
        #expect(international.description == "+491701234567")
        #expect(Hex.encode(try international.encodeTP(field: .destinationAddress)) == "0C91947110325476")
        let special = try Address("*100#")
        #expect(Hex.encode(try special.encodeTP(field: .destinationAddress)) == "05811A00FB")
        var reader = ByteReader([UInt8](hex: "0481DCEB"))
        #expect(try Address.decodeTP(&reader, field: .originatingAddress).value == "ab#c")
        var odd = ByteReader([UInt8](hex: "038121F3"))
        #expect(try Address.decodeTP(&odd, field: .originatingAddress).value == "123")
        var filler = ByteReader([UInt8](hex: "0481F121"))
        #expect(throws: PDUError.invalidValue(field: .originatingAddress, offset: 2, value: 0xF1)) {
            _ = try Address.decodeTP(&filler, field: .originatingAddress)
        }
        let alpha = try Address("InternetSMS")
        #expect(alpha.typeOfNumber == .alphanumeric)
        #expect(Hex.encode(try alpha.encodeTP(field: .originatingAddress)) == "14D04937BD2C7797E9D3E614")
        #expect(throws: PDUError.self) { _ = try Address("+12ab") }
        #expect(throws: PDUError.self) { _ = try Address("") }
        #expect(throws: PDUError.self) { _ = try Address("123456789012345678901").encodeTP(field: .destinationAddress) }
        #expect(throws: PDUError.self) { _ = try Address("ABCDEFGHIJKL").encodeTP(field: .originatingAddress) }
        let smsc = try Address("+12404492164")
        #expect(Hex.encode(try smsc.encodeSMSC()) == "07912104442961F4")
    }

    @Test func unknownInformationElementsAreKept() throws {
        // ofono-06: five EMS text-formatting IEs (0x0A) survive decode and encode unchanged.
        let hex = "0041000B915121551532F40000631A0A031906200A032104100A032705040A032E05080A043807002B8ACD29A85D9ECFC3E7F21C340EBB41E3B79B1E4EBB41697A989D1EB340E2379BCC02B1C3F27399059AB7C36C3628EC2683C66FF65B5E2683E8653C1D"
        let pdu = try PDU(hex: hex)
        let header = try #require(pdu.tpdu.userData?.header)
        #expect(header.elements.count == 5)
        #expect(header.elements.allSatisfy { $0.identifier == 0x0A })
        #expect(try pdu.hex() == hex)
    }

    @Test func headerAccessors() throws {
        let udh = UserDataHeader(elements: [
            InformationElement(identifier: 0x70, data: [1, 2, 3]),
            .concatenation16(reference: 0xBEEF, total: 4, sequence: 2),
            .ports(destination: 16000, source: 16001),
            .nationalLockingShift(.portuguese), .nationalSingleShift(.spanish),
        ])
        #expect(udh.concatenation == Concatenation(reference: 0xBEEF, total: 4, sequence: 2, is16Bit: true))
        #expect(udh.ports == PortAddressing(destination: 16000, source: 16001, is16Bit: true))
        #expect(udh.nationalLockingShift == 3)
        #expect(udh.nationalSingleShift == 2)
        #expect(InformationElement.ports(destination: 5, source: 6).identifier == 0x04)
        let bytes = try udh.encoded()
        #expect(bytes.count == udh.encodedLength)
        let (decoded, n) = try UserDataHeader.decode(bytes[...], base: 0)
        #expect(decoded == udh)
        #expect(n == bytes.count)
        // A malformed concatenation element (wrong length) is kept but not interpreted.
        let odd = UserDataHeader(elements: [InformationElement(identifier: 0x00, data: [1, 2])])
        #expect(odd.concatenation == nil)
    }

    @Test func statusReportOptionalParameters() throws {
        // w618-05: TP-PI 0x07 with PID, DCS (8-bit) and user data "report".
        let pdu = try PDU(hex: "000642049136195150713220052351408132200542AB078904067265706F7274")
        guard case let .statusReport(r) = pdu.tpdu else { Issue.record("not a status report"); return }
        #expect(r.protocolIdentifier == 0x89)
        #expect(r.dataCodingScheme == .eightBit)
        #expect(r.userData?.bytes == Array("report".utf8))
        #expect(r.statusCategory == .reserved)
        #expect(try pdu.hex() == "000642049136195150713220052351408132200542AB078904067265706F7274")
        // Without TP-PI the report ends after TP-ST.
        let minimal = StatusReportPDU(messageReference: 7, recipient: try Address("+1234"),
                                      serviceCentreTimestamp: ServiceCentreTimestamp(year: 2020, month: 1, day: 2, hour: 3, minute: 4, second: 5, offsetQuarterHours: 0),
                                      dischargeTime: ServiceCentreTimestamp(year: 2020, month: 1, day: 2, hour: 3, minute: 4, second: 6, offsetQuarterHours: -4),
                                      status: 0x41)
        let encoded = try PDU(tpdu: .statusReport(minimal)).encode(includeSMSC: false)
        #expect(encoded.tpduLength == 2 + 4 + 14 + 1)
        #expect(try TPDU(bytes: encoded.bytes) == .statusReport(minimal))
        #expect(minimal.statusCategory == .permanentError)
        // Padding with 0xFF: reserved TP-PI bits set, so the optional fields are not read.
        let padded = try PDU(hex: "000242049136195150713220052351408132200542ABFFFFFF")
        guard case let .statusReport(p) = padded.tpdu else { Issue.record("not a status report"); return }
        #expect(p.status == 0xAB)
        #expect(p.userData == nil && p.dataCodingScheme == nil)
        #expect(try PDU(bytes: padded.encode().bytes) == padded)
    }

    @Test func submitToDeliver() throws {
        let submit = SubmitPDU(destination: try Address("+4915259911630"), userData: UserData(text: "hi"),
                               statusReportRequest: true)
        let ts = ServiceCentreTimestamp(year: 2026, month: 11, day: 23, hour: 14, minute: 0, second: 0, offsetQuarterHours: 4)
        let deliver = DeliverPDU(submit: submit, originator: try Address("+491701234567"), serviceCentreTimestamp: ts)
        #expect(deliver.statusReportIndication)
        #expect(deliver.userData.text == "hi")
        let pdu = PDU(smsc: try Address("+4917000000"), tpdu: .deliver(deliver))
        #expect(try PDU(hex: pdu.hex()) == pdu)
        let report = StatusReportPDU(reportingOn: SubmitPDU(destination: submit.destination, userData: .empty, messageReference: 77),
                                     serviceCentreTimestamp: ts, dischargeTime: ts)
        #expect(report.messageReference == 77)
        #expect(report.recipient.description == "+4915259911630")
        #expect(report.statusCategory == .completed)
        #expect(try PDU(hex: PDU(tpdu: .statusReport(report)).hex()).tpdu == .statusReport(report))
    }

    @Test func vectorsReencodeByteForByte() throws {
        // Known exceptions: senders that set the UDH fill bits to 1 (mm-3gpp-11/12; we write 0 as the
        // spec says) and a "negative zero" time zone (pymsg-01; we write +00:00).
        let exceptions: Set<String> = ["mm-3gpp-11", "mm-3gpp-12", "pymsg-01"]
        for v in Fixtures.valid where !exceptions.contains(v.id) {
            #expect(try PDU(hex: v.pdu).hex() == v.pdu, "\(v.id)")
        }
    }

    @Test func tpduLengthExcludesSMSC() throws {
        let pdu = try PDU(hex: "07919130079229F011000B915155551532F40008003A041404300020043704340440043004320441044204320443043504420020043A043E0440043E043B044C002C0020043404350442043A04300021")
        let (length, bytes) = try pdu.encode()
        #expect(length == bytes.count - 8)
        #expect(try pdu.encode(includeSMSC: false).bytes == Array(bytes.dropFirst(8)))
        #expect(try PDUSummary(hex: pdu.hex()).tpduLength == length)
    }
}

@Suite struct ProtocolIdentifierTests {
    @Test func meanings() {
        #expect(ProtocolIdentifier.isShortMessageType0(0x40))
        #expect(!ProtocolIdentifier.isShortMessageType0(0x00))
        #expect(ProtocolIdentifier.replaceType(0x41) == 1)
        #expect(ProtocolIdentifier.replaceType(0x47) == 7)
        #expect(ProtocolIdentifier.replaceType(0x48) == nil)
        #expect(ProtocolIdentifier.isDataDownload(0x7F) && ProtocolIdentifier.isDataDownload(0x7D))
        #expect(ProtocolIdentifier.telematicDevice(0x32) == 0x12)   // internet e-mail
        #expect(ProtocolIdentifier.telematicDevice(0x39) == 0x19)
        #expect(ProtocolIdentifier.telematicDevice(0x00) == nil)
    }
}
