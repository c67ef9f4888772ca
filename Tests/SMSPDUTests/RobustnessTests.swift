import Testing
@testable import SMSPDU

/// Decoding is total: any input gives a value or a typed error naming field and offset.
@Suite struct RobustnessTests {
    @Test func errorsNameFieldAndOffset() {
        #expect(throws: PDUError.reservedMessageType(offset: 1)) { _ = try PDU(hex: "0003") }
        #expect(throws: PDUError.truncated(field: .firstOctet, offset: 1)) { _ = try PDU(hex: "00") }
        #expect(throws: PDUError.truncated(field: .smscLength, offset: 0)) { _ = try PDU(hex: "") }
        #expect(throws: PDUError.invalidLength(field: .smscLength, offset: 0, length: 10)) { _ = try PDU(hex: "0A91") }
        #expect(throws: PDUError.truncated(field: .firstOctet, offset: 8)) { _ = try PDU(hex: "07912143658709F1") }
        #expect(throws: PDUError.truncated(field: .recipientAddress, offset: 4)) { _ = try PDU(hex: "000ABF00") }
        #expect(throws: PDUError.truncated(field: .userData, offset: 27)) {
            _ = try PDU(hex: "07912143658709F1040B918100551512F20000111010214365000BE8329BFD4697D9EC37")
        }
        // TP-UDHI with TP-UDL 0.
        #expect(throws: PDUError.invalidLength(field: .userDataLength, offset: 8, length: 0)) { _ = try PDU(hex: "004100010100014B00002E") }
        // A UDH longer than the user data: UDL 3, UDHL 5.
        #expect(throws: PDUError.invalidLength(field: .userDataHeader, offset: 9, length: 5)) { _ = try PDU(hex: "00410001" + "81F0" + "0004" + "03" + "050003") }
        // An information element running past the UDH.
        #expect(throws: PDUError.invalidLength(field: .informationElement, offset: 10, length: 9)) { _ = try PDU(hex: "00410001" + "81F0" + "0004" + "04" + "03000901") }
        // BCD digit above 9 in a time stamp.
        #expect(throws: PDUError.invalidValue(field: .serviceCentreTimestamp, offset: 7, value: 0xAF)) {
            _ = try PDU(hex: "0004028121" + "0000" + "AF00000000000000")
        }
        // Odd number of UCS-2 octets.
        #expect(throws: PDUError.invalidLength(field: .userData, offset: 15, length: 3)) {
            _ = try PDU(hex: "000402812100081111111111111103004100")
        }
    }

    @Test func hexInput() throws {
        #expect(try Hex.decode(" 0a bC\n\tDe\r\n") == [0x0A, 0xBC, 0xDE])
        #expect(throws: PDUError.invalidHex(offset: 2)) { _ = try Hex.decode("00G0") }
        #expect(throws: PDUError.oddHexLength(digits: 3)) { _ = try Hex.decode("000") }
        #expect(throws: PDUError.invalidHex(offset: 0)) { _ = try Hex.decode("é0") }
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00ABFF")
        // Case- and whitespace-tolerant PDU input decodes to the same value.
        let spaced = "07 91 21 43 65 87 09 f1 04 0b 91 81 00 55 15 12 f2 00 00 11 10 10 21 43 65 00 0a e8 32 9b fd 46 97 d9 ec 37"
        #expect(try PDU(hex: spaced) == PDU(hex: "07912143658709F1040B918100551512F20000111010214365000AE8329BFD4697D9EC37"))
    }

    @Test func errorDescriptionsAreOneLine() {
        let errors: [PDUError] = [.truncated(field: .userData, offset: 3), .invalidHex(offset: 1), .oddHexLength(digits: 3),
                                  .reservedMessageType(offset: 1), .invalidLength(field: .userDataHeader, offset: 2, length: 9),
                                  .invalidValue(field: .serviceCentreTimestamp, offset: 4, value: 0xFA),
                                  .unencodableCharacter("你", index: 0), .valueTooLarge(field: .destinationAddress, value: 21, maximum: 20),
                                  .userDataTooLong(octets: 141, maximum: 140), .tooManySegments(256), .contentMismatch("x"), .invalidArgument("y")]
        for e in errors {
            #expect(!e.description.isEmpty && !e.description.contains("\n"))
        }
        #expect(PDUError.truncated(field: .userData, offset: 23).description.contains("TP-UD at offset 23"))
    }

    /// Random bytes and random mutations of real PDUs: a value or a `PDUError`, never a trap.
    @Test func randomInputNeverTraps() {
        var rng = SeededRNG(seed: 0x5EED)
        var decoded = 0
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...180, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if (try? PDU(bytes: bytes)) != nil { decoded += 1 }
            _ = try? PDU(bytes: bytes, hasSMSC: false)
        }
        let seeds = Fixtures.valid.compactMap { try? Hex.decode($0.pdu) }
        for seed in seeds {
            for _ in 0..<300 {
                var bytes = seed
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[i] = UInt8.random(in: 0...255, using: &rng)
                }
                if let pdu = try? PDU(bytes: bytes) {
                    decoded += 1
                    // Whatever decodes must summarise and, when encodable, decode again to itself.
                    _ = PDUSummary(pdu)
                    if let again = try? pdu.encode().bytes { #expect((try? PDU(bytes: again)) == pdu) }
                }
            }
        }
        #expect(decoded > 0)
    }
}
