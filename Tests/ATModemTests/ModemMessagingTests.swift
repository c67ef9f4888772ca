import Foundation
import Testing
import SMSPDU
@testable import ATModem

/// A fake modem with a SIM store; `extra` answers other commands first.
func storeModem(_ store: FakeStore, csms: Int = 0, extra: @escaping @Sendable (String, FakeModem) -> String? = { _, _ in nil }) throws -> FakeModem {
    try FakeModem(script: standardScript { c, m in
        if let e = extra(c, m) { return e }
        if c == "AT+CSMS?" { return "\r\n+CSMS: \(csms),1,1,1\r\n\r\nOK\r\n" }
        return store.answer(c)
    })
}

@Suite struct ModemMessagingTests {
    @Test func storedMessagesAreReadAtStartAndDeletedOnlyAfterAcknowledge() async throws {
        let store = FakeStore()
        for pdu in try PDUFactory.deliver(text: "offline hello", from: "+41791234567") { _ = store.store(pdu) }
        let fake = try storeModem(store)
        let modem = try await openModem([fake])
        var inbox = modem.incoming.makeAsyncIterator()
        let m = try #require(await inbox.next())
        #expect(m.text == "offline hello" && m.sender == "+41791234567" && m.isComplete)
        #expect(m.smsc == "+79031711111")
        #expect(store.indices == [1])
        #expect(!fake.commands.contains { $0.hasPrefix("AT+CMGD") })
        try await m.acknowledge()
        #expect(store.indices.isEmpty)
        await modem.close()
    }

    @Test func multipartOutOfOrderWithDuplicateAndURCNoise() async throws {
        let store = FakeStore()
        let fake = try storeModem(store)
        let modem = try await openModem([fake])
        let text = String(repeating: "Grüße aus Zürich 🎉 ", count: 12)
        let parts = try PDUFactory.deliver(text: text, from: "+41790000001", reference: 99)
        #expect(parts.count > 3)
        let order = Array(parts.indices.reversed()) + [1]  // reversed, then a duplicate of part 2
        for i in order {
            let index = store.store(parts[i])
            fake.inject("\r\n^RSSI:12\r\n+CMTI: \"SM\",\(index)\r\n")
        }
        var inbox = modem.incoming.makeAsyncIterator()
        let m = try #require(await inbox.next())
        #expect(m.text == text)
        #expect(m.totalParts == parts.count && m.isComplete)
        await fake.waitFor { inputs in inputs.filter { $0 == .command("AT+CMGR=\(order.count)") }.count == 1 }
        await fake.waitFor { $0.contains(.command("AT+CMGD=\(order.count)")) }  // duplicate deleted at once
        try await m.acknowledge()
        #expect(store.indices.isEmpty)
        await modem.close()
    }

    @Test func incompleteMessageIsSurfacedAfterTimeoutNotDropped() async throws {
        let store = FakeStore()
        let fake = try storeModem(store)
        var config = testConfiguration()
        config.reassemblyTimeout = .seconds(1)  // the reassembly timer runs on the modem's clock
        let modem = try await openModem([fake], configuration: config)
        let parts = try PDUFactory.deliver(text: String(repeating: "x", count: 400), from: "+41790000002")
        #expect(parts.count == 3)
        for i in [0, 2] { fake.inject("\r\n+CMTI: \"SM\",\(store.store(parts[i]))\r\n") }
        var inbox = modem.incoming.makeAsyncIterator()
        let m = try #require(await inbox.next())
        #expect(!m.isComplete && m.receivedParts == [1, 3] && m.totalParts == 3)
        #expect(m.text == String(repeating: "x", count: 247))
        #expect(store.indices == [1, 2])  // still on the SIM until acknowledged
        try await m.acknowledge()
        #expect(store.indices.isEmpty)
        await modem.close()
    }

    @Test func directDeliveryIsAcknowledgedWithCNMA() async throws {
        let store = FakeStore()
        let fake = try storeModem(store, csms: 1)
        let modem = try await openModem([fake])
        let pdu = try #require(try PDUFactory.deliver(text: "direct", from: "+41790000003").first)
        fake.inject("\r\n+CMT: ,\(PDUFactory.tpduLength(pdu))\r\n\(pdu)\r\n")
        var inbox = modem.incoming.makeAsyncIterator()
        #expect(await inbox.next()?.text == "direct")
        await fake.waitFor { $0.contains(.command("AT+CNMA")) }
        #expect(fake.commands.contains("AT+CNMA"))
        await modem.close()
    }

    @Test func sendSubmitsEveryPartAndMatchesDeliveryReports() async throws {
        let mr = Locked(40)
        let store = FakeStore()
        let fake = try storeModem(store) { c, m in
            if c.hasPrefix("AT+CMGS=") { m.expectPDU(); return "\r\n> " }
            return nil
        }
        // Answer each PDU with the next reference.
        let sender = try FakeModem(script: { input, m in
            switch input {
            case .pdu: mr.value += 1; return "\r\n+CMGS: \(mr.value)\r\n\r\nOK\r\n"
            case .command(let c): return standardScript()(.command(c), m)
            }
        })
        _ = fake
        let modem = try await openModem([sender])
        let text = String(repeating: "long message ", count: 30)
        let receipt = try await modem.send(text: text, to: "+41790000004", options: .init(requestDeliveryReport: true))
        #expect(receipt.references == [41, 42, 43])
        let pdus = sender.received.compactMap { if case .pdu(let p) = $0 { return p } else { return nil } }
        #expect(pdus.count == 3)
        let lengths = sender.commands.filter { $0.hasPrefix("AT+CMGS=") }.compactMap { Int($0.dropFirst(8)) }
        #expect(lengths == pdus.map(PDUFactory.tpduLength))
        let decoded = try pdus.map { try PDU(hex: $0) }
        guard case .submit(let s) = decoded[0].tpdu else { Issue.record("not a submit"); return }
        #expect(s.statusReportRequest)
        for (i, ref) in [43, 41, 42].enumerated() {
            let sr = try PDUFactory.statusReport(reference: UInt8(ref), recipient: "+41790000004", status: i == 0 ? 0x20 : 0)
            sender.inject("\r\n+CDS: \(PDUFactory.tpduLength(sr))\r\n\(sr)\r\n")
        }
        let final = try PDUFactory.statusReport(reference: 43, recipient: "+41790000004", status: 0)
        sender.inject("\r\n+CDS: \(PDUFactory.tpduLength(final))\r\n\(final)\r\n")
        let report = try await modem.deliveryReport(for: receipt, timeout: .seconds(10))
        #expect(report.status == .delivered && report.references == [41, 42, 43])
        var reports = modem.deliveryReports.makeAsyncIterator()
        #expect(await reports.next()?.messageID == receipt.messageID)
        await modem.close()
    }

    @Test func transientErrorsAreRetriedPermanentOnesThrown() async throws {
        let failures = Locked(0)
        let fake = try FakeModem(script: { input, m in
            switch input {
            case .pdu(let p):
                if p.contains("919471") { return "\r\n+CMS ERROR: 1\r\n" }  // +491700...: unassigned
                failures.value += 1
                return failures.value <= 2 ? "\r\n+CMS ERROR: 42\r\n" : "\r\n+CMGS: 9\r\n\r\nOK\r\n"
            case .command(let c): return standardScript()(.command(c), m)
            }
        })
        let modem = try await openModem([fake])
        let receipt = try await modem.send(data: [1, 2, 3], to: "+41790000005", ports: (destination: 16000, source: 16001))
        #expect(receipt.references == [9])
        #expect(failures.value == 3)
        await #expect(throws: ModemError.command(.cms(.unassignedNumber, command: "AT+CMGS=20"))) {
            _ = try await modem.send(text: "nobody", to: "+4917000000001")
        }
        await #expect(throws: ModemError.invalidRecipient("not a number")) {
            _ = try await modem.send(text: "x", to: "not a number")
        }
        await modem.close()
    }
}
