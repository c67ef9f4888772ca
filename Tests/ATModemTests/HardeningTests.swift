import Foundation
import SMSKitTestSupport
import Glibc
import Testing
import SMSPDU
import SerialPort
@testable import ATModem

/// Issue 14 tests that name the new API (bounds, reference sequences, safe durations, typed errors).
@Suite struct HardeningTests {
    /// The concatenation references of the SMS-SUBMITs a fake modem received.
    static func references(_ fake: FakeModem) -> [Int] {
        fake.received.compactMap { input -> Int? in
            guard case .pdu(let hex) = input, let pdu = try? PDU(hex: hex), case .submit(let s) = pdu.tpdu,
                  let c = s.userData.header?.concatenation else { return nil }
            return Int(c.reference)
        }
    }

    static let long = String(repeating: "templated text ", count: 15)

    @Test func sharedReferenceFileGivesConsecutiveReferencesAcrossModems() async throws {
        let path = NSTemporaryDirectory() + "smskit-ref-\(UUID().uuidString)"
        defer { unlink(path) }
        var refs: [Int] = []
        for _ in 0..<3 {
            let fake = try FakeModem(script: standardScript())
            var config = testConfiguration()
            config.concatenationReferences = .sharedFile(path)
            let modem = try await openModem([fake], configuration: config)
            _ = try await modem.send(text: Self.long, to: "+41791234567")
            await modem.close()
            let sent = Self.references(fake)
            #expect(sent.count == 2 && Set(sent).count == 1)  // one reference per message
            refs.append(sent[0])
        }
        #expect(refs[1] == (refs[0] + 1) % 256 && refs[2] == (refs[1] + 1) % 256, "\(refs)")
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o600)
    }

    @Test func sixteenBitReferencesAreUsedWhenAsked() async throws {
        let fake = try FakeModem(script: standardScript())
        var config = testConfiguration()
        config.concatenationReferences = .perModem(width: .sixteenBit)
        let modem = try await openModem([fake], configuration: config)
        _ = try await modem.send(text: Self.long, to: "+41791234567")
        await modem.close()
        let headers = fake.received.compactMap { input -> UserDataHeader? in
            guard case .pdu(let hex) = input, let pdu = try? PDU(hex: hex), case .submit(let s) = pdu.tpdu else { return nil }
            return s.userData.header
        }
        #expect(headers.count >= 2)
        #expect(headers.allSatisfy { $0.elements.contains { $0.identifier == InformationElement.concatenation16BitIdentifier } })
    }

    @Test func safeDurationRefusesWhatWouldTrap() throws {
        for bad in ["inf", "-inf", "nan", "1e17", "0", "-1", "9223372036854775807", "", "abc", "5x", "367d"] {
            #expect(throws: SafeDuration.ParseError.self, "\(bad)") { _ = try SafeDuration.parse(bad, option: "--timeout") }
        }
        #expect(try SafeDuration.parse("90", option: "--t") == .seconds(90))
        #expect(try SafeDuration.parse("1.5m", option: "--t") == .seconds(90))
        #expect(try SafeDuration.parse("500ms", option: "--t") == .milliseconds(500))
        #expect(try SafeDuration.parse("1e3", option: "--t") == .seconds(1000))
        #expect(try SafeDuration.parse("2h", option: "--t") == .seconds(7200))
        #expect(SafeDuration.clamp(.seconds(Int64.max)) == SafeDuration.maximum)
        #expect(SafeDuration.clamp(.zero) == SafeDuration.minimum)
        let error = try #require(throws: SafeDuration.ParseError.self) { _ = try SafeDuration.parse("inf", option: "--timeout") }
        #expect(error.description.contains("--timeout"))
    }

    @Test func hugeTimeoutsAreClampedNotTrapped() async throws {
        let fake = try FakeModem(script: standardScript())
        var config = testConfiguration()
        config.channel = .init(commandTimeout: .seconds(Int64.max), promptTimeout: .seconds(Int64.max), submitTimeout: .seconds(Int64.max))
        config.reassemblyTimeout = .seconds(Int64.max)
        let modem = try await openModem([fake], configuration: config)
        _ = try await modem.send(text: "hi", to: "+41791234567")
        // A report wait of "forever" is a timer on the clamped maximum, ended by close().
        let receipt = SendReceipt(messageID: 99, recipient: "+41791234567", references: [1], reportRequested: true)
        let wait = Task { try await modem.deliveryReport(for: receipt, timeout: .seconds(Int64.max)) }
        await modem.close()
        await #expect(throws: ModemError.self) { _ = try await wait.value }
    }

    @Test func urcFloodCountsWhatItDrops() async throws {
        let fake = try FakeModem(script: standardScript())
        let ch = try channel(on: fake, configuration: .init(maximumBufferedURCs: 100))
        fake.inject(String(repeating: "\r\n+CREG: 1\r\n", count: 3_000))
        _ = try await ch.send("AT")
        #expect(await ch.droppedURCCount == 2_900)
        #expect(await ch.takeDroppedURCCount() == 2_900)
        #expect(await ch.droppedURCCount == 0)
        await ch.close()
        var buffered = 0
        for await _ in ch.urcs { buffered += 1 }
        #expect(buffered == 100)
    }

    @Test func droppedURCsMakeTheModemRescanStorage() async throws {
        let store = FakeStore()
        let fake = try storeModem(store)
        var config = testConfiguration()
        config.channel = .init(maximumBufferedURCs: 4)  // a burst of one read chunk (~340 lines) overflows it
        let modem = try await openModem([fake], configuration: config)
        await fake.waitFor { $0.filter { $0 == .command("AT+CMGL=4") }.count == 1 }
        // A message stored with its +CMTI lost in a URC flood: the rescan after the drops finds it.
        let pdu = try PDUFactory.deliver(text: "found by the rescan", from: "+41791234567")[0]
        _ = store.store(pdu)
        fake.inject(String(repeating: "\r\n+CREG: 1\r\n", count: 2_000))
        let m = try await withTimeout(10) { () -> IncomingMessage? in
            var inbox = modem.incoming.makeAsyncIterator()
            return await inbox.next()
        }
        #expect(m??.text == "found by the rescan")
        await modem.close()
    }

    @Test func endlessResponseIsATypedError() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in
            c == "AT+CMGL=4" ? String(repeating: "+CMGL: 1,0,,23\r\n00\r\n", count: 100) : nil
        })
        let ch = try channel(on: fake, configuration: .init(maximumResponseLines: 50))
        await #expect(throws: ATError.responseTooLarge(command: "AT+CMGL=4", limit: 50)) {
            _ = try await ch.send("AT+CMGL=4", expecting: ["+CMGL:"])
        }
        await ch.close()
    }

    @Test func serialPortHoldsAFloodBackInsteadOfBufferingIt() async throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.path, configuration: testSerial)
        defer { port.close() }
        _ = fcntl(pty.master, F_SETFL, fcntl(pty.master, F_GETFL) | O_NONBLOCK)
        // Nobody reads `incoming`: write until the writer makes no progress for 300 ms.
        let master = pty.master
        let written = await withCheckedContinuation { (c: CheckedContinuation<Int, Never>) in
            Thread {
                let block = [UInt8](repeating: 0x41, count: 65_536)
                var total = 0
                while total < 16 << 20 {
                    let n = block.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
                    if n > 0 { total += n; continue }
                    var p = pollfd(fd: master, events: Int16(POLLOUT), revents: 0)
                    if poll(&p, 1, 300) == 0 { break }
                }
                c.resume(returning: total)
            }.start()
        }
        let bound = SerialPort.maximumBufferedChunks * 4096
        #expect(written < bound + (1 << 20), "the port took \(written) bytes with nobody reading")
        // Nothing was dropped: every byte written is read once the reader catches up.
        var read = 0
        for try await chunk in port.incoming {
            read += chunk.count
            if read >= written { break }
        }
        #expect(read == written)
    }

    @Test func stuckPromptIsLeftWithESC() async throws {
        let fake = try FakeModem(stuckAtPrompt: true, script: standardScript())
        let modem = try await openModem([fake])
        #expect(await modem.isReady)
        #expect(!fake.received.contains { if case .pdu = $0 { return true } else { return false } })  // ESC sufficed, no Ctrl-Z
        await modem.close()
    }

    @Test func silentPromptTimeoutLeavesInputMode() async throws {
        let fake = try FakeModem(script: standardScript { c, m in
            if c.hasPrefix("AT+CMGS=") { m.expectPDU(); return "" }  // in input mode, but the "> " is lost
            return nil
        })
        let ch = try channel(on: fake, configuration: .init(promptTimeout: .milliseconds(200)))
        await #expect(throws: ATError.self) { _ = try await ch.sendPDU("AT+CMGS=5", pdu: "0001000000") }
        _ = try await ch.send("AT")  // ESC after the timeout: the modem reads commands again
        await ch.close()
    }

    @Test func laterPartFailureIsReportedAsPartiallySent() async throws {
        let pdus = Locked(0)
        let fake = try FakeModem(script: { input, modem in
            if case .pdu = input {
                pdus.value += 1
                return pdus.value == 1 ? "\r\n+CMGS: 7\r\n\r\nOK\r\n" : "\r\n+CMS ERROR: 500\r\n"
            }
            return standardScript()(input, modem)
        })
        let modem = try await openModem([fake])
        do {
            _ = try await modem.send(text: Self.long, to: "+41791234567")
            Issue.record("sent")
        } catch {
            guard case .partiallySent(let refs, let total, _) = error else { Issue.record("\(error)"); return }
            #expect(refs == [7] && total == 2)
            #expect(error.mayHaveBeenSent)
        }
        #expect(ModemError.command(.unconfirmed(command: "AT+CMGS", reason: "x")).mayHaveBeenSent)
        #expect(!ModemError.command(.timeout(command: "AT", after: .seconds(1))).mayHaveBeenSent)
        await modem.close()
    }

    @Test func pinErrorsAreTyped() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in
            if c == "AT+CPIN?" { return "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n" }
            if c == "AT+CPINR=\"SIM PIN\"" { return "\r\n+CPINR: SIM PIN,0,3\r\n\r\nOK\r\n" }
            return nil
        })
        await #expect(throws: ModemError.pinAttemptsExhausted(attemptsLeft: 0)) {
            _ = try await openModem([fake], configuration: testConfiguration(pin: "1234"))
        }
        let short = try FakeModem(script: pinScript(correct: "1234"))
        await #expect(throws: ModemError.invalidPIN) { _ = try await openModem([short], configuration: testConfiguration(pin: "12a")) }
    }
}
