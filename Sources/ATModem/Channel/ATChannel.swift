import Logging
import SerialPort
import ServiceLifecycle

/// Runs AT commands over a `ByteStream` (SerialPort): one command in flight, the rest wait in FIFO order;
/// per-command timeouts measured on an injected clock; URCs delivered on ``urcs`` whenever they
/// arrive, including between a command and its result.
///
/// The channel is a swift-service-lifecycle `Service`: `init` only builds it, and ``run()`` reads
/// and writes the transport until it ends, the channel is closed, or the task is cancelled (or
/// gracefully shut down). Commands sent before `run()` starts wait for it.
///
/// A command that timed out or was cancelled may still be answered by the modem. That late result
/// is never taken as the next command's: the next command is preceded by a marked probe
/// (`AT+CMEE?`) and everything before the probe's answer is dropped (see `ATCommandStateMachine`).
/// Cancelling a caller's task returns its `send` at once with ``ATError/cancelled(command:)``.
///
/// ```swift
/// let channel = ATChannel(transport: try SerialPort(path: "/dev/ttyUSB2"))
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { await channel.run() }
///     let csq = try await channel.send("AT+CSQ", expecting: ["+CSQ:"])
///     let mr = try await channel.sendPDU("AT+CMGS=23", pdu: hex, timeout: .seconds(60))
///     await channel.close()
/// }
/// ```
public actor ATChannel: Service, WaitingActor {
    /// Timeouts and framing settings.
    public struct Configuration: Sendable {
        /// Timeout for ordinary commands.
        public var commandTimeout: Duration
        /// Timeout for the `> ` prompt after `AT+CMGS=n`.
        public var promptTimeout: Duration
        /// Timeout for the result of a submitted PDU (the network round trip).
        public var submitTimeout: Duration
        /// Which lines are URCs.
        public var urcTable: URCTable
        /// The most information lines one command may return; past it the command fails with
        /// ``ATError/responseTooLarge(command:limit:)`` at once (a modem that never ends its answer
        /// cannot fill memory). 4,096 holds an `AT+CMGL` of 2,000 stored messages.
        public var maximumResponseLines: Int
        /// The most URCs buffered for a slow reader of ``ATChannel/urcs``; past it the oldest are
        /// dropped and counted (``ATChannel/droppedURCCount``), and a warning is logged.
        public var maximumBufferedURCs: Int

        /// Defaults: 10 s commands, 10 s prompt, 60 s submit, standard URCs, 4,096 response lines,
        /// 1,024 buffered URCs. Durations are clamped with ``SafeDuration/clamp(_:)``.
        public init(commandTimeout: Duration = .seconds(10), promptTimeout: Duration = .seconds(10),
                    submitTimeout: Duration = .seconds(60), urcTable: URCTable = .standard,
                    maximumResponseLines: Int = 4_096, maximumBufferedURCs: Int = 1_024) {
            self.commandTimeout = ATChannel.clamp(commandTimeout)
            self.promptTimeout = ATChannel.clamp(promptTimeout)
            self.submitTimeout = ATChannel.clamp(submitTimeout)
            self.urcTable = urcTable
            self.maximumResponseLines = max(1, maximumResponseLines)
            self.maximumBufferedURCs = max(1, maximumBufferedURCs)
        }
    }

    /// Clamps a timeout to ``SafeDuration/minimum`` … ``SafeDuration/maximum`` (a huge one would trap
    /// when it is slept on).
    public static func clamp(_ timeout: Duration) -> Duration { SafeDuration.clamp(timeout) }

    private typealias Outcome = Result<ATResponse, ATError>

    /// Unsolicited result codes in arrival order. Finishes when the transport ends.
    public nonisolated let urcs: AsyncStream<URC>
    private let urcContinuation: AsyncStream<URC>.Continuation
    private let transport: any ByteStream
    private let clock: any Clock<Duration>
    private let logger: Logger
    /// Settings in use.
    public let configuration: Configuration
    private var machine: ATCommandStateMachine
    private var waiters: [UInt64: CheckedContinuation<Outcome, Never>] = [:]
    private var nextID: UInt64 = 0
    private var timer: Task<Void, Never>?
    private let writes: AsyncStream<(bytes: [UInt8], owner: UInt64?)>
    private let writeContinuation: AsyncStream<(bytes: [UInt8], owner: UInt64?)>.Continuation
    private var running = false
    /// URCs dropped because the reader of ``urcs`` fell more than
    /// ``Configuration/maximumBufferedURCs`` behind (the newest are kept).
    public private(set) var droppedURCCount = 0
    private var terminationWaiters = Waiters<ATError?>()

    /// Why the channel ended (nil while it is open).
    public var terminationReason: ATError? { machine.terminationReason }

    /// Requests waiting behind the one in flight.
    public var queuedCount: Int { machine.queuedCount }

    /// Builds a channel over `transport`; nothing is read or written until ``run()``. `clock`
    /// measures timeouts (inject a test clock for virtual time).
    public init(transport: any ByteStream, configuration: Configuration = .init(),
                clock: any Clock<Duration> = ContinuousClock(), logger: Logger = Logger(label: "smskit.at")) {
        self.transport = transport
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        machine = ATCommandStateMachine(urcTable: configuration.urcTable, probeTimeout: configuration.commandTimeout,
                                        maximumResponseLines: configuration.maximumResponseLines)
        (urcs, urcContinuation) = AsyncStream<URC>.makeStream(bufferingPolicy: .bufferingNewest(configuration.maximumBufferedURCs))
        (writes, writeContinuation) = AsyncStream.makeStream()
    }

    /// Reads and writes the transport until it ends (``ATError/disconnected(path:)``), ``close()``
    /// is called, or the task is cancelled or gracefully shut down (both close the channel). Run it
    /// once; a second call returns at once.
    public func run() async {
        guard !running else { return }
        running = true
        let bytes = transport.incoming
        let writes = self.writes
        let transport = self.transport
        await withDiscardingTaskGroup { group in
            group.addTask {
                // The writer: one write at a time, in the order the state machine asked for them.
                for await job in writes {
                    do throws(SerialPortError) {
                        try await transport.write(job.bytes)
                    } catch {
                        await self.writeFailed(owner: job.owner, error)
                    }
                }
            }
            let reason = await cancelWhenGracefulShutdown { () async -> ATError in
                do {
                    for try await chunk in bytes { await self.consume(chunk) }
                    return .closed
                } catch let error as SerialPortError {
                    if case .disconnected(let path) = error { return .disconnected(path: path) }
                    return .closed
                } catch {
                    return .closed
                }
            }
            transport.close()
            self.terminate(reason)
        }
    }

    /// Adds URC prefixes (vendor quirks) to the running decoder.
    public func addURCPrefixes(_ prefixes: [String], resetIndicators: [String] = []) {
        machine.addURCPrefixes(prefixes, resetIndicators: resetIndicators)
    }

    /// Sends `command` (without CR) and returns its information lines when it ends in `OK`.
    /// - Parameters:
    ///   - command: the command line, without CR (CR, LF and Ctrl-Z are refused).
    ///   - expecting: response prefixes (`+CSQ:`) that are answers even if they look like URCs.
    ///   - timeout: overrides ``Configuration/commandTimeout``.
    /// - Throws: ``ATError`` with the 27.005/27.007 meaning of an error result, a timeout, a
    ///   disconnect, or ``ATError/cancelled(command:)`` when the calling task is cancelled.
    @discardableResult
    public func send(_ command: String, expecting: [String] = [], timeout: Duration? = nil) async throws(ATError) -> ATResponse {
        try validate(command)
        return try await perform(.command(command, expecting: expecting, timeout: Self.clamp(timeout ?? configuration.commandTimeout)),
                                 label: command).get()
    }

    /// Sends a command that prompts for input (`AT+CMGS=<tpdu length>`), writes `pdu` (hex) and
    /// Ctrl-Z after the `> ` prompt, and returns the response lines (`+CMGS: <mr>`).
    /// If the prompt does not come, ESC cancels the input mode. A failure after the PDU was written
    /// (timeout, unplug, close, cancel) is ``ATError/unconfirmed(command:reason:)``.
    public func sendPDU(_ command: String, pdu: String, timeout: Duration? = nil) async throws(ATError) -> ATResponse {
        try validate(command)
        guard ATLineParser.isHex(pdu) else { throw .invalidCommand(pdu) }
        return try await perform(.submit(command, pdu: pdu, promptTimeout: configuration.promptTimeout,
                                         submitTimeout: Self.clamp(timeout ?? configuration.submitTimeout)), label: command).get()
    }

    /// Writes ESC: leaves PDU-input mode (`> `) if a previous client died there, so the next `AT`
    /// is read as a command. Queued behind any command in flight; an answer it causes is dropped
    /// (the next command resynchronises first).
    public func cancelInputMode() async {
        _ = await perform(.escape, label: "ESC")
    }

    /// Ends PDU-input mode on a modem that ignores ESC: Ctrl-Z (the modem rejects the half-typed
    /// input, `+CMS ERROR: 304`) and then ESC. A last resort of the init sync: Ctrl-Z would submit a
    /// complete PDU a dead client had typed without its Ctrl-Z. Late results are dropped.
    public func abandonInputMode() async {
        _ = await perform(.abandonInput(pause: .milliseconds(200)), label: "Ctrl-Z")
    }

    /// Returns and resets ``droppedURCCount``.
    public func takeDroppedURCCount() -> Int {
        defer { droppedURCCount = 0 }
        return droppedURCCount
    }

    /// Closes the transport; pending and queued commands fail with ``ATError/closed`` (or
    /// ``ATError/unconfirmed(command:reason:)`` once their PDU was written), and ``run()`` returns.
    public func close() {
        transport.close()
        terminate(.closed)
    }

    /// Suspends until the channel ends and returns why (``ATError/disconnected(path:)`` on unplug),
    /// or ``ATError/cancelled(command:)`` at once when the calling task is cancelled.
    public func waitForTermination() async -> ATError {
        if let reason = terminationReason { return reason }
        let ticket = terminationWaiters.ticket()
        return await suspend(cancelled: nil, register: { terminationWaiters.append(ticket, $0) },
                             onCancel: { $0.terminationWaiters.resume(ticket, returning: nil) })
            ?? .cancelled(command: "waiting for the channel to end")
    }

    // MARK: - Internals

    private func validate(_ command: String) throws(ATError) {
        if command.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\u{1A}" }) {
            throw .invalidCommand(command)
        }
    }

    /// Queues `operation` and waits for its outcome; cancelling the task cancels it at once.
    private func perform(_ operation: ATCommandStateMachine.Operation, label: String) async -> Outcome {
        nextID &+= 1
        let id = nextID
        return await suspend(cancelled: .failure(.cancelled(command: ATCommandStateMachine.redact(label))),
                             register: { waiters[id] = $0; apply(machine.enqueue(id, operation)) },
                             onCancel: { $0.cancel(id) })
    }

    private func cancel(_ id: UInt64) { apply(machine.cancel(id)) }

    private func consume(_ chunk: [UInt8]) { apply(machine.feed(chunk)) }

    private func writeFailed(owner: UInt64?, _ error: SerialPortError) {
        let mapped: ATError = if case .disconnected(let path) = error { .disconnected(path: path) } else { terminationReason ?? .closed }
        apply(machine.writeFailed(owner: owner, error: mapped))
    }

    private func timerFired(token: UInt64) { apply(machine.timerFired(token: token)) }

    private func terminate(_ reason: ATError) {
        let actions = machine.terminate(reason)
        guard !actions.isEmpty else { return }
        apply(actions)
        timer?.cancel()
        timer = nil
        writeContinuation.finish()
        urcContinuation.finish()
        terminationWaiters.resumeAll(returning: reason)
    }

    /// Performs the state machine's actions, in order.
    private func apply(_ actions: [ATCommandStateMachine.Action]) {
        for action in actions {
            switch action {
            case .write(let bytes, let owner):
                writeContinuation.yield((bytes, owner))
            case .startTimer(let token, let after):
                timer?.cancel()
                let clock = self.clock
                timer = Task { [weak self] in
                    do { try await clock.sleep(for: after) } catch { return }
                    await self?.timerFired(token: token)
                }
            case .cancelTimer:
                timer?.cancel()
                timer = nil
            case .complete(let id, let outcome):
                waiters.removeValue(forKey: id)?.resume(returning: outcome)
            case .urc(let urc):
                logger.trace("URC", metadata: ["urc": "\(urc.name)"])
                if case .dropped = urcContinuation.yield(urc) {
                    droppedURCCount += 1
                    if droppedURCCount.isPowerOfTwo {
                        logger.warning("URC flood: oldest URCs dropped", metadata: ["dropped": "\(droppedURCCount)"])
                    }
                }
            case .log(let level, let message):
                logger.log(level: level, "\(message)")
            }
        }
    }
}

extension Int {
    /// 1, 2, 4, 8, …: log a growing count at ever longer intervals.
    var isPowerOfTwo: Bool { self > 0 && (self & (self - 1)) == 0 }
}
