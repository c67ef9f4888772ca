import Foundation
import Logging
import Testing
import SerialPort
@testable import ATModem

/// Opens a Modem on a sequence of fake modems (the next one on every reconnect).
func openModem(_ fakes: [FakeModem], configuration: Modem.Configuration = testConfiguration(),
               clock: any Clock<Duration> = ContinuousClock()) async throws(ModemError) -> Modem {
    let queue = FakeQueue(fakes)
    var logger = Logger(label: "test.modem")
    logger.logLevel = .critical
    return try await Modem(name: fakes.first?.path ?? "", configuration: configuration, clock: clock, logger: logger) {
        () throws(ModemError) in
        guard let fake = queue.next() else { throw ModemError.port(.openFailed(path: "none", errno: ENOENT)) }
        do throws(SerialPortError) { return try SerialPort(path: fake.path, configuration: testSerial) } catch {
            throw ModemError.port(error)
        }
    }
}

final class FakeQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var fakes: [FakeModem]
    init(_ fakes: [FakeModem]) { self.fakes = fakes }
    func next() -> FakeModem? { lock.withLock { fakes.isEmpty ? nil : fakes.removeFirst() } }
}

/// A script whose SIM wants a PIN; `correct` unlocks it.
func pinScript(correct: String, status: String = "SIM PIN") -> @Sendable (FakeModem.Input, FakeModem) -> String? {
    let unlocked = Locked(false)
    return standardScript { c, _ in
        if c == "AT+CPIN?" { return unlocked.value ? "\r\n+CPIN: READY\r\n\r\nOK\r\n" : "\r\n+CPIN: \(status)\r\n\r\nOK\r\n" }
        if c == "AT+CPINR=\"SIM PIN\"" { return "\r\n+CPINR: SIM PIN,2,10\r\n\r\nOK\r\n" }
        if c.hasPrefix("AT+CPIN=") {
            if c == "AT+CPIN=\"\(correct)\"" { unlocked.value = true; return "\r\nOK\r\n" }
            return "\r\n+CME ERROR: 16\r\n"
        }
        return nil
    }
}

final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: T
    init(_ v: T) { _value = v }
    var value: T {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}

@Suite struct ModemLifecycleTests {
    @Test func initSequenceIsSentInOrder() async throws {
        let fake = try FakeModem(script: standardScript())
        let modem = try await openModem([fake])
        await fake.waitFor { $0.contains(.command("AT+CPMS?")) }
        let c = fake.commands
        let order = ["AT", "ATE0", "AT+CMEE=1", "AT+CGMI", "AT+CPIN?", "AT+CMGF=0", "AT+CSMS?",
                     "AT+CPMS=\"SM\",\"SM\",\"SM\"", "AT+CNMI=2,1,0,1,0", "AT+CMGL=4"]
        var last = -1
        for cmd in order {
            let i = try #require(c.firstIndex(of: cmd), "missing \(cmd)")
            #expect(i > last, "\(cmd) out of order in \(c)")
            last = i
        }
        #expect(await modem.isReady)
        await modem.close()
    }

    @Test func correctPINUnlocksOnce() async throws {
        let fake = try FakeModem(script: pinScript(correct: "1234"))
        let modem = try await openModem([fake], configuration: testConfiguration(pin: "1234"))
        #expect(fake.commands.filter { $0.hasPrefix("AT+CPIN=") } == ["AT+CPIN=\"1234\""])
        await modem.close()
    }

    @Test func wrongPINIsNotRetried() async throws {
        let fake = try FakeModem(script: pinScript(correct: "1234"))
        await #expect(throws: ModemError.pinRejected(attemptsLeft: 2)) {
            _ = try await openModem([fake], configuration: testConfiguration(pin: "9999"))
        }
        #expect(fake.commands.filter { $0.hasPrefix("AT+CPIN=") }.count == 1)
        #expect(!ModemError.pinRejected(attemptsLeft: 2).description.contains("9999"))
    }

    @Test func missingPINAndPUKAreReportedWithoutEnteringCodes() async throws {
        let needsPIN = try FakeModem(script: pinScript(correct: "1234"))
        await #expect(throws: ModemError.pinRequired) { _ = try await openModem([needsPIN]) }
        let puk = try FakeModem(script: pinScript(correct: "1234", status: "SIM PUK"))
        await #expect(throws: ModemError.pukRequired) { _ = try await openModem([puk], configuration: testConfiguration(pin: "1234")) }
        #expect(needsPIN.commands.allSatisfy { !$0.hasPrefix("AT+CPIN=") })
        #expect(puk.commands.allSatisfy { !$0.hasPrefix("AT+CPIN=") })
        let noSIM = try FakeModem(script: standardScript { c, _ in c == "AT+CPIN?" ? "\r\n+CME ERROR: 10\r\n" : nil })
        await #expect(throws: ModemError.self) { _ = try await openModem([noSIM]) }
    }

    @Test func busySIMIsWaitedFor() async throws {
        let polls = Locked(0)
        let fake = try FakeModem(script: standardScript { c, _ in
            guard c == "AT+CPIN?" else { return nil }
            polls.value += 1
            return polls.value < 3 ? "\r\n+CME ERROR: 14\r\n" : "\r\n+CPIN: READY\r\n\r\nOK\r\n"
        })
        let modem = try await openModem([fake])
        #expect(polls.value == 3)
        await modem.close()
    }

    @Test func silentPortIsNotResponding() async throws {
        let fake = try FakeModem(script: { _, _ in nil })
        let clock = ManualClock()
        let ticker = Task {
            while !Task.isCancelled {
                await clock.waitForSleepers(1)
                clock.advance(by: .seconds(2))
            }
        }
        defer { ticker.cancel() }
        await #expect(throws: ModemError.notResponding(port: fake.path)) {
            _ = try await openModem([fake], clock: clock)
        }
    }

    @Test func identityAndHealthAreParsed() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in
            switch c {
            case "AT+CGMI": return "\r\nhuawei\r\n\r\nOK\r\n"
            case "AT+CGMM": return "\r\n^RSSI:9\r\nE3372\r\n\r\nOK\r\n"
            case "AT+CGMR": return "\r\n+CGMR: \"21.180.01.00.00\"\r\n\r\nOK\r\n"
            case "AT+CGSN": return "\r\n356938035643809\r\n\r\nOK\r\n"
            case "AT+CIMI": return "\r\n228011234567890\r\n\r\nOK\r\n"
            case "AT+CCID": return "\r\nERROR\r\n"
            case "AT+ICCID": return "\r\n+ICCID: 8941011234567890123\r\n\r\nOK\r\n"
            case "AT+CSQ": return "\r\n+CSQ: 20,99\r\n\r\nOK\r\n"
            case "AT+CREG?": return "\r\n+CREG: 0,5\r\n\r\nOK\r\n"
            case "AT+COPS?": return "\r\n+COPS: 0,0,\"Swisscom\",7\r\n\r\nOK\r\n"
            case "AT+CSCA?": return "\r\n+CSCA: \"+41794999000\",145\r\n\r\nOK\r\n"
            default: return nil
            }
        })
        let modem = try await openModem([fake])
        let id = try await modem.identity()
        #expect(id == ModemIdentity(manufacturer: "huawei", model: "E3372", revision: "21.180.01.00.00",
                                    imei: "356938035643809", imsi: "228011234567890", iccid: "8941011234567890123",
                                    family: "Huawei"))
        #expect(fake.commands.contains("AT^CURC=0"))
        let h = try await modem.health()
        #expect(h.rssi == 20 && h.signalDBm == -73)
        #expect(h.registration == .roaming)
        #expect(h.operatorName == "Swisscom")
        #expect(h.smsc == "+41794999000")
        #expect(h.storageUsed == 0 && h.storageTotal == 30)
        await modem.close()
    }

    @Test func resetURCReassertsInit() async throws {
        let fake = try FakeModem(script: standardScript())
        let modem = try await openModem([fake])
        var events = modem.events.makeAsyncIterator()
        #expect(await events.next() == .ready)
        fake.inject("\r\nRDY\r\n")
        #expect(await events.next() == .reinitialized)
        #expect(fake.commands.filter { $0 == "AT+CNMI=2,1,0,1,0" }.count == 2)
        await modem.close()
    }

    @Test func reconnectsAfterUnplugAndResumes() async throws {
        let first = try FakeModem(script: standardScript())
        let second = try FakeModem(script: standardScript())
        let modem = try await openModem([first, second])
        var events = modem.events.makeAsyncIterator()
        #expect(await events.next() == .ready)
        await first.waitFor { $0.contains(.command("AT+CMGL=4")) }
        first.unplug()
        #expect(await events.next() == .disconnected)
        #expect(await events.next() == .ready)
        _ = try await modem.health()
        #expect(second.commands.contains("AT+CSQ"))
        #expect(second.commands.contains("AT+CMGL=4"))
        await modem.close()
    }

    /// Issue 13: every wait in the driver has a cancellation handler. Cancelled callers return at
    /// once with `.cancelled`, long before their timeouts (an hour, and the 10 s reconnect wait).
    @Test func cancellingWaitsForAReportOrAReconnectReturnsAtOnce() async throws {
        let fake = try FakeModem(script: standardScript())
        let modem = try await openModem([fake])
        let receipt = try await modem.send(text: "hi", to: "+41791234567", options: .init(requestDeliveryReport: true))
        let report = Task { try await modem.deliveryReport(for: receipt, timeout: .seconds(3_600)) }
        while await modem.reportWaiters.isEmpty { await Task.yield() }
        report.cancel()
        await #expect(throws: ModemError.cancelled("waiting for the delivery report of \(receipt.references)")) { try await report.value }
        #expect(await modem.reportWaiters.isEmpty)

        var events = modem.events.makeAsyncIterator()
        fake.unplug()
        while let event = await events.next(), event != .disconnected {}
        let health = Task { try await modem.health() }
        while await modem.readyWaiters.isEmpty { await Task.yield() }
        let started = ContinuousClock.now
        health.cancel()
        await #expect(throws: ModemError.cancelled("waiting for \(fake.path) to reconnect")) { try await health.value }
        #expect(ContinuousClock.now - started < .seconds(5))
        await modem.close()
    }

    /// Issue 13: construction is separate from `run()`, so a supervisor can hold a `Modem` for a
    /// device that is not there yet. Building it touches nothing; `run()` keeps trying to open the
    /// device, a command sent meanwhile waits for it, and cancelling `run()` closes the modem.
    @Test func aModemWaitsForItsDevice() async throws {
        let fake = try FakeModem(script: standardScript())
        let plugged = Locked(false)
        let attempts = Locked(0)
        let modem = Modem(waitingFor: "later", configuration: testConfiguration()) { () throws(ModemError) in
            attempts.value += 1
            guard plugged.value else { throw ModemError.port(.openFailed(path: "later", errno: ENOENT)) }
            do throws(SerialPortError) { return try SerialPort(path: fake.path, configuration: testSerial) } catch {
                throw ModemError.port(error)
            }
        }
        #expect(attempts.value == 0)
        #expect(await !modem.isReady)
        let runner = Task { await modem.run() }
        var events = modem.events.makeAsyncIterator()
        let health = Task { try await modem.health() }  // waits for the device
        while attempts.value < 3 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(fake.commands.isEmpty)
        plugged.value = true
        #expect(await events.next() == .ready)
        _ = try await health.value
        #expect(fake.commands.contains("AT+CSQ"))
        runner.cancel()
        await runner.value
        while let _ = await events.next() {}  // the streams end: the modem is closed
        await #expect(throws: ModemError.closed) { try await modem.health() }
    }

    /// A `close()` that comes while the init sequence is still running wins: the modem does not turn
    /// ready (and hold its port) once the sequence finishes.
    @Test func closeDuringInitialisationLeavesTheModemClosed() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in c == "AT+CSMS?" ? "" : nil })  // answered later
        let modem = Modem(waitingFor: "slow", configuration: testConfiguration()) { () throws(ModemError) in
            do throws(SerialPortError) { return try SerialPort(path: fake.path, configuration: testSerial) } catch {
                throw ModemError.port(error)
            }
        }
        let runner = Task { await modem.run() }
        await fake.waitFor { $0.contains(.command("AT+CSMS?")) }
        await modem.close()
        fake.inject("\r\n+CSMS: 0,1,1,1\r\n\r\nOK\r\n")  // the rest of the sequence can now run
        await runner.value
        #expect(await !modem.isReady)
        await #expect(throws: ModemError.closed) { try await modem.health() }
    }
}
