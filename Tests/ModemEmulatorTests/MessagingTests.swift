import Foundation
import SMSPDU
import Testing
@testable import ModemEmulator

/// Hex of an SMS-SUBMIT (with an empty SMSC field) and the TPDU length `AT+CMGS` wants.
func submitHex(to destination: String, text: String, statusReport: Bool = false,
               header: UserDataHeader? = nil) throws -> (length: Int, hex: String) {
    let dcs: DataCodingScheme = GSM7Alphabet.default.canEncode(text) ? .gsm7 : .ucs2
    let submit = SubmitPDU(destination: try Address(destination), userData: UserData(header: header, text: text),
                           dataCodingScheme: dcs, statusReportRequest: statusReport)
    let (length, bytes) = try PDU(tpdu: .submit(submit)).encode(includeSMSC: true)
    return (length, Hex.encode(bytes))
}

/// Sends an SMS in PDU mode and returns the `+CMGS` reply.
func sendPDU(_ client: ATClient, to destination: String, text: String, statusReport: Bool = false,
             header: UserDataHeader? = nil) async throws -> String {
    let (length, hex) = try submitHex(to: destination, text: text, statusReport: statusReport, header: header)
    #expect(try await client.command("AT+CMGS=\(length)") == "\r\n> ")
    client.write(hex + "\u{1A}")
    return try await client.readFinal()
}

/// The PDU line following a `+CMGR:`/`+CMT:`/`+CDS:` header in `reply`.
func pduLine(after prefix: String, in reply: String) throws -> PDU {
    let lines = reply.components(separatedBy: "\r\n")
    let index = try #require(lines.firstIndex { $0.hasPrefix(prefix) })
    return try PDU(hex: lines[index + 1])
}

@Suite("SMS between virtual modems over real PTYs")
struct MessagingTests {
    @Test("PDU mode: +CMGS on one modem, +CMTI and AT+CMGR on the other, SCTS from the clock")
    func pduModeSend() async throws {
        try await withModems(2) { network, modems, clients in
            let (alice, bob) = (clients[0], clients[1])
            try await alice.setUp("ATE0", "AT+CMGF=0")
            try await bob.setUp("ATE0", "AT+CMGF=0", "AT+CNMI=2,1,0,0,0")
            let reply = try await sendPDU(alice, to: "+15550002", text: "Hello Bob 😀")
            #expect(reply == "\r\n+CMGS: 0\r\n\r\nOK\r\n")
            #expect(try await bob.read(until: "+CMTI: \"SM\",1\r\n") == "\r\n+CMTI: \"SM\",1\r\n")
            let read = try await bob.command("AT+CMGR=1")
            #expect(read.hasPrefix("\r\n+CMGR: 0,,"))
            let pdu = try pduLine(after: "+CMGR:", in: read)
            guard case .deliver(let deliver) = pdu.tpdu else { Issue.record("not a deliver: \(pdu)"); return }
            #expect(deliver.originator.description == "+15550001")
            #expect(deliver.userData.text == "Hello Bob 😀")
            #expect(deliver.dataCodingScheme.alphabet == .ucs2)
            #expect(pdu.smsc?.description == "+15550000")
            #expect(deliver.serviceCentreTimestamp.iso8601.hasPrefix("2024-05-01T12:00"))
            #expect(try await bob.command("AT+CMGR=1").hasPrefix("\r\n+CMGR: 1,,"))  // now read
            let sent = await modems[0].sentMessages
            #expect(sent.map(\.destination) == ["+15550002"])
            #expect(await network.deliveryLog.count == 1)
        }
    }

    @Test("Text mode: AT+CMGS with a prompt per line, Ctrl-Z sends, ESC cancels; CMGR/CMGL in text")
    func textModeSend() async throws {
        try await withModems(2) { _, _, clients in
            let (alice, bob) = (clients[0], clients[1])
            try await alice.setUp("ATE0", "AT+CMGF=1", "AT+CSCS=\"GSM\"")
            try await bob.setUp("ATE0", "AT+CMGF=1", "AT+CSDH=0")
            #expect(try await alice.command("AT+CMGS=\"+15550002\"") == "\r\n> ")
            alice.write("first line\r")
            #expect(try await alice.read(until: "> ") == "\r\n> ")
            alice.write("second\u{1A}")
            #expect(try await alice.readFinal() == "\r\n+CMGS: 0\r\n\r\nOK\r\n")
            #expect(try await bob.read(until: "+CMTI: \"SM\",1\r\n").contains("+CMTI"))
            let read = try await bob.command("AT+CMGR=1")
            #expect(read.hasPrefix("\r\n+CMGR: \"REC UNREAD\",\"+15550001\",,\"24/05/01,12:00:"))
            #expect(read.contains("\r\nfirst line\nsecond\r\n"))
            // ESC cancels: nothing is sent.
            #expect(try await alice.command("AT+CMGS=\"+15550002\"") == "\r\n> ")
            alice.write("never\u{1B}")
            #expect(try await alice.readFinal() == "\r\nOK\r\n")
            let list = try await bob.command("AT+CMGL=\"ALL\"")
            #expect(list.hasPrefix("\r\n+CMGL: 1,\"REC READ\",\"+15550001\",,\""))
            #expect(!list.contains("never"))
            // UCS2 character set: hex in, hex out.
            try await alice.setUp("AT+CSCS=\"UCS2\"", "AT+CSMP=17,167,0,8")
            #expect(try await alice.command("AT+CMGS=\"002B00310035003500350030003000300032\"") == "\r\n> ")
            alice.write(Hex.encode(UCS2.encode("Grüße 😀")) + "\u{1A}")
            #expect(try await alice.readFinal() == "\r\n+CMGS: 1\r\n\r\nOK\r\n")
            #expect(try await bob.read(until: "+CMTI: \"SM\",2\r\n").contains("+CMTI"))
            let second = try await bob.command("AT+CMGR=2")
            #expect(second.contains("\r\n" + Hex.encode(UCS2.encode("Grüße 😀")) + "\r\n"))
        }
    }

    @Test("+CMT with AT+CSMS=1 needs AT+CNMA; without a pending message AT+CNMA fails with 340")
    func directRoutingAndAck() async throws {
        try await withModems(2) { _, _, clients in
            let (alice, bob) = (clients[0], clients[1])
            try await alice.setUp("ATE0")
            try await bob.setUp("ATE0", "AT+CSMS=1", "AT+CNMI=2,2,0,0,0", "AT+CMEE=1")
            #expect(try await bob.command("AT+CNMA") == "\r\n+CMS ERROR: 340\r\n")
            _ = try await sendPDU(alice, to: "+15550002", text: "direct")
            let urc = try await bob.read(until: "\r\n", timeout: .seconds(5)) + bob.read(until: "\r\n") + bob.read(until: "\r\n")
            #expect(urc.hasPrefix("\r\n+CMT: ,"))
            let pdu = try pduLine(after: "+CMT:", in: urc)
            guard case .deliver(let deliver) = pdu.tpdu else { Issue.record("not a deliver"); return }
            #expect(deliver.userData.text == "direct")
            // A second message waits at the SMSC until the first is acknowledged.
            _ = try await sendPDU(alice, to: "+15550002", text: "second")
            #expect(bob.unread().isEmpty)
            #expect(try await bob.command("AT+CNMA") == "\r\nOK\r\n")
            let next = try await bob.read(until: "+CMT: ,") + bob.read(until: "\r\n") + bob.read(until: "\r\n")
            #expect(next.contains("+CMT: ,"))
            #expect(try await bob.command("AT+CNMA") == "\r\nOK\r\n")
            #expect(try await bob.command("AT+CPMS?") == "\r\n+CPMS: \"SM\",0,30,\"SM\",0,30,\"SM\",0,30\r\n\r\nOK\r\n")
        }
    }

    @Test("Missing AT+CNMA: routing switches off and the message is stored")
    func acknowledgementTimeout() async throws {
        var configuration = NetworkConfiguration()
        configuration.acknowledgementTimeout = .milliseconds(100)
        try await withModems(2, configuration: configuration) { _, modems, clients in
            let (alice, bob) = (clients[0], clients[1])
            try await alice.setUp("ATE0")
            try await bob.setUp("ATE0", "AT+CSMS=1", "AT+CNMI=2,2,0,0,0")
            _ = try await sendPDU(alice, to: "+15550002", text: "unacked")
            try await bob.read(until: "+CMT: ,")
            for _ in 0..<100 where await modems[1].storedMessages().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await bob.command("AT+CNMI?").contains("+CNMI: 2,0,0,0,0"))
            #expect(await modems[1].storedMessages().count == 1)
        }
    }

    @Test("Status reports: TP-SRR gives +CDS (ds=1) or +CDSI in SR (ds=2), matched to the TP-MR")
    func statusReports() async throws {
        try await withModems(2) { _, _, clients in
            let (alice, bob) = (clients[0], clients[1])
            try await alice.setUp("ATE0", "AT+CNMI=2,1,0,1,0")
            try await bob.setUp("ATE0")
            #expect(try await sendPDU(alice, to: "+15550002", text: "one") == "\r\n+CMGS: 0\r\n\r\nOK\r\n")
            #expect(try await sendPDU(alice, to: "+15550002", text: "two", statusReport: true) == "\r\n+CMGS: 1\r\n\r\nOK\r\n")
            let cds = try await alice.read(until: "+CDS: ") + alice.read(until: "\r\n") + alice.read(until: "\r\n")
            let report = try pduLine(after: "+CDS:", in: "\r\n" + cds)
            guard case .statusReport(let status) = report.tpdu else { Issue.record("not a report"); return }
            #expect(status.messageReference == 1)
            #expect(status.recipient.description == "+15550002")
            #expect(status.status == 0)
            try await alice.setUp("AT+CNMI=2,1,0,2,0")
            #expect(try await sendPDU(alice, to: "+15550002", text: "three", statusReport: true) == "\r\n+CMGS: 2\r\n\r\nOK\r\n")
            #expect(try await alice.read(until: "+CDSI: \"SR\",1\r\n").hasSuffix("+CDSI: \"SR\",1\r\n"))
            try await alice.setUp("AT+CPMS=\"SR\"")
            let stored = try await alice.command("AT+CMGR=1")
            guard case .statusReport(let storedReport) = try pduLine(after: "+CMGR:", in: stored).tpdu else {
                Issue.record("not a report"); return
            }
            #expect(storedReport.messageReference == 2)
            try await alice.setUp("AT+CMGF=1")
            #expect(try await alice.command("AT+CMGR=1").hasPrefix("\r\n+CMGR: \"REC READ\",6,2,\"+15550002\",145,\""))
        }
    }

    @Test("SR full: a status report waits at the SMSC (memory capacity exceeded) and is stored once a report is deleted")
    func statusReportMemoryFull() async throws {
        try await withModems(2) { _, modems, clients in
            let (alice, bob) = (clients[0], clients[1])
            try await alice.setUp("ATE0", "AT+CNMI=2,1,0,0,0")  // ds=0: reports stored in SR silently
            try await bob.setUp("ATE0")
            for i in 0..<21 { _ = try await sendPDU(alice, to: "+15550002", text: "r\(i)", statusReport: true) }
            #expect(await modems[0].storedMessages(in: .sr).count == 20, "SR holds 20; the 21st waits at the SMSC")
            try await alice.setUp("AT+CPMS=\"SR\"", "AT+CMGD=1")
            let stored = await modems[0].storedMessages(in: .sr)
            #expect(stored.count == 20, "the waiting report took the freed slot")
            guard case .statusReport(let late) = try pduLine(after: "+CMGR:", in: try await alice.command("AT+CMGR=1")).tpdu else {
                Issue.record("not a report"); return
            }
            #expect(late.messageReference == 20, "the report that waited is the 21st")
        }
    }

    @Test("Concatenated parts keep their UDH; unknown numbers, bad PDUs and a missing SMSC give +CMS ERROR")
    func concatenationAndErrors() async throws {
        try await withModems(2) { _, modems, clients in
            let (alice, bob) = (clients[0], clients[1])
            try await alice.setUp("ATE0", "AT+CMEE=1")
            try await bob.setUp("ATE0")
            let plan = try SegmentPlanner.plan(text: String(repeating: "long message ", count: 20),
                                               options: SegmentationOptions(reference: .eightBit(7)))
            #expect(plan.segmentCount == 2)
            for submit in plan.submitPDUs(to: try Address("+15550002")) {
                let (length, bytes) = try PDU(tpdu: .submit(submit)).encode()
                #expect(try await alice.command("AT+CMGS=\(length)") == "\r\n> ")
                alice.write(Hex.encode(bytes) + "\u{1A}")
                #expect(try await alice.readFinal().contains("+CMGS:"))
            }
            try await bob.read(until: "+CMTI: \"SM\",2\r\n")
            let parts = await modems[1].storedMessages().compactMap { entry -> Concatenation? in
                guard case .deliver(let deliver)? = try? PDU(bytes: entry.message.pdu).tpdu else { return nil }
                return deliver.userData.header?.concatenation
            }
            #expect(parts.map(\.sequence) == [1, 2])
            #expect(parts.allSatisfy { $0.total == 2 && $0.reference == 7 })

            #expect(try await sendPDU(alice, to: "+19999999", text: "nobody") == "\r\n+CMS ERROR: 1\r\n")
            #expect(try await alice.command("AT+CMGS=5") == "\r\n> ")
            alice.write("00112233\u{1A}")
            #expect(try await alice.readFinal() == "\r\n+CMS ERROR: 304\r\n")
            #expect(try await alice.command("AT+CMGS=3") == "\r\n> ")
            alice.write("0011XYZ\u{1A}")
            #expect(try await alice.readFinal() == "\r\n+CMS ERROR: 304\r\n")
            try await alice.setUp("AT+CSCA=\"\"", "AT+CMGF=1")
            #expect(try await alice.command("AT+CMGS=\"+15550002\"") == "\r\n> ")
            alice.write("no smsc\u{1A}")
            #expect(try await alice.readFinal() == "\r\n+CMS ERROR: 330\r\n")
            #expect(try await alice.command("AT+CMGS=\"not a number\"") == "\r\n+CMS ERROR: 305\r\n")
            #expect(try await alice.command("AT+CMGR=0") == "\r\n+CMS ERROR: 321\r\n")
        }
    }

    @Test("Storage: CPMS set/query, CMGW/CMSS, CMGL by status, CMGD with flags, memory full and redelivery")
    func storage() async throws {
        try await withModems(2, simCapacity: 2) { network, modems, clients in
            let (alice, bob) = (clients[0], clients[1])
            try await alice.setUp("ATE0", "AT+CMEE=1")
            try await bob.setUp("ATE0", "AT+CMEE=1")
            #expect(try await bob.command("AT+CPMS=\"ME\",\"SM\",\"SM\"") == "\r\n+CPMS: 0,50,0,2,0,2\r\n\r\nOK\r\n")
            #expect(try await bob.command("AT+CPMS=\"XX\"") == "\r\n+CMS ERROR: 303\r\n")
            try await bob.setUp("AT+CPMS=\"SM\",\"SM\",\"SM\"")
            for text in ["a", "b", "c"] { _ = try await sendPDU(alice, to: "+15550002", text: text) }
            try await bob.read(until: "+CMTI: \"SM\",2\r\n")
            #expect(try await bob.command("AT+CPMS?") == "\r\n+CPMS: \"SM\",2,2,\"SM\",2,2,\"SM\",2,2\r\n\r\nOK\r\n")
            #expect(try await bob.command("AT+CMGW=5") == "\r\n> ")
            bob.write("0011000B915155000010F20000AA0161\u{1A}")  // any valid 16-octet SMS-SUBMIT? length is checked
            #expect(try await bob.readFinal() == "\r\n+CMS ERROR: 304\r\n")
            let (length, hex) = try submitHex(to: "+15550001", text: "stored")
            #expect(try await bob.command("AT+CMGW=\(length)") == "\r\n> ")
            bob.write(hex + "\u{1A}")
            #expect(try await bob.readFinal() == "\r\n+CMS ERROR: 322\r\n")
            // Reading both marks them read; delete read ones: the waiting third message arrives.
            let list = try await bob.command("AT+CMGL=4")
            #expect(list.components(separatedBy: "+CMGL: ").count == 3)
            #expect(try await bob.command("AT+CMGL=0") == "\r\nOK\r\n")
            #expect(try await bob.command("AT+CMGD=?") == "\r\n+CMGD: (1,2),(0-4)\r\n\r\nOK\r\n")
            #expect(try await bob.command("AT+CMGD=1") == "\r\nOK\r\n")
            try await bob.read(until: "+CMTI: \"SM\",1\r\n")
            #expect(try await bob.command("AT+CMGD=1,1") == "\r\nOK\r\n")  // deletes index 2 (read), keeps the new unread one
            let stored = await modems[1].storedMessages()
            #expect(stored.map(\.index) == [1])
            #expect(stored.first?.message.status == .receivedUnread)
            #expect(try await bob.command("AT+CMGD=1,4") == "\r\nOK\r\n")
            #expect(await modems[1].storedMessages().isEmpty)
            // CMGW then CMSS sends a stored message.
            #expect(try await bob.command("AT+CMGW=\(length)") == "\r\n> ")
            bob.write(hex + "\u{1A}")
            #expect(try await bob.readFinal() == "\r\n+CMGW: 1\r\n\r\nOK\r\n")
            #expect(try await bob.command("AT+CMSS=1") == "\r\n+CMSS: 0\r\n\r\nOK\r\n")
            #expect(try await bob.command("AT+CMGL=3").hasPrefix("\r\n+CMGL: 1,3,,"))
            #expect(try await bob.command("AT+CMSS=2") == "\r\n+CMS ERROR: 321\r\n")
            try await alice.read(until: "+CMTI: \"SM\",1\r\n")
            #expect(await network.deliveryLog.count == 4)
        }
    }

    @Test("injectIncoming delivers text (concatenated when long) and raw PDUs")
    func injection() async throws {
        try await withModems(1) { network, modems, clients in
            let client = clients[0]
            try await client.setUp("ATE0")
            try await network.injectIncoming(to: "+15550001", from: "+4912345", text: String(repeating: "x", count: 200))
            try await client.read(until: "+CMTI: \"SM\",2\r\n")
            let hex = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"
            try await network.injectIncoming(to: "+15550001", pduHex: hex)
            try await client.read(until: "+CMTI: \"SM\",3\r\n")
            #expect(try await client.command("AT+CMGR=3") == "\r\n+CMGR: 0,,\(hex.count / 2 - 8)\r\n\(hex)\r\n\r\nOK\r\n")
            await #expect(throws: EmulatorError.self) { try await network.injectIncoming(to: "+1", from: "+2", text: "x") }
            #expect(await modems[0].storedMessages().count == 3)
        }
    }
}
