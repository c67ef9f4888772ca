import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One virtual GSM modem: an AT command interpreter behind a pseudo-terminal, attached to a ``VirtualNetwork``.
///
/// Open ``portPath`` like `/dev/ttyUSB2` from any program. Read what happened with ``transcript``,
/// ``sentMessages`` and ``faultLog``; pull the cable with ``unplug()`` and ``replug()``.
/// ```swift
/// let modem = try await net.addModem(number: "+15550001")
/// let path = await modem.portPath   // "/dev/pts/7"
/// ```
public actor VirtualModem {
    /// The subscriber number.
    public nonisolated let number: String
    let configuration: ModemConfiguration
    weak var network: VirtualNetwork?
    let clock: any Clock<Duration>
    let wallTime: @Sendable () -> Date
    let logger: Logger

    // Hosting.
    var host: PTYHost?
    private var inputTask: Task<Void, Never>?
    private var inputContinuation: AsyncStream<[UInt8]>.Continuation?
    private var unplugTask: Task<Void, Never>?
    /// Incremented on every unplug, so a command that was running when the cable went does not answer later.
    var generation = 0

    /// The slave path clients open (`/dev/pts/N`), nil while unplugged.
    public private(set) var portPath: String?
    /// The symlink kept in the link directory, if any.
    public nonisolated var linkPath: String? {
        configuration.linkDirectory.map { ($0 as NSString).appendingPathComponent(number) }
    }
    /// Everything the client wrote and the modem answered, in order (the newest ``ModemConfiguration/logLimit``).
    public private(set) var transcript: BoundedLog<TranscriptEntry>
    /// Messages this modem submitted to the network, in order (the newest ``ModemConfiguration/logLimit``;
    /// `sentMessages.appendedCount` counts them all).
    public internal(set) var sentMessages: BoundedLog<SentMessage>
    /// Faults injected at this modem (slow replies, interleaved URCs, noise, unplugs), in order
    /// (the newest ``ModemConfiguration/logLimit``).
    public internal(set) var faultLog: BoundedLog<FaultEvent>

    // Modem state.
    var settings = ModemSettings()
    var sim: SIMCard
    var storage: MessageStorage
    var serviceCentre: String
    var functionality = 1
    var registrationOverride: RegistrationStatus?
    var lastReportedRegistration: RegistrationStatus?
    var faults: Faults
    var rng: SeededGenerator
    var nextReference: UInt8 = 0
    var pendingAcknowledgement: PendingAcknowledgement?

    // Input state.
    private var lineBuffer: [UInt8] = []
    var prompt: PromptState?
    var busy = false
    private var queuedURCs: [[String]] = []
    private var lastCommandLine = ""

    init(configuration: ModemConfiguration, network: VirtualNetwork, seed: UInt64, faults: Faults,
         clock: any Clock<Duration>, wallTime: @escaping @Sendable () -> Date, serviceCentre: String) {
        number = configuration.number
        self.configuration = configuration
        self.network = network
        self.clock = clock
        self.wallTime = wallTime
        self.faults = faults
        self.serviceCentre = serviceCentre
        rng = SeededGenerator(seed: seed, stream: "modem " + configuration.number)
        sim = SIMCard(pin: configuration.pin, puk: configuration.puk)
        storage = MessageStorage(sm: configuration.simCapacity, me: configuration.modemCapacity,
                                 sr: configuration.statusReportCapacity)
        transcript = BoundedLog(limit: configuration.logLimit)
        sentMessages = BoundedLog(limit: configuration.logLimit)
        faultLog = BoundedLog(limit: configuration.logLimit)
        var logger = Logger(label: "smskit.emulator")
        logger[metadataKey: "modem"] = "\(configuration.number)"
        self.logger = logger
    }

    // MARK: - Public API

    /// Pulls the cable: the PTY master is closed (clients read `EIO`), the symlink removed, volatile state lost.
    /// Messages for this number wait at the SMSC until ``replug()``.
    public func unplug() async {
        guard let host else { return }
        generation += 1
        inputContinuation?.finish()
        inputContinuation = nil
        inputTask?.cancel()
        inputTask = nil
        self.host = nil
        portPath = nil
        await host.stop()
        if let linkPath { unlink(linkPath) }
        faultLog.append(FaultEvent(kind: .unplug, modem: number, detail: host.path))
        logger.debug("unplugged", metadata: ["port": "\(host.path)"])
    }

    /// Plugs the modem back in: a new PTY (the `/dev/pts` number may differ; the symlink follows), power-on state.
    public func replug() async throws {
        guard host == nil else { return }
        powerOn()
        try plug()
        faultLog.append(FaultEvent(kind: .replug, modem: number, detail: portPath ?? ""))
        await network?.modemBecameAvailable(number)
    }

    /// Sets the registration state reported by `+CREG`/`+CGREG` (nil returns to normal: home when the SIM is ready).
    public func setRegistration(_ status: RegistrationStatus?) async {
        registrationOverride = status
        reportRegistrationChange()
        if registration == .home || registration == .roaming { await network?.modemBecameAvailable(number) }
    }

    /// How full one memory is (`MT` adds up SM and ME).
    public func storageUsage(_ memory: MessageMemory) -> StorageUsage {
        StorageUsage(used: storage.used(memory), capacity: storage.total(memory))
    }

    /// The messages in one memory, in index order (for assertions).
    public func storedMessages(in memory: MessageMemory = .sm) -> [(index: Int, message: StoredMessage)] {
        storage.list(memory)
    }

    /// Forgets the transcript so far.
    public func clearTranscript() { transcript.removeAll() }

    // MARK: - Lifecycle (network side)

    /// Opens the PTY and starts reading from it.
    func plug() throws(EmulatorError) {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let host = try PTYHost { bytes in continuation.yield(bytes) }
        if let linkPath {
            unlink(linkPath)
            guard symlink(host.path, linkPath) == 0 else {
                let code = errno
                continuation.finish()
                Task { await host.stop() }
                throw .linkFailed(path: linkPath, errno: code)
            }
        }
        self.host = host
        inputContinuation = continuation
        portPath = host.path
        inputTask = Task { [weak self] in
            for await chunk in stream {
                await self?.receive(chunk)
            }
        }
        lastReportedRegistration = registration
        logger.debug("plugged", metadata: ["port": "\(host.path)"])
    }

    /// Resets volatile state as a power cycle does (SIM relocks, settings reset, pending input dropped).
    private func powerOn() {
        settings = ModemSettings()
        sim.powerCycle()
        functionality = 1
        lineBuffer = []
        prompt = nil
        busy = false
        queuedURCs = []
        pendingAcknowledgement = nil
    }

    /// Stops everything (network shutdown).
    func shutdown() async {
        unplugTask?.cancel()
        unplugTask = nil
        pendingAcknowledgement?.timeout.cancel()
        pendingAcknowledgement = nil
        if let host {
            generation += 1
            inputContinuation?.finish()
            inputTask?.cancel()
            self.host = nil
            portPath = nil
            await host.stop()
            if let linkPath { unlink(linkPath) }
        }
    }

    /// New faults from ``VirtualNetwork/setFaults(_:)``; restarts the automatic unplug schedule.
    func applyFaults(_ faults: Faults) {
        self.faults = faults
        reportRegistrationChange()
        unplugTask?.cancel()
        unplugTask = nil
        guard faults.unplugEvery != nil else { return }
        unplugTask = Task { [weak self] in await self?.runUnplugSchedule() }
    }

    private func runUnplugSchedule() async {
        var scheduleRNG = SeededGenerator(seed: rng.next(), stream: "unplug")
        while !Task.isCancelled, let every = faults.unplugEvery {
            let wait = scheduleRNG.duration(in: every)
            let away = scheduleRNG.duration(in: faults.unplugFor)
            do { try await clock.sleep(for: wait) } catch { return }
            await unplug()
            do { try await clock.sleep(for: away) } catch { return }
            do { try await replug() } catch {
                logger.error("replug failed: \(error)")
                return
            }
        }
    }

    // MARK: - Registration

    /// The registration status the modem reports now.
    var registration: RegistrationStatus {
        guard functionality == 1, sim.state == .ready else { return .notRegistered }
        if let registrationOverride { return registrationOverride }
        return faults.notRegistered ? .searching : .home
    }

    /// True when SMS can be sent and received.
    var isRegistered: Bool { registration == .home || registration == .roaming }

    /// Prints `+CREG:`/`+CGREG:` URCs when the status changed and the URC mode asks for them.
    func reportRegistrationChange() {
        let status = registration
        guard status != lastReportedRegistration else { return }
        lastReportedRegistration = status
        if settings.cregMode > 0 { emitURC([registrationLine("+CREG", mode: settings.cregMode, urc: true)]) }
        if settings.cgregMode > 0 { emitURC([registrationLine("+CGREG", mode: settings.cgregMode, urc: true)]) }
    }

    /// `+CREG: <n>,<stat>[,<lac>,<ci>]` (read form) or `+CREG: <stat>[,<lac>,<ci>]` (URC).
    func registrationLine(_ name: String, mode: Int, urc: Bool) -> String {
        let status = registration
        var fields = urc ? ["\(status.rawValue)"] : ["\(mode)", "\(status.rawValue)"]
        if mode == 2, status == .home || status == .roaming { fields += ["\"00A1\"", "\"1B2C\""] }
        return "\(name): " + fields.joined(separator: ",")
    }

    // MARK: - Output

    /// Writes raw text to the client and the transcript.
    func write(_ text: String) {
        guard let host, !text.isEmpty else { return }
        if let last = transcript.last, last.direction == .toClient, last.text.utf8.count < 4096 {
            transcript.modifyLast { $0.text += text }
        } else {
            transcript.append(TranscriptEntry(direction: .toClient, text: text))
        }
        host.write(text.latin1Bytes)
    }

    /// Information lines framed per `ATV`: `\r\n<l1>\r\n<l2>\r\n` (V1) or `<l1>\r\n<l2>\r\n` (V0).
    func framed(_ lines: [String]) -> String {
        guard !lines.isEmpty else { return "" }
        let body = lines.joined(separator: "\r\n") + "\r\n"
        return settings.verbose ? "\r\n" + body : body
    }

    /// The final result code text for `result`, per `ATV` and `AT+CMEE`.
    func finalText(_ result: FinalResult) -> String {
        let verboseText: String
        let numeric: String?
        switch result {
        case .ok: (verboseText, numeric) = ("OK", "0")
        case .noCarrier: (verboseText, numeric) = ("NO CARRIER", "3")
        case .failure(.error): (verboseText, numeric) = ("ERROR", "4")
        case .failure(.cme(let error)):
            switch settings.errorMode {
            case 0: (verboseText, numeric) = ("ERROR", "4")
            case 1: (verboseText, numeric) = ("+CME ERROR: \(error.rawValue)", nil)
            default: (verboseText, numeric) = ("+CME ERROR: \(error.text)", nil)
            }
        case .failure(.cms(let error)):
            verboseText = settings.errorMode == 2 ? "+CMS ERROR: \(error.text)" : "+CMS ERROR: \(error.rawValue)"
            numeric = nil
        }
        if settings.verbose { return "\r\n\(verboseText)\r\n" }
        if let numeric { return "\(numeric)\r" }
        return "\(verboseText)\r\n"
    }

    /// Prints an unsolicited result code now, or queues it while a command runs or `+CNMI` mode is 0.
    func emitURC(_ lines: [String]) {
        if busy || settings.cnmi.mode == 0 || host == nil {
            queuedURCs.append(lines)
        } else {
            write(framed(lines))
        }
    }

    /// Removes and returns one queued URC (for the interleaving fault).
    func takeQueuedURC() -> [String]? {
        queuedURCs.isEmpty ? nil : queuedURCs.removeFirst()
    }

    /// Prints queued URCs once the modem is idle and `+CNMI` mode allows it.
    func flushURCs() {
        guard !busy, settings.cnmi.mode != 0, host != nil else { return }
        let urcs = queuedURCs
        queuedURCs = []
        for lines in urcs { write(framed(lines)) }
    }

    /// Drops buffered URCs (`AT+CNMI=<mode>,…,1` with `<bfr>` 1).
    func clearQueuedURCs() { queuedURCs = [] }

    // MARK: - Input

    /// Handles bytes from the client: echo, line assembly, prompt input.
    func receive(_ chunk: [UInt8]) async {
        transcript.append(TranscriptEntry(direction: .fromClient, text: String(latin1: chunk)))
        let startGeneration = generation
        for byte in chunk {
            guard generation == startGeneration else { return }
            if prompt != nil {
                await receivePromptByte(byte)
            } else {
                await receiveCommandByte(byte)
            }
        }
    }

    private func receiveCommandByte(_ byte: UInt8) async {
        if settings.echo { write(String(latin1: [byte])) }
        switch byte {
        case 0x0D:
            let line = String(latin1: lineBuffer)
            lineBuffer = []
            await processLine(line)
        case 0x0A: break
        case 0x08, 0x7F:
            if !lineBuffer.isEmpty { lineBuffer.removeLast() }
        default:
            if lineBuffer.count < 4096 { lineBuffer.append(byte) }
            // "A/" repeats the last command line at once, without CR.
            if lineBuffer.count == 2, lineBuffer.map({ $0 | 0x20 }) == [0x61, 0x2F] {
                lineBuffer = []
                await processLine(lastCommandLine)
            }
        }
    }

    private func receivePromptByte(_ byte: UInt8) async {
        guard var state = prompt else { return }
        switch byte {
        case 0x1A:
            prompt = nil
            await finishPrompt(state)
        case 0x1B:
            prompt = nil
            write(finalText(.ok))
            finishCommand()
        case 0x0D:
            if settings.echo { write("\r") }
            if state.isText {
                state.buffer.append(0x0A)
                prompt = state
                write("\r\n> ")
            }
        case 0x0A:
            break
        case 0x08:
            if settings.echo { write("\u{08}") }
            if !state.buffer.isEmpty { state.buffer.removeLast() }
            prompt = state
        default:
            if settings.echo { write(String(latin1: [byte])) }
            if state.buffer.count < 8192 { state.buffer.append(byte) }
            prompt = state
        }
    }

    /// Runs one command line: finds `AT`, parses, executes each command, prints the responses and the final result.
    func processLine(_ rawLine: String) async {
        guard let start = rawLine.uppercased().range(of: "AT") else { return }  // non-AT lines are ignored
        let offset = rawLine.uppercased().distance(from: rawLine.uppercased().startIndex, to: start.lowerBound)
        let line = String(rawLine.dropFirst(offset))
        lastCommandLine = line
        let body = String(line.dropFirst(2))
        busy = true
        let startGeneration = generation
        let commands: [ATCommand]
        do {
            commands = try ATCommandLineParser.parse(body)
        } catch {
            await finish(result: .failure(.error), generation: startGeneration)
            return
        }
        for command in commands {
            let outcome: CommandOutcome
            do {
                outcome = try await execute(command)
            } catch let failure as ATFailure {
                await finish(result: .failure(failure), generation: startGeneration)
                return
            } catch {
                await finish(result: .failure(.cme(.unknown)), generation: startGeneration)
                return
            }
            guard generation == startGeneration else { return }
            switch outcome {
            case .lines(let lines):
                write(framed(lines))
            case .prompt(let state):
                prompt = state
                write("\r\n> ")
                return  // the rest of the line is ignored, as on real modems
            case .final(let result):
                await finish(result: result, generation: startGeneration)
                return
            }
        }
        await finish(result: .ok, generation: startGeneration)
    }

    /// Prints the final result (with the slow-reply, URC and noise faults) and leaves the busy state.
    func finish(result: FinalResult, generation startGeneration: Int) async {
        let slow = rng.chance(faults.slowReplies)
        let slowDelay = rng.duration(in: faults.slowDelay)
        let interleave = rng.chance(faults.urcInterleave)
        let noisy = rng.chance(faults.noise)
        let noiseChoice = rng.index(3)
        let noiseValue = rng.index(32)
        if interleave {
            let urc = takeQueuedURC() ?? [registrationLine("+CREG", mode: 1, urc: true)]
            faultLog.append(FaultEvent(kind: .urcInterleave, modem: number, detail: urc.joined(separator: " ")))
            write(framed(urc))
        }
        if slow {
            faultLog.append(FaultEvent(kind: .slowReply, modem: number, detail: "\(slowDelay)"))
            try? await clock.sleep(for: slowDelay)
            guard generation == startGeneration else { return }
        }
        write(finalText(result))
        if noisy {
            let line = ["^RSSI: \(noiseValue)", "^BOOT: 20952548,0,0,0,\(noiseValue)", "^MODE: 5,\(noiseValue % 8)"][noiseChoice]
            faultLog.append(FaultEvent(kind: .noise, modem: number, detail: line))
            write(framed([line]))
        }
        finishCommand()
    }

    /// Leaves the busy state and prints what waited.
    func finishCommand() {
        busy = false
        reportRegistrationChange()
        flushURCs()
    }
}

/// The final result of a command line.
enum FinalResult: Sendable, Equatable {
    case ok, noCarrier
    case failure(ATFailure)
}

/// What one command did: printed lines, opened a `> ` prompt, or ended the line.
enum CommandOutcome: Sendable {
    case lines([String])
    case prompt(PromptState)
    case final(FinalResult)
}

/// A `> ` prompt in progress (`AT+CMGS`, `AT+CMGW`, `AT+CNMA` with a PDU).
struct PromptState: Sendable {
    /// What the prompt is for.
    enum Purpose: Sendable { case send, write, acknowledge }
    var purpose: Purpose
    /// PDU mode: the announced TPDU length. Nil in text mode.
    var pduLength: Int?
    /// Text mode: destination address and its type.
    var address: String?
    var addressType: Int?
    /// `AT+CMGW`: the status to store.
    var status: StoredMessage.Status = .storedUnsent
    var buffer: [UInt8] = []

    var isText: Bool { pduLength == nil && purpose != .acknowledge }
}

/// A `+CMT`/`+CDS` waiting for `AT+CNMA` (with `AT+CSMS=1`).
struct PendingAcknowledgement: Sendable {
    var pdu: [UInt8]
    var isStatusReport: Bool
    var timeout: Task<Void, Never>
}
