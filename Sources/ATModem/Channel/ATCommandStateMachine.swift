import Logging

/// The AT command lifecycle as a value, in the style of SwiftNIO's state machines: ``ATChannel``
/// feeds it requests, bytes from the modem, timer firings, cancellations and write failures, and it
/// answers with the ``Action``s to perform. It does no I/O and reads no clock, so every interleaving
/// (a result that comes after its timeout, a cancel during the prompt, an unplug after the PDU) is
/// tested byte by byte.
///
/// One request runs at a time; the rest wait in FIFO order. A modem may still answer a command
/// that timed out or was cancelled, and that late final result must not be taken as the next
/// command's. So whenever a result may still be owed, the next command is preceded by a
/// resynchronisation probe with a marked answer (`AT+CMEE?` → `+CMEE: n`, TS 27.007 §9.1; or
/// `AT+CSCS?` when the owed command was `AT+CMEE`). Final results before the marker belong to the
/// earlier command and are dropped; the final after it ends the probe. A modem that answers the
/// probe without its marker is taken to be in step when the probe's timeout passes after its last
/// final result (the modem answers in order, so nothing older can follow the probe's own answer).
struct ATCommandStateMachine: Sendable {
    /// Identifies one caller's request.
    typealias RequestID = UInt64

    /// What a caller asks for.
    enum Operation: Sendable, Equatable {
        /// A command line (without CR) that ends in a final result.
        case command(String, expecting: [String], timeout: Duration)
        /// `AT+CMGS=<n>`-style: the command, the `> ` prompt, then `pdu` (hex) and Ctrl-Z.
        case submit(String, pdu: String, promptTimeout: Duration, submitTimeout: Duration)
        /// ESC: leaves PDU-input mode.
        case escape
        /// Ctrl-Z, a pause, then ESC: leaves PDU-input mode on a modem that ignores ESC.
        case abandonInput(pause: Duration)

        /// How long the first answer is awaited; nil for the raw ESC and Ctrl-Z writes.
        var resultTimeout: Duration? {
            switch self {
            case .command(_, _, let timeout): timeout
            case .submit(_, _, let promptTimeout, _): promptTimeout
            case .escape, .abandonInput: nil
            }
        }
    }

    /// What ``ATChannel`` must do, in order.
    enum Action: Sendable, Equatable {
        /// Write bytes to the transport (in order). `owner` is the request they belong to, told of a
        /// write failure through ``ATCommandStateMachine/writeFailed(owner:error:)``.
        case write([UInt8], owner: RequestID?)
        /// Arm the one timer (replacing any armed one); report its expiry with `token`.
        case startTimer(token: UInt64, after: Duration)
        /// Disarm the timer.
        case cancelTimer
        /// Resume the request's caller.
        case complete(RequestID, Result<ATResponse, ATError>)
        /// Hand an unsolicited result code to ``ATChannel/urcs``.
        case urc(URC)
        /// Log a line (commands in it are already redacted).
        case log(Logger.Level, String)
    }

    private struct Request: Sendable {
        let id: RequestID
        let operation: Operation
        /// The command as it may appear in logs and errors (PIN redacted).
        let label: String
    }

    private enum Stage: Sendable {
        /// Command written; waiting for its final result.
        case awaitingFinal
        /// Command written; waiting for `> `.
        case awaitingPrompt(pdu: String, submitTimeout: Duration)
        /// PDU and Ctrl-Z written; waiting for the final result. A failure now is "unconfirmed".
        case submitted(after: Duration)
        /// Ctrl-Z written; ESC follows when the timer fires.
        case pausing
    }

    private struct Running: Sendable {
        var request: Request
        var stage: Stage
        var lines: [String] = []
        var timeout: Duration
    }

    private struct Resync: Sendable {
        let probe: String
        let marker: String
        let timeout: Duration
        var sawMarker = false
        var finals = 0
    }

    private enum Phase: Sendable {
        case idle
        case resyncing(Resync)
        case running(Running)
        case closed(ATError)
    }

    private var phase: Phase = .idle
    private var queue: [Request] = []
    private var decoder: ATResponseDecoder
    private var timerToken: UInt64 = 0
    /// Commands whose final result may still arrive (timed out, cancelled, failed mid-answer), and
    /// ESC/Ctrl-Z written outside any command. Non-nil means: probe before the next command.
    private var owed: Owed?
    /// The last command a result may still be owed for, or nil when the machine is in step.
    var owedResultOf: String? { owed?.last }

    private struct Owed: Sendable {
        /// The most recent one (for logs).
        var last: String
        /// Probes whose marker an owed answer could contain (never chosen until in step again).
        var spoiledProbes: Set<Int> = []
    }

    /// Resynchronisation probes, in order of preference: (command, marker, family). A probe is not
    /// used while a command of its family (which could print its marker) may still answer.
    static let probes: [(command: String, marker: String, family: String)] = [
        ("AT+CMEE?", "+CMEE:", "AT+CMEE"), ("AT+CSCS?", "+CSCS:", "AT+CSCS"), ("AT+CPMS?", "+CPMS:", "AT+CPMS"),
    ]

    private mutating func owe(_ label: String) {
        var o = owed ?? Owed(last: label)
        o.last = label
        let upper = label.uppercased()
        for (index, probe) in Self.probes.enumerated() where upper.hasPrefix(probe.family) { o.spoiledProbes.insert(index) }
        owed = o
    }
    /// Timeout of the resynchronisation probe.
    let probeTimeout: Duration
    /// Past this many information lines a command fails with ``ATError/responseTooLarge(command:limit:)``.
    let maximumResponseLines: Int

    /// Creates an idle machine.
    init(urcTable: URCTable = .standard, probeTimeout: Duration = .seconds(10), maximumResponseLines: Int = 4_096) {
        decoder = ATResponseDecoder(urcTable: urcTable)
        self.probeTimeout = probeTimeout
        self.maximumResponseLines = max(1, maximumResponseLines)
    }

    /// Why the machine closed, or nil while it is open.
    var terminationReason: ATError? { if case .closed(let r) = phase { r } else { nil } }

    /// Requests waiting behind the one in flight.
    var queuedCount: Int { queue.count }

    /// Adds URC prefixes and reset indicators (vendor quirks) to the running decoder.
    mutating func addURCPrefixes(_ prefixes: [String], resetIndicators: [String]) {
        decoder.urcTable.add(prefixes)
        decoder.urcTable.addResetIndicators(resetIndicators)
    }

    // MARK: - Inputs

    /// Queues a request; it starts at once when nothing else runs.
    mutating func enqueue(_ id: RequestID, _ operation: Operation) -> [Action] {
        let label: String
        switch operation {
        case .command(let c, _, _), .submit(let c, _, _, _): label = Self.redact(c)
        case .escape: label = "ESC"
        case .abandonInput: label = "Ctrl-Z ESC"
        }
        if let reason = terminationReason { return [.complete(id, .failure(reason))] }
        queue.append(Request(id: id, operation: operation, label: label))
        var actions: [Action] = []
        advance(&actions)
        return actions
    }

    /// Consumes bytes from the modem.
    mutating func feed(_ bytes: [UInt8]) -> [Action] {
        var actions: [Action] = []
        for event in decoder.feed(bytes) { handle(event, &actions) }
        return actions
    }

    /// The timer armed with `token` fired (stale tokens are ignored).
    mutating func timerFired(token: UInt64) -> [Action] {
        guard token == timerToken else { return [] }
        var actions: [Action] = []
        switch phase {
        case .resyncing(let r):
            decoder.cancelExpectation()
            phase = .idle
            if r.finals > 0 {
                // Answered, without the marker: the last final was the probe's own.
                owed = nil
                actions.append(.log(.debug, "AT resynchronised (\(r.probe) answered without \(r.marker))"))
            } else {
                // Nothing at all came back: the modem is not answering. The probe is owed too (its
                // marked answer may still come, so the next probe is another one); the head request
                // fails unsent and the next one probes again.
                owe(r.probe)
                guard !queue.isEmpty else { break }
                let head = queue.removeFirst()
                actions.append(.log(.warning, "AT modem silent: \(r.probe) unanswered within \(r.timeout); \(head.label) not sent"))
                actions.append(.complete(head.id, .failure(.timeout(command: "\(head.label) (not sent: \(r.probe) before it got no answer)", after: r.timeout))))
            }
        case .running(let run):
            switch run.stage {
            case .awaitingFinal:
                actions.append(.log(.warning, "AT command timed out: \(run.request.label) after \(run.timeout)"))
                finishRunning(run, .failure(.timeout(command: run.request.label, after: run.timeout)), owing: true, &actions)
            case .awaitingPrompt:
                actions.append(.write([0x1B], owner: nil))
                actions.append(.log(.warning, "AT prompt timed out: \(run.request.label) after \(run.timeout)"))
                finishRunning(run, .failure(.timeout(command: run.request.label, after: run.timeout)), owing: true, &actions)
            case .submitted(let after):
                // Leave PDU-input mode in case the modem never saw the Ctrl-Z.
                actions.append(.write([0x1B], owner: nil))
                actions.append(.log(.warning, "AT submit unconfirmed: \(run.request.label) no result after \(after)"))
                finishRunning(run, .failure(.unconfirmed(command: run.request.label, reason: "no result within \(after) after the PDU")),
                              owing: true, &actions)
            case .pausing:
                actions.append(.write([0x1B], owner: nil))
                finishRunning(run, .success(ATResponse(lines: [])), owing: true, &actions)
            }
        case .idle, .closed:
            break
        }
        advance(&actions)
        return actions
    }

    /// The caller of `id` stopped waiting (task cancelled). A queued request is dropped unsent; one
    /// in flight fails at once with ``ATError/cancelled(command:)`` (or ``ATError/unconfirmed(command:reason:)``
    /// once its PDU was written), and the next command resynchronises first.
    mutating func cancel(_ id: RequestID) -> [Action] {
        var actions: [Action] = []
        if let index = queue.firstIndex(where: { $0.id == id }) {
            let request = queue.remove(at: index)
            actions.append(.complete(id, .failure(.cancelled(command: request.label))))
        } else if case .running(let run) = phase, run.request.id == id {
            switch run.stage {
            case .awaitingFinal:
                finishRunning(run, .failure(.cancelled(command: run.request.label)), owing: true, &actions)
            case .awaitingPrompt, .pausing:
                actions.append(.write([0x1B], owner: nil))
                finishRunning(run, .failure(.cancelled(command: run.request.label)), owing: true, &actions)
            case .submitted:
                actions.append(.write([0x1B], owner: nil))
                finishRunning(run, .failure(.unconfirmed(command: run.request.label, reason: "the send was cancelled after the PDU was written")),
                              owing: true, &actions)
            }
        }
        advance(&actions)
        return actions
    }

    /// Writing bytes of request `owner` failed.
    mutating func writeFailed(owner: RequestID?, error: ATError) -> [Action] {
        guard let owner, case .running(let run) = phase, run.request.id == owner else { return [] }
        var actions: [Action] = []
        finishRunning(run, .failure(terminationReason ?? error), owing: true, &actions)
        advance(&actions)
        return actions
    }

    /// The transport ended (`reason`) or the channel was closed: everything pending fails.
    mutating func terminate(_ reason: ATError) -> [Action] {
        guard terminationReason == nil else { return [] }
        var actions: [Action] = [.cancelTimer]
        if case .running(let run) = phase {
            let error: ATError
            if case .submitted = run.stage {
                switch reason {
                case .disconnected(let path): error = .unconfirmed(command: run.request.label, reason: "the port \(path) went away after the PDU")
                default: error = .unconfirmed(command: run.request.label, reason: "the channel was closed after the PDU")
                }
            } else {
                error = reason
            }
            actions.append(.complete(run.request.id, .failure(error)))
        }
        for request in queue { actions.append(.complete(request.id, .failure(reason))) }
        queue.removeAll()
        decoder.cancelExpectation()
        phase = .closed(reason)
        return actions
    }

    // MARK: - Internals

    private mutating func handle(_ event: ATEvent, _ actions: inout [Action]) {
        switch event {
        case .urc(let urc):
            actions.append(.urc(urc))
        case .stray(let line):
            actions.append(.log(.debug, "AT stray line dropped: \(line.prefix(80))"))
        case .response(let line):
            switch phase {
            case .resyncing(var r):
                if line.hasPrefix(r.marker) {
                    r.sawMarker = true
                    phase = .resyncing(r)
                } else {
                    actions.append(.log(.debug, "AT late line of \(owedResultOf ?? "?") dropped"))
                }
            case .running(var run):
                guard run.lines.count < maximumResponseLines else {
                    // The modem keeps talking without a final result: fail the command now.
                    actions.append(.log(.warning, "AT response too long: \(run.request.label) past \(maximumResponseLines) lines; command failed"))
                    finishRunning(run, .failure(.responseTooLarge(command: run.request.label, limit: maximumResponseLines)),
                                  owing: true, &actions)
                    advance(&actions)
                    return
                }
                run.lines.append(line)
                phase = .running(run)
            case .idle, .closed:
                break
            }
        case .prompt:
            guard case .running(var run) = phase, case .awaitingPrompt(let pdu, let submitTimeout) = run.stage else { return }
            run.stage = .submitted(after: submitTimeout)
            run.timeout = submitTimeout
            phase = .running(run)
            actions.append(.write(Array(pdu.utf8) + [0x1A], owner: run.request.id))
            actions.append(startTimer(after: submitTimeout))
        case .final(let result):
            switch phase {
            case .resyncing(var r):
                if r.sawMarker {
                    decoder.cancelExpectation()
                    phase = .idle
                    actions.append(.cancelTimer)
                    actions.append(.log(.debug, "AT resynchronised after \(owedResultOf ?? "?") (\(r.finals) late result(s) dropped)"))
                    owed = nil
                    advance(&actions)
                } else {
                    r.finals += 1
                    phase = .resyncing(r)
                    actions.append(.log(.info, "AT late result \(result) of \(owedResultOf ?? "?") dropped"))
                }
            case .running(let run):
                if case .pausing = run.stage { return }  // the Ctrl-Z's own answer
                let outcome: Result<ATResponse, ATError> =
                    result.isSuccess ? .success(ATResponse(lines: run.lines)) : .failure(ATError(result: result, command: run.request.label))
                finishRunning(run, outcome, owing: false, &actions)
                advance(&actions)
            case .idle, .closed:
                break
            }
        }
    }

    /// Starts the next request (or the probe before it) when nothing runs.
    private mutating func advance(_ actions: inout [Action]) {
        while case .idle = phase, let head = queue.first {
            if let owed, let waitLimit = head.operation.resultTimeout {
                // ESC and Ctrl-Z need no sync (they are what gets a stuck modem out of PDU input);
                // a command does. The probe waits no longer than the command itself would.
                let timeout = min(probeTimeout, waitLimit)
                let choice = Self.probes.indices.first { !owed.spoiledProbes.contains($0) } ?? 0
                let (probe, marker) = (Self.probes[choice].command, Self.probes[choice].marker)
                decoder.expect(ATExpectation(command: probe, responsePrefixes: [marker], isProbe: true))
                phase = .resyncing(Resync(probe: probe, marker: marker, timeout: timeout))
                actions.append(.log(.debug, "AT resynchronising after \(owed.last) with \(probe)"))
                actions.append(.write(Array((probe + "\r").utf8), owner: nil))
                actions.append(startTimer(after: timeout))
                return
            }
            let request = queue.removeFirst()
            switch request.operation {
            case .command(let command, let expecting, let timeout):
                decoder.expect(ATExpectation(command: command, responsePrefixes: expecting))
                phase = .running(Running(request: request, stage: .awaitingFinal, timeout: timeout))
                actions.append(.log(.trace, "AT > \(request.label)"))
                actions.append(.write(Array((command + "\r").utf8), owner: request.id))
                actions.append(startTimer(after: timeout))
            case .submit(let command, let pdu, let promptTimeout, let submitTimeout):
                let prefix = String(command.prefix(while: { $0 != "=" }).dropFirst(2))
                decoder.expect(ATExpectation(command: command, responsePrefixes: ["\(prefix):"], expectsPrompt: true, echoes: [pdu]))
                phase = .running(Running(request: request, stage: .awaitingPrompt(pdu: pdu, submitTimeout: submitTimeout), timeout: promptTimeout))
                actions.append(.log(.trace, "AT > \(request.label)"))
                actions.append(.write(Array((command + "\r").utf8), owner: request.id))
                actions.append(startTimer(after: promptTimeout))
            case .escape:
                // Any answer to it arrives with no command pending: probe before the next one.
                owe(request.label)
                actions.append(.write([0x1B], owner: nil))
                actions.append(.complete(request.id, .success(ATResponse(lines: []))))
            case .abandonInput(let pause):
                phase = .running(Running(request: request, stage: .pausing, timeout: pause))
                actions.append(.write([0x1A], owner: nil))
                actions.append(startTimer(after: pause))
            }
        }
    }

    /// Ends the request in flight with `outcome`; `owing` marks that the modem may still answer it.
    private mutating func finishRunning(_ run: Running, _ outcome: Result<ATResponse, ATError>, owing: Bool,
                                        _ actions: inout [Action]) {
        if owing {
            decoder.cancelExpectation()
            owe(run.request.label)
        }
        phase = .idle
        actions.append(.cancelTimer)
        actions.append(.complete(run.request.id, outcome))
    }

    private mutating func startTimer(after duration: Duration) -> Action {
        timerToken &+= 1
        return .startTimer(token: timerToken, after: duration)
    }

    /// Hides the PIN/PUK in `AT+CPIN="1234"` so secrets never reach logs or errors.
    static func redact(_ command: String) -> String {
        command.uppercased().hasPrefix("AT+CPIN=") ? "AT+CPIN=<redacted>" : command
    }
}
