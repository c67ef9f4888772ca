import Logging
import SerialPort

/// Runs AT commands over a ``ByteStream``: one command in flight, the rest wait in FIFO order;
/// per-command timeouts measured on an injected clock; URCs delivered on ``urcs`` whenever they
/// arrive, including between a command and its result.
///
/// ```swift
/// let channel = ATChannel(transport: try SerialPort(path: "/dev/ttyUSB2"))
/// let csq = try await channel.send("AT+CSQ", expecting: ["+CSQ:"])
/// let mr = try await channel.sendPDU("AT+CMGS=23", pdu: hex, timeout: .seconds(60))
/// ```
public actor ATChannel {
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

    private enum Stage: Sendable {
        case prompt
        case final(ATFinalResult, [String])
        case failed(ATError)
    }

    private struct Pending {
        let id: UInt64
        let command: String
        var lines: [String] = []
        var overflowed = false
        var waiter: CheckedContinuation<Stage, Never>?
        var buffered: Stage?
        var timeout: Task<Void, Never>?
    }

    /// Unsolicited result codes in arrival order. Finishes when the transport ends.
    public nonisolated let urcs: AsyncStream<URC>
    private let urcContinuation: AsyncStream<URC>.Continuation
    private let transport: any ByteStream
    private let clock: any Clock<Duration>
    private var logger: Logger
    /// Settings in use.
    public let configuration: Configuration
    private var decoder: ATResponseDecoder
    private var pending: Pending?
    private var nextID: UInt64 = 0
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []
    /// URCs dropped because the reader of ``urcs`` fell more than
    /// ``Configuration/maximumBufferedURCs`` behind (the newest are kept).
    public private(set) var droppedURCCount = 0
    /// Why the channel ended (nil while it is open).
    public private(set) var terminationReason: ATError?
    private var terminationWaiters: [CheckedContinuation<ATError, Never>] = []

    /// Starts reading `transport`. `clock` measures timeouts (inject a test clock for virtual time).
    public init(transport: any ByteStream, configuration: Configuration = .init(),
                clock: any Clock<Duration> = ContinuousClock(), logger: Logger = Logger(label: "smskit.at")) {
        self.transport = transport
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.decoder = ATResponseDecoder(urcTable: configuration.urcTable)
        (urcs, urcContinuation) = AsyncStream<URC>.makeStream(bufferingPolicy: .bufferingNewest(configuration.maximumBufferedURCs))
        let bytes = transport.incoming
        Task { [weak self] in
            do {
                for try await chunk in bytes {
                    guard let self else { return }
                    await self.consume(chunk)
                }
                await self?.terminate(.closed)
            } catch let error as SerialPortError {
                switch error {
                case .disconnected(let path): await self?.terminate(.disconnected(path: path))
                default: await self?.terminate(.closed)
                }
            } catch {
                await self?.terminate(.closed)
            }
        }
    }

    /// Adds URC prefixes (vendor quirks) to the running decoder.
    public func addURCPrefixes(_ prefixes: [String], resetIndicators: [String] = []) {
        decoder.urcTable.add(prefixes)
        decoder.urcTable.addResetIndicators(resetIndicators)
    }

    /// Sends `command` (without CR) and returns its information lines when it ends in `OK`.
    /// - Parameters:
    ///   - expecting: response prefixes (`+CSQ:`) that are answers even if they look like URCs.
    ///   - timeout: overrides ``Configuration/commandTimeout``.
    /// - Throws: ``ATError`` with the 27.005/27.007 meaning of an error result, a timeout or a disconnect.
    @discardableResult
    public func send(_ command: String, expecting: [String] = [], timeout: Duration? = nil) async throws(ATError) -> ATResponse {
        try validate(command)
        await acquire()
        defer { release() }
        try begin(ATExpectation(command: command, responsePrefixes: expecting))
        try await write(Array((command + "\r").utf8))
        return try finish(await awaitStage(timeout: timeout ?? configuration.commandTimeout), command: command)
    }

    /// Sends a command that prompts for input (`AT+CMGS=<tpdu length>`), writes `pdu` (hex) and
    /// Ctrl-Z after the `> ` prompt, and returns the response lines (`+CMGS: <mr>`).
    /// If the prompt does not come, ESC cancels the input mode.
    public func sendPDU(_ command: String, pdu: String, timeout: Duration? = nil) async throws(ATError) -> ATResponse {
        try validate(command)
        guard ATLineParser.isHex(pdu) else { throw .invalidCommand(pdu) }
        await acquire()
        defer { release() }
        let prefix = String(command.prefix(while: { $0 != "=" })).dropFirst(2)
        try begin(ATExpectation(command: command, responsePrefixes: ["\(prefix):"], expectsPrompt: true, echoes: [pdu]))
        try await write(Array((command + "\r").utf8))
        let first = await awaitStage(timeout: configuration.promptTimeout)
        switch first {
        case .prompt:
            try await write(Array(pdu.utf8) + [0x1A])
            let result = await awaitStage(timeout: timeout ?? configuration.submitTimeout)
            if case .failed(let error) = result {
                switch error {
                case .timeout(_, let after):
                    // Leave PDU-input mode in case the modem never saw the Ctrl-Z.
                    try? await transport.write([0x1B])
                    throw .unconfirmed(command: command, reason: "no result within \(after) after the PDU")
                case .disconnected(let path):
                    throw .unconfirmed(command: command, reason: "the port \(path) went away after the PDU")
                case .closed:
                    throw .unconfirmed(command: command, reason: "the channel was closed after the PDU")
                default: break
                }
            }
            return try finish(result, command: command)
        case .failed(.timeout(let c, let d)):
            try? await transport.write([0x1B])
            throw .timeout(command: c, after: d)
        default:
            return try finish(first, command: command)
        }
    }

    /// Writes ESC: leaves PDU-input mode (`> `) if a previous client died there, so the next `AT`
    /// is read as a command. Queued behind any command in flight; a late `OK` it causes arrives while
    /// no command is pending and is dropped.
    public func cancelInputMode() async {
        await acquire()
        defer { release() }
        try? await transport.write([0x1B])
    }

    /// Ends PDU-input mode on a modem that ignores ESC: Ctrl-Z (the modem rejects the half-typed
    /// input, `+CMS ERROR: 304`) and then ESC. A last resort of the init sync: Ctrl-Z would submit a
    /// complete PDU a dead client had typed without its Ctrl-Z. Late results are dropped as strays.
    public func abandonInputMode() async {
        await acquire()
        defer { release() }
        try? await transport.write([0x1A])
        try? await clock.sleep(for: .milliseconds(200))
        try? await transport.write([0x1B])
    }

    /// Returns and resets ``droppedURCCount``.
    public func takeDroppedURCCount() -> Int {
        defer { droppedURCCount = 0 }
        return droppedURCCount
    }

    /// Closes the transport; pending and queued commands fail with ``ATError/closed``.
    public func close() {
        transport.close()
        terminate(.closed)
    }

    /// Suspends until the channel ends and returns why (``ATError/disconnected(path:)`` on unplug).
    public func waitForTermination() async -> ATError {
        if let reason = terminationReason { return reason }
        return await withCheckedContinuation { terminationWaiters.append($0) }
    }

    // MARK: - Internals

    private func validate(_ command: String) throws(ATError) {
        if command.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\u{1A}" }) {
            throw .invalidCommand(command)
        }
    }

    private func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { queue.append($0) }
    }

    private func release() {
        pending?.timeout?.cancel()
        pending = nil
        if queue.isEmpty { busy = false } else { queue.removeFirst().resume() }
    }

    private func begin(_ expectation: ATExpectation) throws(ATError) {
        if let reason = terminationReason { throw reason }
        nextID &+= 1
        pending = Pending(id: nextID, command: Self.redact(expectation.command))
        decoder.expect(expectation)
        logger.trace("AT >", metadata: ["command": "\(Self.redact(expectation.command))"])
    }

    private func write(_ bytes: [UInt8]) async throws(ATError) {
        do {
            try await transport.write(bytes)
        } catch {
            decoder.cancelExpectation()
            switch error {
            case .disconnected(let path): throw .disconnected(path: path)
            default: throw terminationReason ?? .closed
            }
        }
    }

    private func finish(_ stage: Stage, command: String) throws(ATError) -> ATResponse {
        switch stage {
        case .final(let result, let lines):
            if result.isSuccess { return ATResponse(lines: lines) }
            throw ATError(result: result, command: Self.redact(command))
        case .failed(let error):
            throw error
        case .prompt:
            throw .unexpectedResult(.error, command: command)
        }
    }

    private func awaitStage(timeout requested: Duration) async -> Stage {
        let timeout = Self.clamp(requested)
        guard var p = pending else { return .failed(terminationReason ?? .closed) }
        if let stage = p.buffered {
            p.buffered = nil
            pending = p
            return stage
        }
        let id = p.id
        let clock = self.clock
        p.timeout?.cancel()
        p.timeout = Task { [weak self] in
            do { try await clock.sleep(for: timeout) } catch { return }
            await self?.timeoutFired(id: id, after: timeout)
        }
        pending = p
        return await withCheckedContinuation { continuation in
            pending?.waiter = continuation
        }
    }

    private func timeoutFired(id: UInt64, after: Duration) {
        guard pending?.id == id, pending?.waiter != nil else { return }
        decoder.cancelExpectation()
        logger.warning("AT command timed out", metadata: ["after": "\(after)"])
        deliver(.failed(.timeout(command: pending?.command ?? "", after: after)))
    }

    private func deliver(_ stage: Stage) {
        guard var p = pending else { return }
        p.timeout?.cancel()
        p.timeout = nil
        if let waiter = p.waiter {
            p.waiter = nil
            pending = p
            waiter.resume(returning: stage)
        } else {
            p.buffered = stage
            pending = p
        }
    }

    private func consume(_ chunk: [UInt8]) {
        for event in decoder.feed(chunk) {
            switch event {
            case .response(let line):
                guard var p = pending, !p.overflowed else { continue }
                if p.lines.count >= configuration.maximumResponseLines {
                    // Fail the command now: the modem keeps talking without a final result.
                    p.overflowed = true
                    p.lines.removeAll()
                    pending = p
                    decoder.cancelExpectation()
                    logger.warning("AT response too long; command failed", metadata: ["lines": "\(configuration.maximumResponseLines)"])
                    deliver(.failed(.responseTooLarge(command: p.command, limit: configuration.maximumResponseLines)))
                    continue
                }
                p.lines.append(line)
                pending = p
            case .prompt:
                deliver(.prompt)
            case .final(let result):
                deliver(.final(result, pending?.lines ?? []))
            case .urc(let urc):
                logger.trace("URC", metadata: ["urc": "\(urc.name)"])
                if case .dropped = urcContinuation.yield(urc) {
                    droppedURCCount += 1
                    if droppedURCCount.isPowerOfTwo {
                        logger.warning("URC flood: oldest URCs dropped", metadata: ["dropped": "\(droppedURCCount)"])
                    }
                }
            case .stray(let line):
                logger.debug("stray line dropped", metadata: ["line": "\(line.prefix(80))"])
            }
        }
    }

    private func terminate(_ reason: ATError) {
        guard terminationReason == nil else { return }
        terminationReason = reason
        deliver(.failed(reason))
        urcContinuation.finish()
        let waiters = terminationWaiters
        terminationWaiters.removeAll()
        for w in waiters { w.resume(returning: reason) }
    }

    /// Hides the PIN/PUK in `AT+CPIN="1234"` so secrets never reach logs or errors.
    static func redact(_ command: String) -> String {
        command.uppercased().hasPrefix("AT+CPIN=") ? "AT+CPIN=<redacted>" : command
    }
}

extension Int {
    /// 1, 2, 4, 8, …: log a growing count at ever longer intervals.
    var isPowerOfTwo: Bool { self > 0 && (self & (self - 1)) == 0 }
}
