import Foundation
import Testing
import SerialPort
@testable import ATModem

@Suite struct ATChannelTests {
    @Test func commandReturnsResponseLinesAndURCsGoToTheStream() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in
            c == "AT+CSQ" ? "\r\n^RSSI:12\r\n+CSQ: 17,99\r\n+CMTI: \"SM\",4\r\n\r\nOK\r\n" : nil
        })
        let ch = try channel(on: fake)
        await ch.addURCPrefixes(VendorQuirks.huawei.urcPrefixes)
        let r = try await ch.send("AT+CSQ", expecting: ["+CSQ:"])
        #expect(r.lines == ["+CSQ: 17,99"])
        var urcs: [String] = []
        for await u in ch.urcs {
            urcs.append(u.line)
            if urcs.count == 2 { break }
        }
        #expect(urcs == ["^RSSI:12", "+CMTI: \"SM\",4"])
        await ch.close()
    }

    @Test func errorResultsBecomeNamedErrors() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in
            switch c {
            case "AT+A": return "\r\n+CME ERROR: 10\r\n"
            case "AT+B": return "\r\n+CMS ERROR: 322\r\n"
            case "AT+C": return "\r\nERROR\r\n"
            case "AT+D": return "\r\n+CME ERROR: SIM busy\r\n"
            case "AT+E": return "4\r"
            default: return nil
            }
        })
        let ch = try channel(on: fake)
        await #expect(throws: ATError.cme(.simNotInserted, command: "AT+A")) { try await ch.send("AT+A") }
        await #expect(throws: ATError.cms(.memoryFull, command: "AT+B")) { try await ch.send("AT+B") }
        await #expect(throws: ATError.error(command: "AT+C")) { try await ch.send("AT+C") }
        await #expect(throws: ATError.cme(.simBusy, command: "AT+D")) { try await ch.send("AT+D") }
        await #expect(throws: ATError.error(command: "AT+E")) { try await ch.send("AT+E") }
        await ch.close()
    }

    @Test func timeoutOnInjectedClockThenChannelStillWorks() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in c == "AT+SILENT" ? "" : nil })
        let clock = ManualClock()
        let ch = try channel(on: fake, clock: clock)
        let pending = Task { try await ch.send("AT+SILENT", timeout: .seconds(30)) }
        await fake.waitFor { $0.contains(.command("AT+SILENT")) }
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(29))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        await #expect(throws: ATError.timeout(command: "AT+SILENT", after: .seconds(30))) { try await pending.value }
        try await ch.send("AT")
        await ch.close()
    }

    @Test func pduSubmitWaitsForPromptAndReturnsReference() async throws {
        let fake = try FakeModem(script: standardScript { c, m in
            guard c.hasPrefix("AT+CMGS=") else { return nil }
            m.expectPDU()
            return "\r\n+CDSI: \"SR\",1\r\n> "
        })
        let ch = try channel(on: fake)
        let r = try await ch.sendPDU("AT+CMGS=3", pdu: "0011AABB")
        #expect(r.value(for: "+CMGS:") == "7")
        #expect(fake.received.contains(.pdu("0011AABB")))
        await #expect(throws: ATError.invalidCommand("XYZ")) { try await ch.sendPDU("AT+CMGS=1", pdu: "XYZ") }
        await #expect(throws: ATError.invalidCommand("AT\rX")) { try await ch.send("AT\rX") }
        await ch.close()
    }

    @Test func cmsErrorInsteadOfPrompt() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in c.hasPrefix("AT+CMGS=") ? "\r\n+CMS ERROR: 331\r\n" : nil })
        let ch = try channel(on: fake)
        await #expect(throws: ATError.cms(.noNetworkService, command: "AT+CMGS=3")) {
            try await ch.sendPDU("AT+CMGS=3", pdu: "0011AABB")
        }
        await ch.close()
    }

    @Test func concurrentCommandsRunOneAtATimeInOrder() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in
            c.hasPrefix("AT+N=") ? "\r\n+N: \(c.dropFirst(5))\r\nOK\r\n" : nil
        })
        let ch = try channel(on: fake)
        let results = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for i in 0..<20 {
                group.addTask { (i, try await ch.send("AT+N=\(i)", expecting: ["+N:"]).value(for: "+N:")) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for i in 0..<20 { #expect(results[i] == "\(i)") }
        // Never a second command before the first's result: the fake saw each exactly once.
        #expect(Set(fake.commands.filter { $0.hasPrefix("AT+N=") }).count == 20)
        await ch.close()
    }

    @Test func unplugFailsPendingCommandAndEndsURCs() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in c == "AT+HANG" ? "" : nil })
        let ch = try channel(on: fake)
        let pending = Task { try await ch.send("AT+HANG") }
        await fake.waitFor { $0.contains(.command("AT+HANG")) }
        fake.unplug()
        await #expect(throws: ATError.disconnected(path: fake.path)) { try await pending.value }
        for await _ in ch.urcs {}
        #expect(await ch.waitForTermination() == .disconnected(path: fake.path))
        await #expect(throws: ATError.disconnected(path: fake.path)) { try await ch.send("AT") }
    }

    @Test func garbageAndPartialLinesAreTolerated() async throws {
        let fake = try FakeModem(script: standardScript { c, m in
            guard c == "AT+G" else { return nil }
            m.inject("\u{0}\u{FF}\u{1}garbage")
            m.inject("\r\n+G: 1")
            m.inject("\r\n\r")
            return "\nOK\r\n"
        })
        let ch = try channel(on: fake)
        let r = try await ch.send("AT+G", expecting: ["+G:"])
        #expect(r.value(for: "+G:") == "1")
        await ch.close()
    }

    /// The driver issue's late-result bug, over a real pty: the modem answers a timed-out command
    /// just as the next command goes out. Before the resynchronisation probe, that late `OK` was
    /// taken as `AT+CSQ`'s result (with no `+CSQ:` line).
    @Test func aLateResultAfterATimeoutIsNotTakenAsTheNextCommandsResult() async throws {
        let owesLateOK = Locked(false)
        let fake = try FakeModem(script: standardScript { c, _ in
            if c == "AT+SLOW" { owesLateOK.value = true; return "" }
            let late = owesLateOK.value ? "\r\nOK\r\n" : ""
            owesLateOK.value = false
            switch c {
            case "AT+CSQ": return late + "\r\n+CSQ: 17,99\r\n\r\nOK\r\n"
            case "AT+CMEE?": return late + "\r\n+CMEE: 1\r\n\r\nOK\r\n"
            default: return late.isEmpty ? nil : late + "\r\nOK\r\n"
            }
        })
        let clock = ManualClock()
        let ch = try channel(on: fake, clock: clock)
        let slow = Task { try await ch.send("AT+SLOW", timeout: .seconds(5)) }
        await fake.waitFor { $0.contains(.command("AT+SLOW")) }
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(5))
        await #expect(throws: ATError.timeout(command: "AT+SLOW", after: .seconds(5))) { try await slow.value }
        let csq = try await ch.send("AT+CSQ", expecting: ["+CSQ:"])
        #expect(csq.lines == ["+CSQ: 17,99"])
        #expect(fake.commands.suffix(2) == ["AT+CMEE?", "AT+CSQ"])
        // In step again: the next command goes out without a probe.
        try await ch.send("AT")
        #expect(fake.commands.last == "AT")
        #expect(fake.commands.filter { $0 == "AT+CMEE?" }.count == 1)
        await ch.close()
    }

    /// Cancelling a caller returns its command at once (not at its timeout, which never passes on
    /// the manual clock), and queued commands behind it are dropped unsent.
    @Test func cancellingASendReturnsAtOnce() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in c == "AT+COPS=?" ? "" : nil })
        let clock = ManualClock()
        let ch = try channel(on: fake, clock: clock)
        let scan = Task { try await ch.send("AT+COPS=?", timeout: .seconds(180)) }
        await fake.waitFor { $0.contains(.command("AT+COPS=?")) }
        let queued = Task { try await ch.send("AT+QUEUED") }
        while await ch.queuedCount == 0 { await Task.yield() }
        queued.cancel()
        await #expect(throws: ATError.cancelled(command: "AT+QUEUED")) { try await queued.value }
        scan.cancel()
        await #expect(throws: ATError.cancelled(command: "AT+COPS=?")) { try await scan.value }
        #expect(!fake.commands.contains("AT+QUEUED"))
        // The channel resynchronises and carries on.
        try await ch.send("AT")
        #expect(fake.commands.suffix(2) == ["AT+CMEE?", "AT"])
        // A task cancelled before it sends never writes anything.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await ch.send("AT+NEVER")
        }
        await #expect(throws: ATError.cancelled(command: "AT+NEVER")) { try await early.value }
        #expect(!fake.commands.contains("AT+NEVER"))
        await ch.close()
    }

    /// The channel is a Service: cancelling its `run()` closes it and fails what is pending.
    @Test func cancellingRunClosesTheChannel() async throws {
        let fake = try FakeModem(script: standardScript { c, _ in c == "AT+HANG" ? "" : nil })
        let ch = ATChannel(transport: try SerialPort(path: fake.path, configuration: testSerial), clock: ManualClock())
        let runner = Task { await ch.run() }
        let pending = Task { try await ch.send("AT+HANG") }
        await fake.waitFor { $0.contains(.command("AT+HANG")) }
        runner.cancel()
        await runner.value
        await #expect(throws: ATError.closed) { try await pending.value }
        #expect(await ch.waitForTermination() == .closed)
    }
}
