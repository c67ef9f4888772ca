import Testing
@testable import ATModem

/// The AT command lifecycle without I/O: bytes, timer firings and cancellations in, actions out.
@Suite struct ATCommandStateMachineTests {
    typealias Machine = ATCommandStateMachine
    typealias Action = ATCommandStateMachine.Action

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// The texts written, in order.
    static func written(_ actions: [Action]) -> [String] {
        actions.compactMap { if case .write(let b, _) = $0 { String(decoding: b, as: UTF8.self) } else { nil } }
    }

    static func completions(_ actions: [Action]) -> [(Machine.RequestID, Result<ATResponse, ATError>)] {
        actions.compactMap { if case .complete(let id, let r) = $0 { (id, r) } else { nil } }
    }

    static func timer(_ actions: [Action]) -> UInt64? {
        actions.compactMap { if case .startTimer(let t, _) = $0 { t } else { nil } }.last
    }

    static func command(_ c: String, timeout: Duration = .seconds(5)) -> Machine.Operation {
        .command(c, expecting: [], timeout: timeout)
    }

    @Test func aLateResultOfATimedOutCommandIsNotTheNextCommandsResult() {
        var m = Machine()
        let a = m.enqueue(1, Self.command("AT+SLOW"))
        #expect(Self.written(a) == ["AT+SLOW\r"])
        let fired = m.timerFired(token: Self.timer(a)!)
        #expect(Self.completions(fired).map(\.0) == [1])
        #expect(m.owedResultOf == "AT+SLOW")

        // The next command is held back behind a probe.
        let b = m.enqueue(2, .command("AT+CSQ", expecting: ["+CSQ:"], timeout: .seconds(5)))
        #expect(Self.written(b) == ["AT+CMEE?\r"])
        // The slow command's late answer, then the probe's.
        #expect(Self.completions(m.feed(Self.bytes("\r\nLATE LINE\r\n\r\nOK\r\n"))).isEmpty)
        let synced = m.feed(Self.bytes("\r\n+CMEE: 1\r\n\r\nOK\r\n"))
        #expect(Self.written(synced) == ["AT+CSQ\r"])
        #expect(m.owedResultOf == nil)
        let done = m.feed(Self.bytes("\r\n+CSQ: 17,99\r\n\r\nOK\r\n"))
        let outcome = Self.completions(done)
        #expect(outcome.count == 1 && outcome[0].0 == 2)
        #expect((try? outcome[0].1.get()) == ATResponse(lines: ["+CSQ: 17,99"]))
    }

    @Test func lateResultAndProbeAnswerInOneChunk() {
        var m = Machine()
        _ = m.timerFired(token: Self.timer(m.enqueue(1, Self.command("AT+SLOW")))!)
        _ = m.enqueue(2, Self.command("AT+NEXT"))
        let synced = m.feed(Self.bytes("\r\n+CME ERROR: 100\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n"))
        #expect(Self.written(synced) == ["AT+NEXT\r"])
        let done = Self.completions(m.feed(Self.bytes("\r\nERROR\r\n")))
        #expect(done.count == 1)
        #expect(throws: ATError.error(command: "AT+NEXT")) { try done[0].1.get() }
    }

    @Test func aProbeAnsweredWithoutItsMarkerEndsAtItsTimeout() {
        var m = Machine()
        _ = m.timerFired(token: Self.timer(m.enqueue(1, Self.command("AT+SLOW")))!)
        let probe = m.enqueue(2, Self.command("AT+NEXT"))
        #expect(Self.written(probe) == ["AT+CMEE?\r"])
        // An old modem rejects the probe: one bare final, which may be the late one or the probe's.
        #expect(Self.written(m.feed(Self.bytes("\r\nERROR\r\n"))).isEmpty)
        // Nothing more within the probe's timeout: the modem is in step.
        let synced = m.timerFired(token: Self.timer(probe)!)
        #expect(Self.written(synced) == ["AT+NEXT\r"])
        #expect(m.owedResultOf == nil)
    }

    @Test func aSilentModemFailsTheCommandUnsentAndTheNextProbeIsAnotherOne() {
        var m = Machine()
        _ = m.timerFired(token: Self.timer(m.enqueue(1, Self.command("AT+SLOW")))!)
        let probe = m.enqueue(2, Self.command("AT+NEXT", timeout: .seconds(2)))
        #expect(probe.contains(.startTimer(token: Self.timer(probe)!, after: .seconds(2))))
        let silent = m.timerFired(token: Self.timer(probe)!)
        let failed = Self.completions(silent)
        #expect(failed.count == 1 && failed[0].0 == 2)
        #expect(Self.written(silent).isEmpty)
        // The first probe may still be answered (with its marker): the next sync uses AT+CSCS?.
        #expect(Self.written(m.enqueue(3, Self.command("AT+THIRD"))) == ["AT+CSCS?\r"])
        #expect(Self.written(m.feed(Self.bytes("\r\n+CMEE: 1\r\n\r\nOK\r\n"))).isEmpty)
        #expect(Self.written(m.feed(Self.bytes("\r\n+CSCS: \"GSM\"\r\n\r\nOK\r\n"))) == ["AT+THIRD\r"])
    }

    @Test func anOwedCMEEQueryIsNotProbedWithItself() {
        var m = Machine()
        _ = m.timerFired(token: Self.timer(m.enqueue(1, Self.command("AT+CMEE?")))!)
        #expect(Self.written(m.enqueue(2, Self.command("AT"))) == ["AT+CSCS?\r"])
        // Its late "+CMEE: 1" is not taken as the marker.
        #expect(Self.written(m.feed(Self.bytes("\r\n+CMEE: 1\r\n\r\nOK\r\n"))).isEmpty)
        #expect(Self.written(m.feed(Self.bytes("\r\n+CSCS: \"IRA\"\r\n\r\nOK\r\n"))) == ["AT\r"])
    }

    @Test func cancellingAQueuedRequestDropsItUnsent() {
        var m = Machine()
        _ = m.enqueue(1, Self.command("AT+FIRST"))
        #expect(Self.written(m.enqueue(2, Self.command("AT+SECOND"))).isEmpty)
        let cancelled = m.cancel(2)
        #expect(throws: ATError.cancelled(command: "AT+SECOND")) { try Self.completions(cancelled)[0].1.get() }
        _ = m.feed(Self.bytes("\r\nOK\r\n"))
        #expect(m.queuedCount == 0)
        #expect(m.owedResultOf == nil)
    }

    @Test func cancellingTheCommandInFlightReturnsAtOnceAndResynchronises() {
        var m = Machine()
        _ = m.enqueue(1, Self.command("AT+COPS=?", timeout: .seconds(180)))
        let cancelled = m.cancel(1)
        #expect(cancelled.contains(.cancelTimer))
        #expect(throws: ATError.cancelled(command: "AT+COPS=?")) { try Self.completions(cancelled)[0].1.get() }
        #expect(Self.written(m.enqueue(2, Self.command("AT"))) == ["AT+CMEE?\r"])
    }

    @Test func cancellingAtThePromptWritesEscape() {
        var m = Machine()
        let sent = m.enqueue(1, .submit("AT+CMGS=3", pdu: "0011AA", promptTimeout: .seconds(5), submitTimeout: .seconds(60)))
        #expect(Self.written(sent) == ["AT+CMGS=3\r"])
        let cancelled = m.cancel(1)
        #expect(Self.written(cancelled) == ["\u{1B}"])
        #expect(throws: ATError.cancelled(command: "AT+CMGS=3")) { try Self.completions(cancelled)[0].1.get() }
    }

    @Test func failuresAfterThePDUAreUnconfirmed() {
        var m = Machine()
        _ = m.enqueue(1, .submit("AT+CMGS=3", pdu: "0011AA", promptTimeout: .seconds(5), submitTimeout: .seconds(60)))
        let pdu = m.feed(Self.bytes("\r\n> "))
        #expect(Self.written(pdu) == ["0011AA\u{1A}"])
        #expect(pdu.contains(.startTimer(token: Self.timer(pdu)!, after: .seconds(60))))
        let cancelled = m.cancel(1)
        #expect(throws: ATError.unconfirmed(command: "AT+CMGS=3", reason: "the send was cancelled after the PDU was written")) {
            try Self.completions(cancelled)[0].1.get()
        }

        var n = Machine()
        _ = n.enqueue(1, .submit("AT+CMGS=3", pdu: "0011AA", promptTimeout: .seconds(5), submitTimeout: .seconds(60)))
        _ = n.feed(Self.bytes("> "))
        _ = n.enqueue(2, Self.command("AT"))
        let unplugged = Self.completions(n.terminate(.disconnected(path: "/dev/ttyUSB2")))
        #expect(unplugged.map(\.0) == [1, 2])
        #expect(throws: ATError.unconfirmed(command: "AT+CMGS=3", reason: "the port /dev/ttyUSB2 went away after the PDU")) {
            try unplugged[0].1.get()
        }
        #expect(throws: ATError.disconnected(path: "/dev/ttyUSB2")) { try unplugged[1].1.get() }
        #expect(throws: ATError.disconnected(path: "/dev/ttyUSB2")) { try Self.completions(n.enqueue(3, Self.command("AT")))[0].1.get() }
    }

    @Test func escapeNeedsNoSyncButTheCommandAfterItDoes() {
        var m = Machine()
        _ = m.timerFired(token: Self.timer(m.enqueue(1, .submit("AT+CMGS=3", pdu: "00", promptTimeout: .seconds(1), submitTimeout: .seconds(1))))!)
        let escape = m.enqueue(2, .escape)
        #expect(Self.written(escape) == ["\u{1B}"])
        #expect(Self.completions(escape).map(\.0) == [2])
        #expect(Self.written(m.enqueue(3, Self.command("AT"))) == ["AT+CMEE?\r"])
    }

    @Test func aStaleTimerIsIgnored() {
        var m = Machine()
        let first = m.enqueue(1, Self.command("AT+A"))
        _ = m.feed(Self.bytes("\r\nOK\r\n"))
        _ = m.enqueue(2, Self.command("AT+B"))
        #expect(m.timerFired(token: Self.timer(first)!).isEmpty)
        #expect(m.owedResultOf == nil)
    }

    @Test func anEndlessAnswerFailsAndTheRestIsDropped() {
        var m = Machine(maximumResponseLines: 3)
        _ = m.enqueue(1, Self.command("AT+CMGL=4"))
        let flood = m.feed(Self.bytes(String(repeating: "\r\nline\r\n", count: 5)))
        #expect(throws: ATError.responseTooLarge(command: "AT+CMGL=4", limit: 3)) { try Self.completions(flood)[0].1.get() }
        #expect(m.owedResultOf == "AT+CMGL=4")
        // The flood's own OK arrives later and is not the next command's.
        #expect(Self.written(m.enqueue(2, Self.command("AT"))) == ["AT+CMEE?\r"])
        #expect(Self.written(m.feed(Self.bytes("\r\nline\r\nOK\r\n"))).isEmpty)
    }

    @Test func thePINNeverReachesErrorsOrLogs() {
        var m = Machine()
        let sent = m.enqueue(1, Self.command("AT+CPIN=\"1234\""))
        let logged = sent.compactMap { if case .log(_, let text) = $0 { text } else { nil } }
        #expect(!logged.joined().contains("1234"))
        let failed = m.feed(Self.bytes("\r\n+CME ERROR: 16\r\n"))
        #expect(throws: ATError.cme(.incorrectPassword, command: "AT+CPIN=<redacted>")) { try Self.completions(failed)[0].1.get() }
    }
}
