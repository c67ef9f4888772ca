import Testing
import ModemEmulator
@testable import SecureSMS

@Suite struct FrameTests {
    @Test func headerByteLayout() throws {
        #expect(FrameHeader(type: .data, flags: [.text]).byte == 0x9C)
        #expect(FrameHeader(type: .hello).byte == 0x80)
        #expect(try FrameHeader(byte: 0x9C) == FrameHeader(type: .data, flags: [.text]))
    }

    @Test(arguments: [UInt8(0x00), 0x40, 0x5C, 0xC0, 0x1B, 0xFF])
    func wrongVersionIsRejected(byte: UInt8) {
        #expect(throws: SecureSMSError.wrongVersion(byte >> 6)) { try Frame(bytes: [byte] + [UInt8](repeating: 0, count: 40)) }
    }

    @Test func unknownTypesAreRejected() {
        #expect(throws: SecureSMSError.unknownFrameType(6)) { try Frame(bytes: [0xB0] + [UInt8](repeating: 0, count: 40)) }
        #expect(throws: SecureSMSError.unknownFrameType(7)) { try Frame(bytes: [0xB8] + [UInt8](repeating: 0, count: 40)) }
        #expect(throws: SecureSMSError.emptyFrame) { try Frame(bytes: []) }
    }

    @Test func everyTruncationOfEveryTypeIsATypedError() throws {
        let frames = [
            Frame(header: FrameHeader(type: .hello), keyID: [1, 2, 3], ephemeral: [UInt8](repeating: 9, count: 32), body: [UInt8](repeating: 1, count: 20)),
            Frame(header: FrameHeader(type: .intro), staticKey: [UInt8](repeating: 9, count: 32),
                  counter: 0x0A0B0C, body: [UInt8](repeating: 1, count: 16)),
            Frame(header: FrameHeader(type: .reply), ephemeral: [UInt8](repeating: 9, count: 32), body: [UInt8](repeating: 1, count: 16)),
            Frame(header: FrameHeader(type: .data, flags: [.fragmented]), counter: 0x0A0B0C, fragmentCount: 3, body: [1]),
            Frame(header: FrameHeader(type: .ack), counter: 5, body: [UInt8](repeating: 1, count: 21)),
            Frame(header: FrameHeader(type: .cont), ref: 4, index: 2, body: [1, 2]),
        ]
        for frame in frames {
            #expect(try Frame(bytes: frame.bytes) == frame)
            let minimumBody = frame.header.type == .cont || frame.isFirstFragment ? 1 : 16
            for cut in 0..<frame.fixedPart.count + minimumBody {
                #expect(throws: SecureSMSError.self) { try Frame(bytes: Array(frame.bytes.prefix(cut))) }
            }
        }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var rng = SeededGenerator(seed: 42)
        var parsed = 0
        for _ in 0..<20_000 {
            let bytes = rng.bytes(Int.random(in: 0...140, using: &rng))
            if let frame = try? Frame(bytes: bytes) {
                parsed += 1
                #expect(frame.bytes == bytes)
            }
        }
        #expect(parsed > 0)
    }

    @Test func fragmentationRoundTripsInAnyOrderAndCostsOnePlusThree() throws {
        var rng = SeededGenerator(seed: 7)
        for size in [1, 100, 113, 114, 500, 2000] {
            let frame = Frame(header: FrameHeader(type: .data), counter: 300, body: rng.bytes(size + 16))
            let parts = try Fragmenter.split(frame, capacity: 133)
            #expect(parts.allSatisfy { $0.bytes.count <= 133 })
            let total = parts.reduce(0) { $0 + $1.bytes.count }
            #expect(total == frame.bytes.count + (parts.count > 1 ? 1 + 3 * (parts.count - 1) : 0))
            var reassembler = FrameReassembler()
            var out: Frame?
            for part in parts.shuffled(using: &rng) + [parts[0]] {
                if let whole = try reassembler.add(try Frame(bytes: part.bytes), from: "+1", now: 0) { out = whole }
            }
            #expect(out == frame)
        }
    }

    @Test func conflictingFragmentsAreReported() throws {
        let frame = Frame(header: FrameHeader(type: .data), counter: 1, body: [UInt8](repeating: 3, count: 300))
        let parts = try Fragmenter.split(frame, capacity: 133)
        var reassembler = FrameReassembler()
        _ = try reassembler.add(parts[1], from: "+1", now: 0)
        var forged = parts[1]
        forged.body[0] ^= 1
        #expect(throws: SecureSMSError.self) { try reassembler.add(forged, from: "+1", now: 0) }
    }

    @Test func textTransportRoundTripAndCapacity() throws {
        #expect(SecureTransportKind.binary.capacity == 133)
        #expect(SecureTransportKind.text.capacity == 119)
        var rng = SeededGenerator(seed: 3)
        for n in [25, 52, 119] {
            var frame = Frame(header: FrameHeader(type: .data), counter: 7, body: rng.bytes(n - 4))
            frame.header.flags = []
            let bytes = frame.bytes
            let text = TextFrameCodec.encode(bytes)
            #expect(text.count <= 160)
            #expect(PackedText.septets(text) != nil)  // every character is GSM-7
            #expect(try TextFrameCodec.decode(text) == bytes)
        }
        #expect(TextFrameCodec.encode(rng.bytes(119)).count == 160)
        // Strict: base64 that does not decode to a v2 frame is ordinary text (v1 took any "#…").
        #expect(throws: SecureSMSError.notATextFrame) { try TextFrameCodec.decode(TextFrameCodec.encode(rng.bytes(3))) }
        #expect(throws: SecureSMSError.notATextFrame) { try TextFrameCodec.decode("#Hashtag") }
        #expect(throws: SecureSMSError.notATextFrame) { try TextFrameCodec.decode(TextFrameCodec.encode([0x5C] + rng.bytes(30))) }  // a v1 header
        #expect(throws: SecureSMSError.notATextFrame) { try TextFrameCodec.decode("hello") }
        #expect(throws: SecureSMSError.notATextFrame) { try TextFrameCodec.decode("#hash tag") }
    }

    @Test func packedTextRoundTripsAndFits() {
        var rng = SeededGenerator(seed: 5)
        let alphabet = Array("@£$¥èéùìòÇ\nØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCZÄÖÑÜ§¿abczäöñüà{}[]~^|€\\")
        for length in 0..<200 {
            let text = String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
            guard let packed = PackedText.pack(text) else {
                Issue.record("GSM text not packable: \(text)")
                continue
            }
            #expect(PackedText.unpack(packed) == text)
        }
        #expect(PackedText.pack(String(repeating: "a", count: 125))?.count == 110)
        #expect(PackedText.pack(String(repeating: "a", count: 129))?.count == 113)
        #expect(PackedText.pack("emoji 🙂") == nil)
        #expect(PackedText.pack("ends with CR\r") == nil)
    }
}

@Suite struct FuzzEntryTests {
    @Test func fuzzEntryPointSurvivesSeededInputs() {
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<3000 { FrameFuzzing.run(rng.bytes(Int.random(in: 0...300, using: &rng))) }
    }
}

@Suite struct FrameSummaryTests {
    @Test func summariesNameTypeFlagsAndCounter() throws {
        let data = Frame(header: FrameHeader(type: .data, flags: [.hasAck, .text]), counter: 7, body: [UInt8](repeating: 0, count: 16))
        let s = FrameSummary(bytes: data.bytes)
        #expect(s.type == "data")
        #expect(s.flags == ["ack", "text"])
        #expect(s.number == 7)
        #expect(s.text.hasPrefix("data #7 [ack,text] 20 bytes: 9e000007"))
        #expect(FrameSummary(bytes: [0x00]).type == "invalid")
    }
}
