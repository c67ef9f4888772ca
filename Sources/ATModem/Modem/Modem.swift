import Foundation
import Logging
import SerialPort
import ServiceLifecycle

/// A GSM modem: initialisation, PIN, sending with per-part references and delivery reports,
/// receiving with reassembly and acknowledge-before-delete, reconnect after an unplug.
///
/// ```swift
/// let modem = try await Modem(port: "/dev/ttyUSB2", configuration: .init(pin: "1234"))
/// let receipt = try await modem.send(text: "Hello", to: "+41791234567", options: .init(requestDeliveryReport: true))
/// let report = try await modem.deliveryReport(for: receipt, timeout: .seconds(60))
/// for await message in modem.incoming {
///     print(message.sender, message.text ?? "")
///     try await message.acknowledge()
/// }
/// ```
public actor Modem: WaitingActor, Service {
    enum State: Equatable {
        case starting, ready, reconnecting, stopped, closed
    }

    /// The port path (or transport name) this modem uses.
    public nonisolated let port: String
    /// Received messages, reassembled. Acknowledge each to delete it from the modem.
    public nonisolated let incoming: AsyncStream<IncomingMessage>
    /// One final ``DeliveryReport`` per sent message that requested a report.
    public nonisolated let deliveryReports: AsyncStream<DeliveryReport>
    /// Lifecycle events (ready, disconnected, reinitialized, storage full, ...).
    public nonisolated let events: AsyncStream<ModemEvent>
    /// Raw parts and status reports, in ``InboundMode/parts`` mode only (``incoming`` and
    /// ``deliveryReports`` stay empty then). Bounded by the modem's storage: nothing is read again
    /// while it is held, and nothing is deleted before its `acknowledge()`.
    public nonisolated let inbound: AsyncStream<InboundPDU>

    let incomingContinuation: AsyncStream<IncomingMessage>.Continuation
    let reportContinuation: AsyncStream<DeliveryReport>.Continuation
    let eventContinuation: AsyncStream<ModemEvent>.Continuation
    let inboundContinuation: AsyncStream<InboundPDU>.Continuation
    let configuration: Configuration
    let opener: @Sendable () async throws(ModemError) -> any ByteStream
    let clock: any Clock<Duration>
    var logger: Logger

    var state: State = .starting
    var channel: ATChannel?
    /// Callers of ``readyChannel()`` waiting for a reconnect (true: woken; false: their task was cancelled).
    var readyWaiters = Waiters<Bool>()
    var quirks: VendorQuirks = .generic
    var manufacturer: String?
    var pinRejected = false
    var cnmaRequired = false
    var storageMemory = "SM"
    var storageLocked = false
    /// Storage commands waiting for the storage lock (true: it is theirs; false: cancelled).
    var storageWaiters = Waiters<Bool>()
    var reassembler = MessageReassembler()
    var tracker = DeliveryTracker()
    /// Slots read and not yet deleted (waiting for reassembly or the consumer's acknowledge), with the
    /// identity of the part read from each: a slot freed by `AT+CMGD` may be reused at once, so a slot
    /// is only skipped when it still holds the same part.
    var heldSlots: [StorageSlot: String] = [:]
    /// Slots whose PDU could not be decoded: kept on the SIM, not re-read in a loop.
    var badSlots: Set<StorageSlot> = []
    var nextMessageID: UInt64 = 0
    var concatReference: Int
    var finalReports: [UInt64: DeliveryReport] = [:]
    /// Message IDs of ``finalReports`` in arrival order, to keep only the newest.
    var finalReportOrder: [UInt64] = []
    /// Counts of what the bounds dropped or deferred (logged; see ``Limits``).
    var droppedURCs = 0
    var droppedMessages = 0
    var deferredSlots = 0
    /// Callers of ``deliveryReport(for:timeout:)``, by message id.
    var reportWaiters: [UInt64: Waiters<Result<DeliveryReport, ModemError>>] = [:]
    var supervisor: Task<Void, Never>?
    /// Runs the current channel (``ATChannel/run()``).
    var channelRunner: Task<Void, Never>?
    /// Whether ``run()`` is running.
    var running = false
    /// Reassembly timeouts not yet due, oldest first, and the one loop that fires them.
    var expiryQueue: [PendingExpiry] = []
    var expiryLoop: Task<Void, Never>?

    /// A reassembly group's timeout.
    struct PendingExpiry: Sendable {
        var key: MessageReassembler.Key
        var generation: UInt64
        var deadline: any InstantProtocol<Duration>
    }

    /// Opens the tty at `port`, initialises the modem and starts listening.
    /// - Throws: ``ModemError`` (port missing or locked, no answer, PIN problems).
    public init(port: String, configuration: Configuration = .init(),
                clock: any Clock<Duration> = ContinuousClock(), logger: Logger? = nil) async throws(ModemError) {
        let serial = configuration.serial
        try await self.init(name: port, configuration: configuration, clock: clock, logger: logger) { () throws(ModemError) in
            do throws(SerialPortError) { return try SerialPort(path: port, configuration: serial) } catch { throw ModemError.port(error) }
        }
    }

    /// Runs over any transport `open` returns (called again to reconnect). For tests and custom links.
    /// Opens and initialises now, like ``init(port:configuration:clock:logger:)``.
    public init(name: String, configuration: Configuration = .init(), clock: any Clock<Duration> = ContinuousClock(),
                logger: Logger? = nil,
                open: @escaping @Sendable () async throws(ModemError) -> any ByteStream) async throws(ModemError) {
        self.init(waitingFor: name, configuration: configuration, clock: clock, logger: logger, open: open)
        try await start()
    }

    /// Builds a modem without touching its device: nothing is opened until ``run()``, which waits for
    /// the device to appear (a supervisor can hold a `Modem` for a modem that is not plugged in yet).
    /// Commands sent meanwhile wait up to ``Configuration/reconnectWait`` for it.
    ///
    /// ```swift
    /// let modem = Modem(waitingFor: "/dev/smskit/bank-1") { () throws(ModemError) in
    ///     do throws(SerialPortError) { return try SerialPort(path: "/dev/smskit/bank-1") } catch { throw .port(error) }
    /// }
    /// try await withThrowingDiscardingTaskGroup { group in
    ///     group.addTask { await modem.run() }        // or add the modem to a ServiceGroup
    ///     _ = try await modem.send(text: "hi", to: "+41791234567")
    /// }
    /// ```
    public init(waitingFor name: String, configuration: Configuration = .init(), clock: any Clock<Duration> = ContinuousClock(),
                logger: Logger? = nil, open: @escaping @Sendable () async throws(ModemError) -> any ByteStream) {
        self.port = name
        self.configuration = configuration
        self.clock = clock
        self.opener = open
        var log = logger ?? Logger(label: "smskit.modem")
        log[metadataKey: "port"] = "\(name)"
        self.logger = log
        (incoming, incomingContinuation) = AsyncStream<IncomingMessage>.makeStream(
            bufferingPolicy: .bufferingOldest(Limits.bufferedMessages))
        (deliveryReports, reportContinuation) = AsyncStream<DeliveryReport>.makeStream(
            bufferingPolicy: .bufferingNewest(Limits.bufferedReports))
        (events, eventContinuation) = AsyncStream<ModemEvent>.makeStream(bufferingPolicy: .bufferingNewest(Limits.bufferedEvents))
        (inbound, inboundContinuation) = AsyncStream<InboundPDU>.makeStream(
            bufferingPolicy: .bufferingOldest(Limits.bufferedMessages))
        var seed = SystemRandomNumberGenerator()
        concatReference = Int.random(in: 0..<configuration.concatenationReferences.width.modulus, using: &seed)
    }

    /// Runs a modem built with ``init(waitingFor:configuration:clock:logger:open:)``: opens it as soon
    /// as its device can be opened (retrying every ``Configuration/reconnectInterval``), initialises it,
    /// handles its URCs and reconnects after an unplug, in the calling task, until ``close()`` or
    /// cancellation (which closes it). A SIM that cannot be unlocked stops it (``ModemEvent/stopped(_:)``).
    /// Returns at once for a modem that is already running.
    public func run() async {
        guard supervisor == nil, !running, state == .starting else { return }
        running = true
        await withTaskCancellationHandler {
            guard let first = await connectLoop(whileIn: .starting, delayFirst: false) else { return }
            await supervise(first)
        } onCancel: {
            Task { await self.close() }
        }
        running = false
    }

    /// How much the modem buffers, and what it does past each bound (docs/at-driver.md, "Bounds").
    enum Limits {
        /// Messages (or parts) waiting in ``incoming``/``inbound`` for the consumer. Stored ones never
        /// reach it (each holds a slot, and ``heldSlots`` is smaller); routed (`+CMT`) ones past it are
        /// dropped and counted in an error log.
        static let bufferedMessages = 16_384
        /// Final delivery reports waiting in ``deliveryReports`` (the oldest are dropped) and kept for
        /// ``deliveryReport(for:timeout:)``.
        static let bufferedReports = 4_096
        /// Lifecycle events waiting in ``events`` (the oldest are dropped).
        static let bufferedEvents = 256
        /// Slots read and not yet acknowledged. Past it, further stored messages are left on the SIM
        /// unread (counted, logged) until acknowledges free slots; the next scan reads them.
        static let heldSlots = 8_192
        /// Undecodable slots remembered (so they are not re-read in a loop).
        static let badSlots = 8_192
    }

    /// Stops listening, closes the port and ends all streams. Messages not acknowledged stay on the SIM.
    public func close() async {
        guard state != .closed else { return }
        state = .closed
        supervisor?.cancel()
        expiryLoop?.cancel()
        await channel?.close()
        channelRunner?.cancel()
        channelRunner = nil
        channel = nil
        resumeReadyWaiters()
        incomingContinuation.finish()
        reportContinuation.finish()
        eventContinuation.finish()
        inboundContinuation.finish()
        for id in reportWaiters.keys { reportWaiters[id]?.resumeAll(returning: .failure(.closed)) }
        reportWaiters.removeAll()
    }

    /// Whether the modem is connected and initialised right now.
    public var isReady: Bool { state == .ready }

    // MARK: - Connection lifecycle

    private func start() async throws(ModemError) {
        let ch = try await connect()
        supervisor = Task { await self.supervise(ch) }
    }

    /// Opens the transport and runs the init sequence; on success the channel becomes current.
    func connect() async throws(ModemError) -> ATChannel {
        let transport = try await opener()
        var table = URCTable.standard
        table.add(VendorQuirks.allURCPrefixes)
        for q in VendorQuirks.all { table.addResetIndicators(q.resetIndicators) }
        var channelConfig = configuration.channel
        channelConfig.urcTable = table
        let ch = ATChannel(transport: transport, configuration: channelConfig, clock: clock, logger: logger)
        // The channel's reader and writer; it ends when the channel is closed or its port goes away.
        channelRunner?.cancel()
        channelRunner = Task { await ch.run() }
        do {
            try await initialize(ch)
        } catch {
            await ch.close()
            throw error
        }
        guard state != .closed else {
            // close() came while the init sequence ran: the modem stays closed.
            await ch.close()
            throw .closed
        }
        channel = ch
        state = .ready
        // Parts mode: whatever is still stored is handed on again by the next read (the consumer
        // recognises duplicates); an acknowledge lost to the disconnect must not pin a slot forever.
        if configuration.inbound == .parts { heldSlots.removeAll() }
        resumeReadyWaiters()
        eventContinuation.yield(.ready)
        logger.info("modem ready", metadata: ["family": "\(quirks.family)"])
        return ch
    }

    /// Handles URCs of the current channel; reconnects when it ends with a disconnect.
    private func supervise(_ first: ATChannel) async {
        var ch = first
        while true {
            if configuration.readStoredOnStart { await readStored(on: ch) }
            for await urc in ch.urcs {
                await handle(urc, on: ch)
                let dropped = await ch.takeDroppedURCCount()
                if dropped > 0 {
                    // A dropped +CMTI/+CDSI would leave a message unread until the next scan: scan now.
                    droppedURCs += dropped
                    logger.warning("URC flood: URCs dropped; rescanning storage", metadata: ["dropped": "\(droppedURCs)"])
                    await readStored(on: ch)
                }
            }
            let reason = await ch.waitForTermination()
            guard state != .closed else { return }
            if channel === ch { channel = nil }
            guard configuration.reconnect, case .disconnected = reason else {
                stop("channel ended: \(reason)")
                return
            }
            state = .reconnecting
            eventContinuation.yield(.disconnected)
            logger.warning("modem disconnected; reconnecting")
            guard let next = await reconnectLoop() else { return }
            ch = next
        }
    }

    private func reconnectLoop() async -> ATChannel? { await connectLoop(whileIn: .reconnecting, delayFirst: true) }

    /// Connects, retrying every ``Configuration/reconnectInterval`` while the state stays `phase`
    /// (the device is absent, not answering yet, or gone); a SIM that cannot be unlocked stops it.
    private func connectLoop(whileIn phase: State, delayFirst: Bool) async -> ATChannel? {
        var wait = delayFirst
        while state == phase {
            if wait {
                do { try await clock.sleep(for: SafeDuration.clamp(configuration.reconnectInterval)) } catch { return nil }
                guard state == phase else { return nil }
            }
            wait = true
            do {
                return try await connect()
            } catch {
                switch error {
                case .pinRejected, .pukRequired, .pinRequired, .unsupportedLock, .invalidPIN, .pinAttemptsExhausted:
                    stop("cannot unlock SIM: \(error)")
                    return nil
                default:
                    logger.debug("open failed; retrying", metadata: ["error": "\(error)"])
                }
            }
        }
        return nil
    }

    private func stop(_ reason: String) {
        state = .stopped
        eventContinuation.yield(.stopped(reason))
        logger.error("modem stopped", metadata: ["reason": "\(reason)"])
        resumeReadyWaiters()
    }

    private func resumeReadyWaiters() { readyWaiters.resumeAll(returning: true) }

    /// The current channel, waiting up to ``Configuration/reconnectWait`` for a reconnect.
    func readyChannel() async throws(ModemError) -> ATChannel {
        if state == .ready, let channel { return channel }
        if state == .closed { throw .closed }
        if state == .stopped { throw .disconnected(port: port) }
        let wait = configuration.reconnectWait
        let clock = self.clock
        let timer = Task { [weak self] in
            do { try await clock.sleep(for: SafeDuration.clamp(wait)) } catch { return }
            await self?.resumeReadyWaiters()
        }
        let ticket = readyWaiters.ticket()
        let woken = await suspend(cancelled: false, register: { readyWaiters.append(ticket, $0) },
                                  onCancel: { $0.readyWaiters.resume(ticket, returning: false) })
        timer.cancel()
        if !woken { throw .cancelled("waiting for \(port) to reconnect") }
        if state == .ready, let channel { return channel }
        if state == .closed { throw .closed }
        throw .disconnected(port: port)
    }

    /// Runs a command on the current channel, mapping errors.
    @discardableResult
    func run(_ command: String, expecting: [String] = [], timeout: Duration? = nil) async throws(ModemError) -> ATResponse {
        let ch = try await readyChannel()
        do { return try await ch.send(command, expecting: expecting, timeout: timeout) } catch { throw .command(error) }
    }
}
