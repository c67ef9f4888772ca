import Foundation
import SMSPDU
import Testing
@testable import ModemEmulator

@Suite("Seeded faults")
struct FaultTests {
    /// What one faulty run produced: every fault event, the messages that arrived, and the sender's replies.
    struct RunRecord: Equatable {
        var networkFaults: [FaultEvent]
        var senderFaults: [FaultEvent]
        var receivedTexts: [String]
        var replies: [String]
    }

    /// Sends 12 messages from +15550001 to +15550002 under `faults` and records what happened.
    func run(seed: UInt64, faults: Faults) async throws -> RunRecord {
        var record = RunRecord(networkFaults: [], senderFaults: [], receivedTexts: [], replies: [])
        try await withModems(2, seed: seed, faults: faults) { network, modems, clients in
            let (alice, bob) = (clients[0], clients[1])
            try await bob.setUp("ATE0", "AT+CNMI=2,0,0,0,0")  // store silently: bob's reads stay quiet
            for index in 0..<12 {
                let (length, hex) = try submitHex(to: "+15550002", text: "message \(index)")
                alice.write("AT+CMGS=\(length)\r")
                try await alice.read(until: "> ")
                alice.write(hex + "\u{1A}")
                let reply = try await alice.readFinal()
                record.replies.append(reply)
            }
            record.networkFaults = Array(await network.faultLog)
            record.senderFaults = Array(await modems[0].faultLog)
            record.receivedTexts = await modems[1].storedMessages().map { entry in
                guard case .deliver(let deliver)? = try? PDU(bytes: entry.message.pdu).tpdu else { return "?" }
                return deliver.userData.text ?? "?"
            }
        }
        return record
    }

    @Test("Loss, duplication, corruption, SMSC errors, slow replies, interleaved URCs and noise repeat with the seed")
    func reproducibleBySeed() async throws {
        let faults = try Faults(parsing: "loss=0.2,dup=0.4,corrupt=0.2,smsc-error=0.2,slow=0.3,slow-delay=10ms-20ms,urc=0.3,noise=0.3")
        let first = try await run(seed: 7, faults: faults)
        let second = try await run(seed: 7, faults: faults)
        let other = try await run(seed: 8, faults: faults)
        #expect(first == second)
        #expect(first != other)
        let kinds = Set((first.networkFaults + first.senderFaults + other.networkFaults + other.senderFaults).map(\.kind))
        #expect(kinds.isSuperset(of: [.loss, .duplication, .corruption, .smscError, .slowReply, .urcInterleave, .noise]))
        // Every rejected submit printed a network +CMS ERROR; every noise line and interleaved URC reached the client.
        let rejected = first.replies.filter { $0.contains("+CMS ERROR: ") }
        #expect(rejected.count == first.networkFaults.filter { $0.kind == .smscError }.count)
        let lost = first.networkFaults.filter { $0.kind == .loss }.count
        let duplicated = first.networkFaults.filter { $0.kind == .duplication }.count
        #expect(first.receivedTexts.count == 12 - rejected.count - lost + duplicated)
    }

    @Test("Noise lines and interleaved URCs are printed where real modems print them")
    func noiseAndInterleavedURCs() async throws {
        try await withModems(1, faults: try Faults(parsing: "urc=1,noise=1")) { _, _, clients in
            let client = clients[0]
            client.write("AT\r")
            let reply = try await client.readFinal()
            #expect(reply == "AT\r\r\n+CREG: 1\r\n\r\nOK\r\n")
            let noise = try await client.read(until: "\r\n", timeout: .seconds(2)) + client.read(until: "\r\n")
            #expect(noise.hasPrefix("\r\n^"))
        }
    }

    @Test("Reordering delivers a held message after the next one; delays go through the injected clock")
    func reorderingAndDelay() async throws {
        try await withModems(2, faults: try Faults(parsing: "reorder=1,delay=100ms-200ms")) { network, modems, clients in
            let (alice, bob) = (clients[0], clients[1])
            try await alice.setUp("ATE0")
            try await bob.setUp("ATE0")
            for text in ["first", "second"] { _ = try await sendPDU(alice, to: "+15550002", text: text) }
            try await bob.read(until: "+CMTI: \"SM\",2\r\n")
            let texts = await modems[1].storedMessages().map { entry -> String in
                guard case .deliver(let deliver)? = try? PDU(bytes: entry.message.pdu).tpdu else { return "?" }
                return deliver.userData.text ?? "?"
            }
            #expect(texts == ["second", "first"])
            let kinds = await network.faultLog.map(\.kind)
            #expect(kinds.filter { $0 == .delay }.count == 2)
            #expect(kinds.filter { $0 == .reordering }.count == 2)
        }
    }

    @Test("Not registered: CREG reports searching and sends fail with +CMS ERROR: 331")
    func notRegistered() async throws {
        try await withModems(2, faults: try Faults(parsing: "noreg")) { network, _, clients in
            let alice = clients[0]
            try await alice.setUp("ATE0")
            #expect(try await alice.command("AT+CREG?") == "\r\n+CREG: 0,2\r\n\r\nOK\r\n")
            #expect(try await sendPDU(alice, to: "+15550002", text: "x") == "\r\n+CMS ERROR: 331\r\n")
            try await alice.setUp("AT+CREG=1")
            await network.setFaults(Faults())
            try await alice.read(until: "+CREG: 1\r\n")
            #expect(try await sendPDU(alice, to: "+15550002", text: "x") == "\r\n+CMGS: 0\r\n\r\nOK\r\n")
        }
    }

    @Test("Fault specifications parse and reject bad input")
    func parsing() throws {
        let faults = try Faults(parsing: "loss=0.1,dup=0.05,reorder=0.1,delay=200ms-2s,unplug=1m-2m,noreg")
        #expect(faults.loss == 0.1)
        #expect(faults.delay == .milliseconds(200) ... .seconds(2))
        #expect(faults.unplugEvery == .seconds(60) ... .seconds(120))
        #expect(faults.notRegistered)
        #expect(throws: EmulatorError.self) { try Faults(parsing: "loss=2") }
        #expect(throws: EmulatorError.self) { try Faults(parsing: "delay=2s-1s") }
        #expect(throws: EmulatorError.self) { try Faults(parsing: "frobnicate=1") }
    }
}

@Suite("Unplug and replug")
struct UnplugTests {
    @Test("Unplug hangs up the client and removes the symlink; replug comes back with power-on state and queued SMS")
    func unplugReplug() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smskit-links-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let network = VirtualNetwork(seed: 3, clock: InstantClock())
        let alice = try await network.addModem(number: "+15550001")
        let bob = try await network.addModem(ModemConfiguration(number: "+15550002", pin: "1234", linkDirectory: directory))
        let link = try #require(bob.linkPath)
        let firstPath = try #require(await bob.portPath)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == firstPath)
        let bobClient = try ATClient(path: link)
        #expect(try await bobClient.command("AT+CPIN=\"1234\"").hasSuffix("OK\r\n"))
        await bob.unplug()
        try await bobClient.waitForHangUp()
        #expect(await bob.portPath == nil)
        #expect(!FileManager.default.fileExists(atPath: link))
        bobClient.close()

        let aliceClient = try ATClient(path: try #require(await alice.portPath))
        defer { aliceClient.close() }
        try await aliceClient.setUp("ATE0")
        #expect(try await sendPDU(aliceClient, to: "+15550002", text: "while away") == "\r\n+CMGS: 0\r\n\r\nOK\r\n")

        try await bob.replug()
        let secondPath = try #require(await bob.portPath)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == secondPath)
        let again = try ATClient(path: link)
        defer { again.close() }
        #expect(try await again.command("AT") == "AT\r\r\nOK\r\n")  // echo is back on after power-on
        #expect(try await again.command("AT+CPIN?").contains("+CPIN: SIM PIN"))
        #expect(await bob.storedMessages().isEmpty)  // SIM locked: not registered, the SMSC keeps the message
        #expect(try await again.command("AT+CPIN=\"1234\"").hasSuffix("OK\r\n"))
        try await again.read(until: "+CMTI: \"SM\",1\r\n")
        #expect(await bob.faultLog.map(\.kind) == [.unplug, .replug])
        await network.shutdown()
        #expect(!FileManager.default.fileExists(atPath: link))
    }
}
