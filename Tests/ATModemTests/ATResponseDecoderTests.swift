import Testing
import ModemEmulator
@testable import ATModem

/// One decoder scenario: an expectation (or none), the bytes the modem sends, the events wanted.
struct Transcript: Sendable, CustomStringConvertible {
    let name: String
    let expectation: ATExpectation?
    let bytes: [UInt8]
    let events: [ATEvent]
    var description: String { name }

    init(_ name: String, _ expectation: ATExpectation?, _ text: String, _ events: [ATEvent]) {
        self.name = name
        self.expectation = expectation
        self.bytes = Array(text.utf8)
        self.events = events
    }

    /// Feeds `chunks` (a partition of `bytes`) and returns all events.
    func run(chunks: [ArraySlice<UInt8>], table: URCTable = .standard) -> [ATEvent] {
        var decoder = ATResponseDecoder(urcTable: table)
        if let e = expectation { decoder.expect(e) }
        return chunks.flatMap { decoder.feed($0) }
    }
}

let csq = ATExpectation(command: "AT+CSQ", responsePrefixes: ["+CSQ:"])
let cmgs = ATExpectation(command: "AT+CMGS=23", responsePrefixes: ["+CMGS:"], expectsPrompt: true, echoes: ["0011AB"])
let cmgr = ATExpectation(command: "AT+CMGR=3", responsePrefixes: ["+CMGR:"])
let cmgl = ATExpectation(command: "AT+CMGL=4", responsePrefixes: ["+CMGL:"])
let plain = ATExpectation(command: "AT+CGSN")
let huaweiTable: URCTable = {
    var t = URCTable.standard
    t.add(VendorQuirks.huawei.urcPrefixes)
    return t
}()

let transcripts: [Transcript] = [
    Transcript("ok", csq, "\r\n+CSQ: 17,99\r\n\r\nOK\r\n", [.response("+CSQ: 17,99"), .final(.ok)]),
    Transcript("echo on", csq, "AT+CSQ\r\r\n+CSQ: 20,0\r\n\r\nOK\r\n", [.response("+CSQ: 20,0"), .final(.ok)]),
    Transcript("plain lines", plain, "\r\n356938035643809\r\n\r\nOK\r\n", [.response("356938035643809"), .final(.ok)]),
    Transcript("numeric V0", plain, "356938035643809\r\n0\r", [.response("356938035643809"), .final(.ok)]),
    Transcript("numeric error", plain, "4\r", [.final(.error)]),
    Transcript("error", csq, "\r\nERROR\r\n", [.final(.error)]),
    Transcript("cme numeric", csq, "\r\n+CME ERROR: 11\r\n", [.final(.cme(.simPINRequired, text: nil))]),
    Transcript("cme verbose", csq, "\r\n+CME ERROR: SIM PUK required\r\n",
               [.final(.cme(.simPUKRequired, text: "SIM PUK required"))]),
    Transcript("cme unknown text", csq, "\r\n+CME ERROR: flux capacitor\r\n", [.final(.cme(nil, text: "flux capacitor"))]),
    Transcript("cms", cmgs, "\r\n+CMS ERROR: 331\r\n", [.final(.cms(.noNetworkService, text: nil))]),
    Transcript("no carrier", plain, "\r\nNO CARRIER\r\n", [.final(.noCarrier)]),
    Transcript("prompt and mr", cmgs, "\r\n> 0011AB\r\n+CMGS: 42\r\n\r\nOK\r\n",
               [.prompt, .response("+CMGS: 42"), .final(.ok)]),
    Transcript("prompt no space", cmgs, "\r\n>", [.prompt]),
    Transcript("urc between command and result", csq,
               "\r\n+CMTI: \"SM\",3\r\n+CSQ: 5,99\r\nRING\r\n\r\nOK\r\n",
               [.urc(URC(line: "+CMTI: \"SM\",3")), .response("+CSQ: 5,99"), .urc(URC(line: "RING")), .final(.ok)]),
    Transcript("cmt with pdu mid-command", csq,
               "\r\n+CMT: ,24\r\n07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07\r\n+CSQ: 1,2\r\nOK\r\n",
               [.urc(URC(line: "+CMT: ,24", pdu: "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07")),
                .response("+CSQ: 1,2"), .final(.ok)]),
    Transcript("cds idle", nil, "\r\n+CDS: 25\r\n0006D60B911326880736F4111011719551401110117195714000\r\n",
               [.urc(URC(line: "+CDS: 25", pdu: "0006D60B911326880736F4111011719551401110117195714000"))]),
    Transcript("cmgr pdu line", cmgr, "\r\n+CMGR: 0,,24\r\n0791AABB\r\n\r\nOK\r\n",
               [.response("+CMGR: 0,,24"), .response("0791AABB"), .final(.ok)]),
    Transcript("cmgl two", cmgl, "\r\n+CMGL: 1,0,,3\r\nAABBCC\r\n+CMGL: 2,1,,2\r\nDDEE\r\n\r\nOK\r\n",
               [.response("+CMGL: 1,0,,3"), .response("AABBCC"), .response("+CMGL: 2,1,,2"), .response("DDEE"), .final(.ok)]),
    Transcript("garbage and nul", csq, "\u{0}\u{1B}\r\n\r\n+CSQ: 9,9\r\n\n\rOK\r\n", [.response("+CSQ: 9,9"), .final(.ok)]),
    Transcript("stray ok idle", nil, "\r\nOK\r\n", [.stray("OK")]),
    Transcript("huawei noise", csq, "\r\n^RSSI:17\r\n\r\n^BOOT:1234,0,0,0,72\r\n+CSQ: 17,99\r\n^MODE:5,4\r\nOK\r\n",
               [.urc(URC(line: "^RSSI:17")), .urc(URC(line: "^BOOT:1234,0,0,0,72")), .response("+CSQ: 17,99"),
                .urc(URC(line: "^MODE:5,4")), .final(.ok)]),
    Transcript("expected prefix beats urc table", ATExpectation(command: "AT+CPIN?", responsePrefixes: ["+CPIN:"]),
               "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n", [.response("+CPIN: SIM PIN"), .final(.ok)]),
    Transcript("reset indicator", nil, "\r\nRDY\r\n", [.urc(URC(line: "RDY"))]),
]

@Suite struct ATResponseDecoderTests {
    @Test(arguments: transcripts)
    func wholeBuffer(_ t: Transcript) {
        #expect(t.run(chunks: [t.bytes[...]], table: huaweiTable) == t.events)
    }

    @Test(arguments: transcripts)
    func everySplitPoint(_ t: Transcript) {
        for split in 0...t.bytes.count {
            let got = t.run(chunks: [t.bytes[..<split], t.bytes[split...]], table: huaweiTable)
            #expect(got == t.events, "split at \(split)")
        }
    }

    @Test(arguments: transcripts)
    func byteByByte(_ t: Transcript) {
        #expect(t.run(chunks: t.bytes.indices.map { t.bytes[$0...$0] }, table: huaweiTable) == t.events)
    }

    @Test(arguments: transcripts)
    func seededRandomChunking(_ t: Transcript) {
        var rng = SeededGenerator(seed: 0x5EED_0000 &+ UInt64(t.bytes.count))
        for _ in 0..<50 {
            var chunks: [ArraySlice<UInt8>] = []
            var i = 0
            while i < t.bytes.count {
                let n = Int.random(in: 1...7, using: &rng)
                chunks.append(t.bytes[i..<min(i + n, t.bytes.count)])
                i += n
            }
            #expect(t.run(chunks: chunks, table: huaweiTable) == t.events)
        }
    }

    @Test func overlongGarbageLineIsDroppedAndDecodingContinues() {
        var d = ATResponseDecoder()
        d.expect(csq)
        let junk = [UInt8](repeating: 0x41, count: ATResponseDecoder.maximumLineLength * 3)
        #expect(d.feed(junk).isEmpty)
        #expect(d.feed(Array("\r\n+CSQ: 1,1\r\nOK\r\n".utf8)) == [.response("+CSQ: 1,1"), .final(.ok)])
    }

    @Test func invalidUTF8NeverCrashes() {
        var rng = SeededGenerator(seed: 42)
        var d = ATResponseDecoder()
        for round in 0..<200 {
            if round % 10 == 0 { d.expect(csq) }
            let bytes = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = d.feed(bytes)
        }
        d.expect(csq)
        // Whatever garbage was pending becomes one response line; the command still completes.
        #expect(d.feed(Array("\r\nOK\r\n".utf8)).last == .final(.ok))
        #expect(!d.isAwaitingResult)
    }

    @Test func errorTablesNameEveryCode() {
        #expect(CMEError.simPINRequired.name == "SIM PIN required")
        #expect(CMEError(text: "incorrect password") == .incorrectPassword)
        #expect(CMEError(rawValue: 700).name == "manufacturer specific error 700")
        #expect(CMSError.memoryFull.name == "memory full")
        #expect(CMSError(text: "SIM busy") == .simBusy)
        #expect(CMSError(rawValue: 200).name == "TP failure cause 200")
        #expect(CMSError.noNetworkService.isTransient && !CMSError.unassignedNumber.isTransient)
        #expect(ATError(result: .cms(.scBusy, text: nil), command: "AT+CMGS=10") == .cms(.scBusy, command: "AT+CMGS=10"))
        #expect("\(ATError.cme(.simPUKRequired, command: "AT+CPIN?"))".contains("SIM PUK required"))
    }
}
