import ATModem
import Foundation
import Logging
import SMSPDU
import ServiceLifecycle

/// Drives one modem for the gateway: opens it (waiting for the device), records its identity,
/// takes messages from the store and sends them part by part (each part marked `sending` before
/// the PDU is written), and commits every received part and status report before deleting it
/// from the SIM. Ends when its task is cancelled.
public actor ModemWorker {
    /// Live state for `GET /v1/modems`: the link's own state, or the operator's hold on it
    /// (`suspended`, `draining`, `drained`; ``ModemControlAction``).
    public var resource: ModemResource {
        var r = live
        switch hold {
        case .none: break
        case .suspended: r.state = "suspended"
        case .draining: r.state = inHand ? "draining" : "drained"
        }
        return r
    }
    /// The link's state (`starting`, `ready`, `reconnecting`, `gone`) and health.
    private var live: ModemResource
    /// The operator's hold (``control(_:)``).
    private var hold = ModemHold.none
    /// Whether a message is being claimed or sent now.
    private var inHand = false
    public nonisolated let settings: ModemSettings

    private let store: any GatewayStore
    /// Takes SecureSMS frames (8-bit data to its port) instead of the inbox (gateways with `--identity`).
    private let frames: (any InboundFrameHandler)?
    private let sendBell: Doorbell
    private let inboxBell: Doorbell
    private let retry: RetryPolicy
    private let modemConfiguration: Modem.Configuration
    private var logger: Logger
    private var modem: Modem?
    private var consecutiveFailures = 0
    /// Whether the modem was reset since it last sent successfully.
    private var resetSinceHealthy = false
    private var failedTotal = 0
    private var nextSendAllowed = ContinuousClock.now
    private var unhealthyUntil: ContinuousClock.Instant?

    public init(settings: ModemSettings, store: any GatewayStore, sendBell: Doorbell, inboxBell: Doorbell,
                retry: RetryPolicy, modemConfiguration: Modem.Configuration = .init(), frames: (any InboundFrameHandler)? = nil,
                logger: Logger) {
        self.settings = settings
        self.store = store
        self.frames = frames
        self.sendBell = sendBell
        self.inboxBell = inboxBell
        self.retry = retry
        var config = modemConfiguration
        config.pin = settings.pin
        config.inbound = .parts
        config.sendRetries = 0
        self.modemConfiguration = config
        var log = logger
        log[metadataKey: "port"] = "\(settings.port)"
        self.logger = log
        self.live = ModemResource(id: settings.port, port: settings.port, number: settings.number, state: "starting",
                                      healthy: false, dailyCap: settings.dailyCap, ratePerMinute: settings.ratePerMinute)
    }

    /// Opens the modem and runs its loops until cancelled. Never throws: a missing device is
    /// waited for, a broken one reopened.
    public func run() async {
        var delay = Duration.milliseconds(200)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let m = try await Modem(port: settings.port, configuration: modemConfiguration, logger: logger)
                delay = .milliseconds(200)
                await serve(m)
                await m.close()
                modem = nil
                if Task.isCancelled { break }
                live.state = "reconnecting"
            } catch {
                live.state = "gone"
                live.healthy = false
                logger.debug("modem not available yet", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        live.state = "gone"
        live.healthy = false
    }

    /// Whether the modem is up (for the ready line).
    public var isReady: Bool { live.state == "ready" }

    /// Refreshes signal and registration for the API.
    public func refreshHealth() async {
        guard let modem, live.state == "ready" else { return }
        if let h = try? await modem.health() {
            live.signal = h.rssi
            live.registered = h.registration.isRegistered
            live.operator = h.operatorName
        }
        live.queued = (try? await store.queuedPinned(modem: live.id, number: live.number)) ?? live.queued
        live.sentToday = (try? await store.partsSent(modem: live.id, since: Self.startOfDay())) ?? live.sentToday
    }

    // MARK: - Serving one open modem

    private func serve(_ m: Modem) async {
        modem = m
        do {
            let identity = try await m.identity()
            var number = settings.number
            if number == nil { number = (try? await m.ownNumber()) ?? nil }
            let id = identity.imei ?? identity.iccid ?? settings.port
            live.id = id
            live.number = number
            live.imei = identity.imei
            live.iccid = identity.iccid
            live.manufacturer = identity.manufacturer
            live.model = identity.model
            logger[metadataKey: "modem"] = "\(id)"
            try await store.upsertModem(ModemRecord(id: id, port: settings.port, number: number, imei: identity.imei,
                                                    iccid: identity.iccid, manufacturer: identity.manufacturer,
                                                    model: identity.model), now: Date())
        } catch {
            logger.warning("modem identification failed; reopening", metadata: ["error": "\(error)"])
            return
        }
        live.state = "ready"
        live.healthy = true
        consecutiveFailures = 0
        await keepRateAfterHandover()
        await refreshHealth()
        let claim = ModemClaim(id: live.id, number: live.number)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.receiveLoop(m, claim: claim) }
            group.addTask { await self.watchEvents(m) }
            group.addTask { await self.sendLoop(m, claim: claim) }
            // The first loop to end (the modem stopped for good, or cancellation) ends the others.
            await group.next()
            group.cancelAll()
        }
    }

    private func watchEvents(_ m: Modem) async {
        for await event in m.events {
            switch event {
            case .ready: live.state = "ready"; live.healthy = unhealthyUntil == nil
            case .disconnected: live.state = "reconnecting"; live.healthy = false
            case .stopped(let why):
                logger.error("modem stopped", metadata: ["reason": "\(why)"])
                return
            default: break
            }
        }
    }

    // MARK: - Inbound

    /// How many received PDUs may be on their way into the store at once. Their commits share one
    /// group commit, so a burst of parts and reports empties the SIM (and the modem's 20-slot SR
    /// memory) at the store's batch rate, not at one fsync per PDU.
    static let receiveConcurrency = 16

    private func receiveLoop(_ m: Modem, claim: ModemClaim) async {
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for await pdu in m.inbound {
                if inFlight >= Self.receiveConcurrency, await group.next() != nil { inFlight -= 1 }
                group.addTask { await self.take(pdu, claim: claim) }
                inFlight += 1
            }
        }
    }

    /// Commits one received PDU, then deletes it from the modem (never the other way round).
    private func take(_ pdu: InboundPDU, claim: ModemClaim) async {
        switch pdu {
        case .part(let part):
            if let frames, part.concatenation == nil, part.ports?.destination == frames.port, let bytes = part.userData.bytes {
                // A SecureSMS frame: the engine's state holds its effect before the SIM slot is freed.
                guard await frames.receiveFrame(bytes, from: part.sender, modem: claim.id, modemNumber: claim.number) else { return }
                await acknowledge { () async throws(ModemError) in try await part.acknowledge() }
                return
            }
            let c = part.concatenation
            let record = InboundPartRecord(modem: claim.id, modemNumber: claim.number, sender: part.sender,
                                           tpduHex: part.tpduHex, reference: c?.reference, total: c?.total ?? 1,
                                           sequence: c?.sequence ?? 1, timestamp: part.timestamp)
            guard let outcome = await commit({ try await self.store.receive(record, now: Date()) }) else { return }
            if case .stored(let completed, let displaced) = outcome, completed != nil || displaced != nil {
                await inboxBell.ring()
            }
            await acknowledge { () async throws(ModemError) in try await part.acknowledge() }
        case .statusReport(let report):
            let record = StatusReportRecord(modem: claim.id, reference: report.reference, recipient: report.recipient,
                                            tpStatus: report.tpStatus, dischargeTime: report.dischargeTime)
            guard await commit({ try await self.store.applyStatusReport(record, now: Date()) }) != nil else { return }
            await acknowledge { () async throws(ModemError) in try await report.acknowledge() }
        }
    }

    /// Retries a store write until it commits (the PDU stays on the SIM meanwhile); nil when cancelled.
    /// Always tries once, even when cancelled: a write that records a side effect already done
    /// (a part sent) must not be skipped at shutdown.
    private func commit<T: Sendable>(_ body: @Sendable () async throws -> T) async -> T? {
        var delay = Duration.milliseconds(50)
        repeat {
            do { return try await body() } catch {
                logger.error("store write failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        } while !Task.isCancelled
        return nil
    }

    private func acknowledge(_ body: @Sendable () async throws(ModemError) -> Void) async {
        for attempt in 1...3 {
            do { try await body(); return } catch {
                logger.warning("deleting a stored PDU failed", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
            }
        }
    }

    // MARK: - Outbound

    private func sendLoop(_ m: Modem, claim: ModemClaim) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let generation = await sendBell.generation
            if let wait = await readiness() {
                await sendBell.wait(since: generation, timeout: wait)
                continue
            }
            // Checked with no await before the claim starts: a hold set from now on stops the
            // next claim; a claim already under way is the message in hand.
            guard hold == .none else { continue }
            let claimed: ClaimedMessage?
            inHand = true
            do { claimed = try await store.claim(modem: claim, now: Date()) } catch {
                handDone()
                logger.error("claim failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            guard let message = claimed else {
                handDone()
                let due = (try? await store.nextDue(now: Date())) ?? nil
                let timeout = due.map { Duration.milliseconds(Int64(max(0, $0.timeIntervalSinceNow) * 1000) + 5) } ?? .seconds(30)
                await sendBell.wait(since: generation, timeout: min(timeout, .seconds(30)))
                continue
            }
            await send(message, on: m, claim: claim)
            handDone()
        }
    }

    /// The claim (and the send, if any) ended: a draining modem is now drained.
    private func handDone() {
        inHand = false
        if hold == .draining { logger.notice("modem drained: no message in hand, taking none") }
    }

    // MARK: - Operator control

    /// Applies an operator's command (``ModemControlAction``) and returns the modem as
    /// `GET /v1/modems` shows it now. Resuming does not wake the worker by itself: the caller
    /// rings the send bell (``Gateway/controlModem(id:action:)`` does).
    public func control(_ action: ModemControlAction) -> ModemResource {
        let before = hold
        switch action {
        case .suspend: hold = .suspended
        case .drain: hold = .draining
        case .resume: hold = .none
        }
        if hold != before {
            logger.notice("modem control", metadata: ["action": "\(action.rawValue)", "state": "\(resource.state)"])
            if hold == .draining && !inHand { logger.notice("modem drained: no message in hand, taking none") }
        }
        return resource
    }

    /// Many hosts: the modem may have sent through another process a moment ago (a lease handed
    /// over, a restart), so the rate limit counts from its last part on any host.
    private func keepRateAfterHandover() async {
        guard let rate = settings.ratePerMinute, let cluster = store as? any ClusteredStore,
              let last = try? await cluster.lastPartSent(modem: live.id) else { return }
        let gap = 60.0 / Double(max(1, rate))
        let wait = gap - Date().timeIntervalSince(last)
        if wait > 0 { nextSendAllowed = max(nextSendAllowed, ContinuousClock.now + .milliseconds(Int64(min(wait, gap) * 1000))) }
    }

    /// Nil when the modem may send now; otherwise how long to wait (rate limit, cap, unhealthy).
    private func readiness() async -> Duration? {
        guard live.state == "ready" else { return .seconds(1) }
        // Suspended or draining: take nothing (resume rings the send bell).
        guard hold == .none else { return .seconds(30) }
        let now = ContinuousClock.now
        if let until = unhealthyUntil {
            if until > now { return until - now }
            unhealthyUntil = nil
            live.healthy = true
        }
        if nextSendAllowed > now { return nextSendAllowed - now }
        if let cap = settings.dailyCap {
            let sent = (try? await store.partsSent(modem: live.id, since: Self.startOfDay())) ?? 0
            live.sentToday = sent
            if sent >= cap {
                let midnight = Self.startOfDay().addingTimeInterval(86_400).timeIntervalSinceNow
                return .milliseconds(Int64(max(1, min(midnight, 60)) * 1000))
            }
        }
        return nil
    }

    private func send(_ message: ClaimedMessage, on m: Modem, claim: ModemClaim) async {
        var log = logger
        log[metadataKey: "message_id"] = "\(message.id)"
        let pdus: [EncodedPDU]
        do { pdus = try Self.encode(message) } catch {
            _ = try? await store.finishAttempt(messageID: message.id, outcome: .fail(MessageError(code: "encoding", detail: "\(error)")),
                                               now: Date())
            return
        }
        for seq in message.pendingParts {
            guard seq >= 1, seq <= pdus.count else { continue }
            if let gap = settings.ratePerMinute.map({ Duration.milliseconds(60_000 / Int64(max(1, $0))) }) {
                let now = ContinuousClock.now
                if nextSendAllowed > now { try? await Task.sleep(until: nextSendAllowed) }
                nextSendAllowed = ContinuousClock.now + gap
            }
            do {
                try await store.partSending(messageID: message.id, seq: seq, modem: claim.id, now: Date())
            } catch {
                log.error("could not record the part as sending; not sending it", metadata: ["error": "\(error)"])
                await finish(message, .retry(at: Date().addingTimeInterval(1), avoid: nil,
                                             error: MessageError(code: "store", detail: "\(error)")), log: log)
                return
            }
            do {
                let mr = try await m.submit(pdus[seq - 1])
                consecutiveFailures = 0
                resetSinceHealthy = false
                await commitOrLog(log) { try await self.store.partSent(messageID: message.id, seq: seq, reference: mr, now: Date()) }
            } catch {
                switch SendFailure.classify(error) {
                case .unconfirmed(let reason):
                    log.warning("part written without a result; it may have been sent", metadata: ["seq": "\(seq)"])
                    await commitOrLog(log) { try await self.store.partUnconfirmed(messageID: message.id, seq: seq, detail: reason, now: Date()) }
                case .permanent(let code, let detail):
                    await finish(message, .fail(MessageError(code: code, detail: detail)), log: log)
                    return
                case .transient(let code, let detail):
                    await failed(m)
                    let outcome: AttemptOutcome = message.attempts >= retry.maxAttempts
                        ? .fail(MessageError(code: "retries_exhausted", detail: "\(message.attempts) attempts; last: \(detail)"))
                        : .retry(at: Date().addingTimeInterval(Self.seconds(retry.delay(attempt: message.attempts))),
                                 avoid: claim.id, error: MessageError(code: code, detail: detail))
                    await finish(message, outcome, log: log)
                    return
                }
            }
        }
        await finish(message, .done, log: log)
    }

    private func finish(_ message: ClaimedMessage, _ outcome: AttemptOutcome, log: Logger) async {
        await commitOrLog(log) { _ = try await self.store.finishAttempt(messageID: message.id, outcome: outcome, now: Date()) }
        if case .retry = outcome { await sendBell.ring() }  // another modem may take it
    }

    private func commitOrLog(_ log: Logger, _ body: @Sendable () async throws -> Void) async {
        if await commit(body) == nil { log.error("gave up a store write at shutdown; recovery on restart settles it") }
    }

    /// Counts a failure. After 5 in a row the modem is reset (`AT+CFUN=1,1`, init again); if it
    /// fails 5 more times after that, it rests as unhealthy for 30 s. Either way its message goes back
    /// to the queue avoiding this modem, so the others drain it.
    private func failed(_ m: Modem) async {
        failedTotal += 1
        consecutiveFailures += 1
        live.failed = failedTotal
        guard consecutiveFailures >= Self.failuresBeforeAction else { return }
        consecutiveFailures = 0
        if !resetSinceHealthy {
            resetSinceHealthy = true
            live.resets += 1
            logger.error("modem keeps failing; resetting it")
            do { try await m.reset() } catch {
                logger.error("modem reset failed", metadata: ["error": "\(error)"])
            }
            return
        }
        logger.error("modem keeps failing after a reset; marking it unhealthy for 30 s")
        resetSinceHealthy = false
        unhealthyUntil = ContinuousClock.now + .seconds(30)
        live.healthy = false
    }

    static let failuresBeforeAction = 5

    static func encode(_ message: ClaimedMessage) throws -> [EncodedPDU] {
        let destination = try Address(message.to)
        let ports = message.ports.map { PortAddressing(destination: UInt16($0.dst), source: UInt16($0.src), is16Bit: true) }
        let options = SegmentationOptions(reference: .eightBit(UInt8(message.reference & 0xFF)), ports: ports)
        let template = SubmitPDU(destination: destination, userData: .empty,
                                 validityPeriod: message.validityLeft.map { .relative(seconds: $0) },
                                 statusReportRequest: message.report)
        let encoded: EncodedMessage
        switch message.content {
        case .text(let t): encoded = try SMSEncoder.encode(text: t, to: destination, options: options, template: template)
        case .data(let d): encoded = try SMSEncoder.encode(bytes: d, to: destination, options: options, template: template)
        }
        guard encoded.pdus.count == message.segments else {
            throw GatewayError.configuration("message \(message.id) now encodes to \(encoded.pdus.count) parts, not \(message.segments)")
        }
        return encoded.pdus
    }

    static func startOfDay(_ now: Date = Date()) -> Date {
        Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
