import Foundation
import SMSPDU
import Testing
@testable import ModemEmulator

/// Records a network's phone events; tests await a number of them (with a deadline, so a bug fails instead of hanging).
actor PhoneEventRecorder {
    private(set) var events: [PhoneEvent] = []
    private var waiters: [Int: (count: Int, continuation: CheckedContinuation<[PhoneEvent], any Error>)] = [:]
    private var nextWaiter = 0

    struct Timeout: Error, CustomStringConvertible {
        var wanted: Int
        var got: [PhoneEvent]
        var description: String { "timed out waiting for \(wanted) phone events; got \(got.count): \(got)" }
    }

    init(_ network: VirtualNetwork) async {
        let stream = await network.phoneEvents()
        Task { [weak self] in
            for await event in stream { await self?.record(event) }
        }
    }

    private func record(_ event: PhoneEvent) {
        events.append(event)
        for (id, waiter) in waiters where events.count >= waiter.count {
            waiters[id] = nil
            waiter.continuation.resume(returning: events)
        }
    }

    /// Waits until `count` events have arrived and returns all of them.
    func wait(count: Int, timeout: Duration = .seconds(10)) async throws -> [PhoneEvent] {
        if events.count >= count { return events }
        let id = nextWaiter
        nextWaiter += 1
        let deadline = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expire(id)
        }
        defer { deadline.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            waiters[id] = (count, continuation)
        }
    }

    private func expire(_ id: Int) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waiter.continuation.resume(throwing: Timeout(wanted: waiter.count, got: events))
    }

    /// The part deliveries among `events`.
    static func parts(_ events: [PhoneEvent]) -> [PhoneDelivery] {
        events.compactMap { if case .part(let delivery) = $0 { delivery } else { nil } }
    }

    /// The completed messages among `events`.
    static func messages(_ events: [PhoneEvent]) -> [PhoneMessage] {
        events.compactMap { if case .message(let message) = $0 { message } else { nil } }
    }
}

/// Sends `text` as concatenated SMS-SUBMITs (8-bit reference `reference`) and returns the `+CMGS` replies;
/// `afterEach` runs after each reply (e.g. to read the status report URC that follows it).
func sendMultipart(_ client: ATClient, to destination: String, text: String, reference: UInt8 = 7,
                   statusReport: Bool = false,
                   afterEach: (ATClient) async throws -> Void = { _ in }) async throws -> [String] {
    let plan = try SegmentPlanner.plan(text: text, options: SegmentationOptions(reference: .eightBit(reference)))
    var replies: [String] = []
    for submit in plan.submitPDUs(to: try Address(destination), statusReportRequest: statusReport) {
        let (length, bytes) = try PDU(tpdu: .submit(submit)).encode()
        #expect(try await client.command("AT+CMGS=\(length)") == "\r\n> ")
        client.write(Hex.encode(bytes) + "\u{1A}")
        replies.append(try await client.readFinal())
        try await afterEach(client)
    }
    return replies
}

/// Reads one `+CDS: <len>` URC and its PDU line, and decodes the status report.
func readStatusReport(_ client: ATClient) async throws -> StatusReportPDU {
    let text = try await client.read(until: "+CDS: ") + client.read(until: "\r\n") + client.read(until: "\r\n")
    guard case .statusReport(let report) = try pduLine(after: "+CDS:", in: "\r\n" + text).tpdu else {
        throw ATClientError.closed(received: "not a status report: \(text)")
    }
    return report
}

let longText = String(repeating: "Virtual phones reassemble concatenated parts. ", count: 5)

@Suite("Virtual phones")
struct PhoneTests {
    @Test("A phone gets a multipart message from a modem, reassembles it, and the sender gets TP-ST 0 reports")
    func multipartFromModem() async throws {
        try await withModems(1) { network, modems, clients in
            let alice = clients[0]
            try await network.setPhonePrefixes(["+1999"])
            let recorder = await PhoneEventRecorder(network)
            try await alice.setUp("ATE0", "AT+CNMI=2,1,0,1,0")
            var reports: [StatusReportPDU] = []
            let replies = try await sendMultipart(alice, to: "+19990001", text: longText, statusReport: true) { client in
                reports.append(try await readStatusReport(client))  // the +CDS follows the +CMGS final result
            }
            #expect(replies == ["\r\n+CMGS: 0\r\n\r\nOK\r\n", "\r\n+CMGS: 1\r\n\r\nOK\r\n"])
            #expect(reports.map(\.messageReference) == [0, 1])
            #expect(reports.allSatisfy { $0.recipient.description == "+19990001" && $0.status == 0 })

            let events = try await recorder.wait(count: 3)
            let parts = PhoneEventRecorder.parts(events)
            let submissions = await modems[0].sentMessages.map(\.submission)
            #expect(parts.map(\.submission) == submissions)
            #expect(Set(submissions).count == 2)
            #expect(parts.map { $0.part?.sequence } == [1, 2])
            #expect(parts.allSatisfy { $0.part?.total == 2 && $0.part?.reference == 7 && !$0.duplicate })
            #expect(parts.allSatisfy { $0.from == "+15550001" && $0.to == "+19990001" })
            let messages = PhoneEventRecorder.messages(events)
            #expect(messages.count == 1)
            #expect(messages.first?.content == .text(longText))
            #expect(messages.first?.totalParts == 2)
            #expect(messages.first?.submissions == submissions)

            let phone = try #require(await network.phone("+19990001"))
            #expect(phone.counts.receivedParts == 2)
            #expect(phone.counts.messages == 1)
            #expect(phone.counts.duplicates == 0)
            #expect(phone.incompleteMessages == 0)
            #expect(phone.deliveries.first?.tpduHex.isEmpty == false)
            #expect(await network.submissionCount == 2)
        }
    }

    @Test("The dup fault delivers each part twice with the same submission id; the copy is marked duplicate")
    func duplicates() async throws {
        try await withModems(1, faults: try Faults(parsing: "dup=1")) { network, modems, clients in
            let alice = clients[0]
            try await network.addPhone(number: "+19990002")
            let recorder = await PhoneEventRecorder(network)
            try await alice.setUp("ATE0")
            _ = try await sendMultipart(alice, to: "+19990002", text: longText)
            let events = try await recorder.wait(count: 5)
            let parts = PhoneEventRecorder.parts(events)
            #expect(parts.count == 4)
            let submissions = await modems[0].sentMessages.map(\.submission)
            for submission in submissions {
                let copies = parts.filter { $0.submission == submission }
                #expect(copies.map(\.duplicate) == [false, true])
                #expect(copies.first?.part == copies.last?.part)
            }
            let messages = PhoneEventRecorder.messages(events)
            #expect(messages.count == 1)
            #expect(messages.first?.content == .text(longText))
            let phone = try #require(await network.phone("+19990002"))
            #expect(phone.counts == { var c = PhoneCounts(); c.receivedParts = 4; c.messages = 1; c.duplicates = 2; return c }())
            #expect(await network.faultLog.filter { $0.kind == .duplication }.count == 2)
        }
    }

    @Test("Faults apply to phone traffic as to modems: loss drops, delay and reorder reorder; 8-bit data arrives as data")
    func faultsAndData() async throws {
        try await withModems(1, faults: try Faults(parsing: "loss=1")) { network, _, clients in
            let alice = clients[0]
            try await network.addPhone(number: "+19990004")
            let recorder = await PhoneEventRecorder(network)
            try await alice.setUp("ATE0")
            #expect(try await sendPDU(alice, to: "+19990004", text: "lost") == "\r\n+CMGS: 0\r\n\r\nOK\r\n")
            #expect(await network.phone("+19990004")?.counts.receivedParts == 0)
            #expect(await network.faultLog.map(\.kind) == [.loss])

            await network.setFaults(try Faults(parsing: "reorder=1,delay=10ms-20ms"))
            for text in ["first", "second"] { _ = try await sendPDU(alice, to: "+19990004", text: text) }
            let reordered = PhoneEventRecorder.messages(try await recorder.wait(count: 4))
            #expect(reordered.map(\.content) == [.text("second"), .text("first")])
            await network.setFaults(Faults())
            let data = SubmitPDU(destination: try Address("+19990004"), userData: UserData(bytes: [0xCA, 0xFE, 0x00]),
                                 dataCodingScheme: .eightBit)
            let (length, bytes) = try PDU(tpdu: .submit(data)).encode()
            #expect(try await alice.command("AT+CMGS=\(length)") == "\r\n> ")
            alice.write(Hex.encode(bytes) + "\u{1A}")
            #expect(try await alice.readFinal().contains("+CMGS: 3"))
            let messages = PhoneEventRecorder.messages(try await recorder.wait(count: 6))
            #expect(messages.map(\.content) == [.text("second"), .text("first"), .data([0xCA, 0xFE, 0x00])])
            #expect(await network.submissionCount == 4)  // the lost one was accepted too
        }
    }

    @Test("A rejecting prefix answers with a TP-ST 0x41 report and records nothing as received")
    func rejectPrefix() async throws {
        try await withModems(1) { network, _, clients in
            let alice = clients[0]
            try await network.setPhonePrefixes(["+1666"])
            try await network.setRejectPrefixes(["+1666"])  // wins over the phone prefix
            try await alice.setUp("ATE0", "AT+CNMI=2,1,0,1,0")
            #expect(try await sendPDU(alice, to: "+16660001", text: "nobody wants this", statusReport: true)
                    == "\r\n+CMGS: 0\r\n\r\nOK\r\n")
            let report = try await readStatusReport(alice)
            #expect(report.status == 0x41)
            #expect(report.messageReference == 0)
            #expect(report.recipient.description == "+16660001")
            #expect(await network.phone("+16660001") == nil)
            #expect(await network.phones.isEmpty)
            #expect(await network.rejectedCount == 1)
            #expect(await network.deliveryLog.count == 1)  // only the report, to the sender
            #expect(try await sendPDU(alice, to: "+17770001", text: "unassigned") == "\r\n+CMS ERROR: 1\r\n")
            await #expect(throws: EmulatorError.invalidPrefix("12a")) { try await network.setRejectPrefixes(["12a"]) }
        }
    }

    @Test("phoneSend delivers a multipart message to a modem: +CMTI per part, AT+CMGL shows both, references count up")
    func phoneSendToModem() async throws {
        try await withModems(1) { network, modems, clients in
            let bob = clients[0]
            try await network.setPhonePrefixes(["+1999"])
            try await bob.setUp("ATE0", "AT+CMGF=0")
            let first = try await network.phoneSend(from: "+19990007", to: "+15550001", text: longText)
            #expect(first.count == 2)
            try await bob.read(until: "+CMTI: \"SM\",1\r\n")
            try await bob.read(until: "+CMTI: \"SM\",2\r\n")
            let list = try await bob.command("AT+CMGL=4")
            let lines = list.components(separatedBy: "\r\n")
            let pdus = try lines.indices.filter { lines[$0].hasPrefix("+CMGL: ") }.map { try PDU(hex: lines[$0 + 1]) }
            #expect(pdus.count == 2)
            let delivers = pdus.compactMap { pdu -> DeliverPDU? in if case .deliver(let d) = pdu.tpdu { d } else { nil } }
            #expect(delivers.allSatisfy { $0.originator.description == "+19990007" })
            let concatenation = delivers.compactMap { $0.userData.header?.concatenation }
            #expect(concatenation.map(\.sequence) == [1, 2])
            #expect(concatenation.allSatisfy { $0.total == 2 && $0.reference == 0 })
            #expect(UserData.joinedText(delivers.map(\.userData)) == longText)

            // The next message from the same phone uses reference 1; a dup fault delivers its part twice.
            await network.setFaults(try Faults(parsing: "dup=1"))
            let second = try await network.phoneSend(from: "+19990007", to: "+15550001", text: longText)
            #expect(second.count == 2 && Set(first + second).count == 4)
            try await bob.read(until: "+CMTI: \"SM\",6\r\n")
            let stored = await modems[0].storedMessages().compactMap { entry -> Concatenation? in
                guard case .deliver(let d)? = try? PDU(bytes: entry.message.pdu).tpdu else { return nil }
                return d.userData.header?.concatenation
            }
            #expect(stored.map(\.reference) == [0, 0, 1, 1, 1, 1])
            #expect(stored.map(\.sequence) == [1, 2, 1, 1, 2, 2])
            let phone = try #require(await network.phone("+19990007"))
            #expect(phone.counts.sentMessages == 2 && phone.counts.sentParts == 4)
            await #expect(throws: EmulatorError.unknownPhone("+15550001")) {
                try await network.phoneSend(from: "+15550001", to: "+15550001", text: "a modem is no phone")
            }
            await #expect(throws: EmulatorError.unassignedNumber("+4400")) {
                try await network.phoneSend(from: "+19990007", to: "+4400", text: "nobody")
            }
        }
    }

    @Test("Transcripts, sent messages, delivery logs and phone logs stay within their limits; counts go on")
    func boundedLogs() async throws {
        var configuration = NetworkConfiguration()
        configuration.logLimit = 5
        try await withModems(1, configuration: configuration, logLimit: 5) { network, modems, clients in
            let alice = clients[0]
            try await network.addPhone(number: "+19990003")
            try await alice.setUp("ATE0", "AT+CNMI=2,0,0,0,0")
            for index in 0..<12 {
                #expect(try await sendPDU(alice, to: "+19990003", text: "message \(index)").contains("+CMGS:"))
                try await network.phoneSend(from: "+19990003", to: "+15550001", text: "reply \(index)")
            }
            let modem = modems[0]
            #expect(await modem.sentMessages.count == 5)
            #expect(await modem.sentMessages.appendedCount == 12)
            #expect(await modem.sentMessages.last?.reference == 11)
            #expect(await modem.transcript.count == 5)
            #expect(await modem.transcript.appendedCount > 12)
            let log = await network.deliveryLog
            #expect(log.count == 5 && log.appendedCount == 12 && log.droppedCount == 7)
            let phone = try #require(await network.phone("+19990003"))
            #expect(phone.deliveries.count == 5 && phone.messages.count == 5)
            #expect(phone.messages.map { $0.content.text ?? "" } == (7..<12).map { "message \($0)" })
            #expect(phone.counts.receivedParts == 12 && phone.counts.messages == 12)
        }
    }

    @Test("1,000 messages each way between 4 modems and phones in seconds")
    func throughput() async throws {
        try await withModems(4) { network, modems, clients in
            try await network.setPhonePrefixes(["+1999"])
            for client in clients { try await client.setUp("ATE0", "AT+CNMI=2,2,0,0,0") }
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, client) in clients.enumerated() {
                    group.addTask {
                        for message in 0..<250 {
                            let reply = try await sendPDU(client, to: "+1999000\(index)", text: "m\(message) from \(index)")
                            #expect(reply.contains("+CMGS:"))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let outbound = ContinuousClock.now - start
            for message in 0..<250 {
                for (index, modem) in modems.enumerated() {
                    try await network.phoneSend(from: "+1999000\(index)", to: modem.number, text: "r\(message)")
                }
            }
            let total = ContinuousClock.now - start
            print("throughput: 1,000 modem→phone in \(outbound), +1,000 phone→modem in \(total - outbound)")
            #expect(await network.phoneCounts.messages == 1000)
            #expect(await network.deliveryLog.appendedCount == 1000)  // +CMT to the modems' clients
            #expect(total < .seconds(60))
        }
    }
}
