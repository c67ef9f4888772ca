import Foundation
import Testing
import SMSPDU
import SerialPort
@testable import ATModem
import SMSKitTestSupport

/// Issue 14: each test here failed on main before its fix (they use only APIs main already had, so they
/// can be run against main's sources to see that).
@Suite struct RegressionTests {
    static let disclaimer = "This code is valid for 10 minutes. Never share it with anyone, not even with our staff: "
        + "we will never ask you for it by phone, e-mail or SMS. If you did not ask for a code, ignore this message."

    /// Item 1: two templated messages, same sender, same reference, same second, share a byte-identical
    /// part 2. Main deleted the second one's part 2 as a duplicate; the message never completed.
    @Test func templatedTwinsWithAByteIdenticalPartAreBothDelivered() async throws {
        let store = FakeStore()
        let a = try PDUFactory.deliver(text: "OTP 111111. " + Self.disclaimer, from: "+41791234567", reference: 42)
        let b = try PDUFactory.deliver(text: "OTP 222222. " + Self.disclaimer, from: "+41791234567", reference: 42)
        #expect(a.count == 2 && b.count == 2 && a[1] == b[1])  // the shared part, byte for byte
        let fake = try storeModem(store)
        let modem = try await openModem([fake])
        for pdu in [a[0], a[1], b[0], b[1]] {
            fake.inject("\r\n+CMTI: \"SM\",\(store.store(pdu))\r\n")
        }
        let texts = try await withTimeout(5) { () -> [String] in
            var inbox = modem.incoming.makeAsyncIterator()
            var texts: [String] = []
            while texts.count < 2, let m = await inbox.next() {
                #expect(m.isComplete)
                texts.append(m.text ?? "")
                try await m.acknowledge()
            }
            return texts
        }
        #expect(texts?.sorted() == ["OTP 111111. " + Self.disclaimer, "OTP 222222. " + Self.disclaimer])
        #expect(store.indices.isEmpty)  // SIM usage back to zero
        await modem.close()
    }

    /// Item 2: a modem left at the `> ` prompt by a dead client, with a firmware that ignores ESC there.
    /// Main sent ESC once and then three `AT` into the PDU buffer: "no answer to AT".
    @Test func promptThatIgnoresESCIsLeftWithCtrlZ() async throws {
        let fake = try FakeModem(stuckAtPrompt: true, escCancelsInput: false, script: { input, modem in
            if case .pdu(let typed) = input { return ATLineParser.isHex(typed) ? "\r\n+CMGS: 1\r\n\r\nOK\r\n" : "\r\n+CMS ERROR: 304\r\n" }
            return standardScript()(input, modem)
        })
        let modem = try await openModem([fake])
        #expect(await modem.isReady)
        #expect(fake.received.contains { if case .pdu = $0 { return true } else { return false } })  // Ctrl-Z ended the input
        await modem.close()
    }

    /// Item 4: a URC flood while nobody reads `urcs`. Main buffered every URC (733 MB in 40 s).
    @Test func urcFloodIsBounded() async throws {
        let fake = try FakeModem(script: standardScript())
        let ch = try channel(on: fake)
        let flood = String(repeating: "\r\n+CREG: 1\r\n", count: 5_000)
        fake.inject(flood)
        // AT answered means every URC line before its OK was decoded.
        _ = try await ch.send("AT")
        await ch.close()
        var buffered = 0
        for await _ in ch.urcs { buffered += 1 }
        #expect(buffered <= 1_024)
        #expect(buffered > 0)
    }

    /// Item 4: endless response lines to `AT+CMGL` with no final result. Main kept every line until the
    /// 60 s timeout (4.5–7.3 GB); the command now fails at once when the bound is reached.
    @Test func endlessResponseFailsTheCommandInsteadOfFillingMemory() async throws {
        let line = "+CMGL: 1,0,,23\r\n0791947106004034040D91945171000000F0000022113291440000044F79D81D\r\n"
        let fake = try FakeModem(script: standardScript { c, m in
            guard c == "AT+CMGL=4" else { return nil }
            return String(repeating: line, count: 6_000)  // 12,000 lines, no OK
        })
        let ch = try channel(on: fake, configuration: .init(commandTimeout: .seconds(30)))
        let started = ContinuousClock.now
        do {
            _ = try await ch.send("AT+CMGL=4", expecting: ["+CMGL:"])
            Issue.record("an endless answer was accepted")
        } catch {
            #expect(ContinuousClock.now - started < .seconds(20), "failed only at the timeout: \(error)")
            #expect(!"\(error)".contains("no answer within"))
        }
        _ = try? await ch.send("AT")  // still usable afterwards
        await ch.close()
    }

    /// Item 5: one attempt left. Main entered the PIN anyway; a wrong one then PUK-locks the SIM.
    @Test func pinIsNotEnteredWithOneAttemptLeft() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in
            if c == "AT+CPIN?" { return "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n" }
            if c == "AT+CPINR=\"SIM PIN\"" { return "\r\n+CPINR: SIM PIN,1,3\r\n\r\nOK\r\n" }
            if c.hasPrefix("AT+CPIN=") { return "\r\n+CME ERROR: 16\r\n" }
            return nil
        })
        do {
            _ = try await openModem([fake], configuration: testConfiguration(pin: "0000"))
            Issue.record("opened")
        } catch {
            #expect(error.description.contains("1 PIN attempt left"), "\(error)")
        }
        #expect(fake.commands.filter { $0.hasPrefix("AT+CPIN=") }.isEmpty)
    }

    /// Item 5: the same through a vendor query (Huawei `AT^CPIN?`) when `AT+CPINR` is not supported.
    @Test func pinAttemptsComeFromTheVendorQueryWithoutCPINR() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in
            switch c {
            case "AT+CGMI": return "\r\nhuawei\r\n\r\nOK\r\n"
            case "AT+CPIN?": return "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n"
            case "AT+CPINR=\"SIM PIN\"": return "\r\nERROR\r\n"
            case "AT^CPIN?": return "\r\n^CPIN: SIM PIN,1,10,1,10,3\r\n\r\nOK\r\n"
            case _ where c.hasPrefix("AT+CPIN="): return "\r\n+CME ERROR: 16\r\n"
            default: return nil
            }
        })
        await #expect(throws: ModemError.self) { _ = try await openModem([fake], configuration: testConfiguration(pin: "1234")) }
        #expect(fake.commands.contains("AT^CPIN?"))
        #expect(fake.commands.filter { $0.hasPrefix("AT+CPIN=") }.isEmpty)
    }

    /// Item 8: a PIN that is not 4–8 digits is never sent; main said "the SIM rejected the PIN".
    @Test func malformedPINIsNotCalledRejected() async throws {
        let fake = try FakeModem(script: pinScript(correct: "1234"))
        do {
            _ = try await openModem([fake], configuration: testConfiguration(pin: "12"))
            Issue.record("opened")
        } catch {
            #expect(!error.description.contains("rejected"), "\(error)")
            #expect(error.description.contains("not sent"), "\(error)")
        }
    }

    /// Item 8: the prompt was accepted and no result came: the error must say the SMS may have been
    /// sent, not "check the port is the modem's AT port".
    @Test func submitWithoutResultSaysTheSMSMayHaveBeenSent() async throws {
        let silentPDU = try FakeModem(script: { input, modem in
            if case .pdu = input { return nil }  // the PDU is taken, no result ever comes
            return standardScript()(input, modem)
        })
        var config = testConfiguration()
        config.channel = .init(submitTimeout: .milliseconds(300))
        let modem = try await openModem([silentPDU], configuration: config)
        do {
            _ = try await modem.send(text: "hi", to: "+41791234567")
            Issue.record("sent")
        } catch {
            #expect(error.description.contains("may already have been sent"), "\(error)")
            #expect(!error.description.contains("check the port"), "\(error)")
        }
        await modem.close()
    }

    /// Item 8: an unplug of a modem that is not reopened must not promise "it is reopened when it returns".
    @Test func disconnectMessageDoesNotPromiseAReopen() {
        #expect(!ATError.disconnected(path: "/dev/ttyUSB2").description.contains("reopened"))
    }

    /// Item 8: a valid ISO time in year 2999 is refused for its year, not as a format error.
    @Test func validityYearOutOfRangeSaysSo() {
        do {
            _ = try ValidityPeriod(spec: "2999-01-01T00:00:00Z")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("2099"), "\(error)")
        }
    }
}
