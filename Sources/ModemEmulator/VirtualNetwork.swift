import Foundation
import Logging

/// Settings of the virtual operator network.
public struct NetworkConfiguration: Sendable {
    /// The SMSC address modems report in `AT+CSCA?` and the SMSC field of delivered PDUs.
    public var serviceCentre = "+15550000"
    /// How long a modem waits for `AT+CNMA` after `+CMT`/`+CDS` (with `AT+CSMS=1`) before it stores the message.
    public var acknowledgementTimeout: Duration = .seconds(30)
    /// How long a message held back by the reordering fault waits for a later message before it is delivered anyway.
    public var reorderWindow: Duration = .seconds(2)
    /// The time zone of service-centre timestamps (SCTS).
    public var timeZone = TimeZone(secondsFromGMT: 0) ?? .current
    /// How many entries ``VirtualNetwork/deliveryLog``, ``VirtualNetwork/faultLog`` and each phone's
    /// ``VirtualPhone/deliveries`` and ``VirtualPhone/messages`` keep (the newest; default 1,000); nil keeps everything.
    public var logLimit: Int? = 1000

    /// Default settings.
    public init() {}
}

/// The virtual operator network: modems on PTYs, virtual phones without a PTY, an SMSC that routes
/// SMS-SUBMITs between them by number, status reports, and seeded faults.
///
/// ```swift
/// let net = VirtualNetwork(seed: 42, faults: try Faults(parsing: "loss=0.1"), clock: InstantClock())
/// let alice = try await net.addModem(number: "+15550001")
/// let bob = try await net.addModem(number: "+15550002")
/// // open await alice.portPath, send AT+CMGS…; bob's client sees +CMTI
/// try await net.injectIncoming(to: "+15550002", from: "+4912345", text: "hello")
/// try await net.setPhonePrefixes(["+1999"])         // +1999… are phones, created on first use
/// try await net.phoneSend(from: "+19990001", to: "+15550001", text: "hi from a phone")
/// await net.shutdown()
/// ```
public actor VirtualNetwork {
    /// The seed of every fault decision.
    public nonisolated let seed: UInt64
    /// Network settings.
    public nonisolated let configuration: NetworkConfiguration
    let clock: any Clock<Duration>
    /// Where service-centre timestamps come from.
    let wallTime: @Sendable () -> Date
    private let logger = Logger(label: "smskit.emulator.network")

    /// The faults in force (change them with ``setFaults(_:)``).
    public private(set) var faults: Faults
    /// Faults injected by the SMSC (loss, duplication, reordering, delay, corruption, errors), in order
    /// (the newest ``NetworkConfiguration/logLimit``).
    public private(set) var faultLog: BoundedLog<FaultEvent>
    /// Every SMS-DELIVER and status report PDU handed to a modem, in order (the newest
    /// ``NetworkConfiguration/logLimit``; phones keep their own ``VirtualPhone/deliveries``).
    public private(set) var deliveryLog: BoundedLog<(to: String, pdu: [UInt8])>
    /// How many SMS-SUBMITs the SMSC accepted (from modems, and parts sent by phones); ids run from 1 to this.
    public private(set) var submissionCount: UInt64 = 0
    /// How many messages a rejecting prefix refused (see ``setRejectPrefixes(_:)``).
    public private(set) var rejectedCount = 0
    /// Messages the SMSC dropped silently (the `loss` fault): accepted with `+CMGS`, never delivered, no report.
    public private(set) var lostCount = 0

    private var modemsByNumber: [String: VirtualModem] = [:]
    private var numbers: [String] = []
    var phoneBook: PhoneBook
    private var generators: [String: SeededGenerator] = [:]
    private var pending: [String: [Delivery]] = [:]
    private var held: [String: Delivery] = [:]
    private var flushing: Set<String> = []
    private var flushAgain: Set<String> = []
    private var tasks: [Int: Task<Void, Never>] = [:]
    private var nextTaskID = 0
    var subscribers: [Int: AsyncStream<PhoneEvent>.Continuation] = [:]
    var nextSubscriberID = 0
    private(set) var isShutDown = false

    /// A message or report on its way to a modem or phone.
    struct Delivery: Sendable {
        var destination: String
        var pdu: [UInt8]
        var isStatusReport: Bool
        var messageClass: Int?
        var report: ReportRequest?
        /// The sender's number (nil for injected messages and status reports).
        var origin: String? = nil
        /// The SMSC's id of the submission (nil for injected messages and status reports).
        var submission: UInt64? = nil
    }

    /// The SMSC's fault decisions for one submission, drawn from the sender's stream in a fixed order.
    struct FaultDraw: Sendable {
        var rejected: Bool
        var error: CMSError
        var lost: Bool
        var duplicated: Bool
        var reordered: Bool
        var delay: Duration
        var corrupted: Bool
        var corruptionSeed: UInt64
    }

    /// Who a number belongs to, as the SMSC sees it.
    enum Route: Sendable, Equatable {
        case modem, phone, rejected, unassigned
    }

    /// A status report the SMSC owes the sender once the message is delivered.
    struct ReportRequest: Sendable {
        var origin: String
        var reference: UInt8
        var recipient: String
        var submitted: Date
    }

    /// A network with seeded faults. `clock` times every delay (pass ``InstantClock`` in tests so
    /// delays take no time); `wallTime` stamps messages (``InstantClock/wallTime(startingAt:)`` gives
    /// repeatable stamps).
    public init(seed: UInt64 = 0, faults: Faults = Faults(), clock: any Clock<Duration> = ContinuousClock(),
                wallTime: @escaping @Sendable () -> Date = { Date() },
                configuration: NetworkConfiguration = NetworkConfiguration()) {
        self.seed = seed
        self.faults = faults
        self.clock = clock
        self.wallTime = wallTime
        self.configuration = configuration
        faultLog = BoundedLog(limit: configuration.logLimit)
        deliveryLog = BoundedLog(limit: configuration.logLimit)
        phoneBook = PhoneBook(logLimit: configuration.logLimit)
    }

    /// Adds a modem and opens its PTY; returns once ``VirtualModem/portPath`` can be opened.
    ///
    /// `let modem = try await net.addModem(number: "+15550001", pin: "1234")`
    public func addModem(number: String, pin: String? = nil, linkDirectory: String? = nil) async throws -> VirtualModem {
        try await addModem(ModemConfiguration(number: number, pin: pin, linkDirectory: linkDirectory))
    }

    /// Adds a modem with full configuration (capacities, PUK, link directory).
    public func addModem(_ configuration: ModemConfiguration) async throws -> VirtualModem {
        guard !isShutDown else { throw EmulatorError.shutDown }
        var configuration = configuration
        configuration.number = try ModemConfiguration.normalize(configuration.number)
        guard modemsByNumber[configuration.number] == nil else { throw EmulatorError.duplicateNumber(configuration.number) }
        guard !phoneBook.contains(configuration.number) else { throw EmulatorError.phoneNumberTaken(configuration.number) }
        let modem = VirtualModem(configuration: configuration, network: self, seed: seed, faults: faults, clock: clock, wallTime: wallTime,
                                 serviceCentre: self.configuration.serviceCentre)
        try await modem.plug()
        await modem.applyFaults(faults)
        modemsByNumber[configuration.number] = modem
        numbers.append(configuration.number)
        return modem
    }

    /// The modem with `number`, if any.
    public func modem(_ number: String) -> VirtualModem? { modemsByNumber[number] }

    /// All modems in the order they were added.
    public var modems: [VirtualModem] { numbers.compactMap { modemsByNumber[$0] } }

    /// Changes the faults at run time, for the SMSC and every modem.
    public func setFaults(_ faults: Faults) async {
        self.faults = faults
        for modem in modems { await modem.applyFaults(faults) }
    }

    /// Delivers a text message to `number` as if sent from outside the network (GSM 7-bit, or UCS-2 when needed;
    /// long texts become concatenated parts). No faults apply.
    ///
    /// `try await net.injectIncoming(to: "+15550002", from: "+4912345", text: "hi")`
    public func injectIncoming(to number: String, from sender: String, text: String) async throws {
        guard modemsByNumber[number] != nil else { throw EmulatorError.unknownModem(number) }
        let reference = UInt8(truncatingIfNeeded: text.utf8.count &* 31 &+ 7)
        let pdus = try NetworkCodec.deliverPDUs(text: text, from: sender, reference: reference, timestamp: wallTime(),
                                                 timeZone: configuration.timeZone,
                                                 serviceCentre: configuration.serviceCentre)
        for pdu in pdus {
            await route(Delivery(destination: number, pdu: pdu, isStatusReport: false, messageClass: nil, report: nil))
        }
    }

    /// Delivers a raw SMS-DELIVER (or SMS-STATUS-REPORT) PDU, hex with its SMSC field, to `number`. No faults apply.
    public func injectIncoming(to number: String, pduHex: String) async throws {
        guard modemsByNumber[number] != nil else { throw EmulatorError.unknownModem(number) }
        let inspected = try NetworkCodec.inspectIncoming(hex: pduHex)
        await route(Delivery(destination: number, pdu: inspected.pdu, isStatusReport: inspected.isStatusReport,
                             messageClass: inspected.messageClass, report: nil))
    }

    /// Unplugs every modem, cancels deliveries in flight and removes the symlinks.
    public func shutdown() async {
        isShutDown = true
        for task in tasks.values { task.cancel() }
        tasks.removeAll()
        for modem in modems { await modem.shutdown() }
        modemsByNumber.removeAll()
        numbers.removeAll()
        pending.removeAll()
        held.removeAll()
        for subscriber in subscribers.values { subscriber.finish() }
        subscribers.removeAll()
    }

    // MARK: - SMSC

    /// Accepts an SMS-SUBMIT from `origin` (TP-MR already set): applies faults, routes it, and returns the
    /// destination and the submission id. Throws the `+CMS ERROR` the sender gets.
    func submit(from origin: String, tpdu: [UInt8]) async throws -> (destination: String, submission: UInt64) {
        guard !isShutDown else { throw ATFailure.cms(.networkOutOfOrder) }
        let summary = try NetworkCodec.summarizeSubmit(tpdu)
        let draw = drawFaults(for: origin)
        let reference = tpdu.count > 1 ? tpdu[1] : 0
        let tag = "mr=\(reference) to \(summary.destination)"
        if draw.rejected {
            logFault(FaultEvent(kind: .smscError, modem: origin, detail: "\(tag): +CMS ERROR: \(draw.error.rawValue)"))
            throw ATFailure.cms(draw.error)
        }
        guard resolveRoute(summary.destination) != .unassigned else { throw ATFailure.cms(.unassignedNumber) }
        let now = wallTime()
        let pdu = try NetworkCodec.deliverPDU(fromSubmit: tpdu, origin: origin, timestamp: now,
                                              timeZone: configuration.timeZone,
                                              serviceCentre: configuration.serviceCentre)
        let submission = nextSubmission()
        let report = summary.statusReportRequested
            ? ReportRequest(origin: origin, reference: reference, recipient: summary.destination, submitted: now) : nil
        let delivery = Delivery(destination: summary.destination, pdu: pdu, isStatusReport: false,
                                messageClass: summary.messageClass, report: report, origin: origin, submission: submission)
        await relay(delivery, draw: draw, tag: tag)
        return (summary.destination, submission)
    }

    /// The next fault decisions for a submission from `origin` (one SplitMix64 stream per sender).
    func drawFaults(for origin: String) -> FaultDraw {
        var rng = generators[origin] ?? SeededGenerator(seed: seed, stream: "smsc " + origin)
        let rejected = rng.chance(faults.smscError)
        let errorChoice = rng.index(4)
        let draw = FaultDraw(rejected: rejected,
                             error: [CMSError.networkOutOfOrder, .temporaryFailure, .congestion, .resourcesUnavailable][errorChoice],
                             lost: rng.chance(faults.loss), duplicated: rng.chance(faults.duplication),
                             reordered: rng.chance(faults.reordering),
                             delay: rng.duration(in: faults.delay ?? .zero ... .zero),
                             corrupted: rng.chance(faults.corruption), corruptionSeed: rng.next())
        generators[origin] = rng
        return draw
    }

    /// Records a fault the SMSC injected.
    func logFault(_ event: FaultEvent) { faultLog.append(event) }

    /// The id of the next accepted submission (1, 2, …).
    func nextSubmission() -> UInt64 {
        submissionCount += 1
        return submissionCount
    }

    /// Who `number` belongs to; a number matching a phone prefix becomes a phone here.
    /// A modem comes first, then a rejecting prefix, then phones.
    func resolveRoute(_ number: String) -> Route {
        if modemsByNumber[number] != nil { return .modem }
        if phoneBook.rejects(number) { return .rejected }
        return phoneBook.resolve(number) ? .phone : .unassigned
    }

    /// The SMSC path every accepted submission takes (from a modem or a phone): corruption, loss, delay,
    /// reordering and duplication per `draw`, then routing.
    func relay(_ delivery: Delivery, draw: FaultDraw, tag: String) async {
        var delivery = delivery
        let origin = delivery.origin ?? ""
        if draw.corrupted, let range = NetworkCodec.userDataRange(ofDeliver: delivery.pdu), !range.isEmpty {
            let offset = range.lowerBound + Int(draw.corruptionSeed % UInt64(range.count))
            delivery.pdu[offset] ^= UInt8(1 << ((draw.corruptionSeed >> 32) % 8))
            faultLog.append(FaultEvent(kind: .corruption, modem: origin, detail: "\(tag): byte \(offset)"))
        }
        if draw.lost {
            lostCount += 1
            faultLog.append(FaultEvent(kind: .loss, modem: origin, detail: tag))
            return
        }
        if draw.delay > .zero { faultLog.append(FaultEvent(kind: .delay, modem: origin, detail: "\(tag): \(draw.delay)")) }
        if draw.reordered { faultLog.append(FaultEvent(kind: .reordering, modem: origin, detail: tag)) }
        await dispatch(delivery, after: draw.delay, holdBack: draw.reordered)
        if draw.duplicated {
            faultLog.append(FaultEvent(kind: .duplication, modem: origin, detail: tag))
            var copy = delivery
            copy.report = nil
            await dispatch(copy, after: draw.delay, holdBack: false)
        }
    }

    /// Routes now (no delay) or after `delay` on the clock; a held-back message waits for the next one.
    private func dispatch(_ delivery: Delivery, after delay: Duration, holdBack: Bool) async {
        if delay == .zero {
            await hold(delivery, holdBack: holdBack)
            return
        }
        spawn { [clock] network in
            do { try await clock.sleep(for: delay) } catch { return }
            await network.hold(delivery, holdBack: holdBack)
        }
    }

    private func hold(_ delivery: Delivery, holdBack: Bool) async {
        let destination = delivery.destination
        if holdBack, held[destination] == nil {
            held[destination] = delivery
            let window = configuration.reorderWindow
            spawn { network in
                do { try await Task.sleep(for: window) } catch { return }
                await network.releaseHeld(for: destination)
            }
            return
        }
        await route(delivery)
        await releaseHeld(for: destination)
    }

    private func releaseHeld(for destination: String) async {
        guard let delivery = held.removeValue(forKey: destination) else { return }
        await route(delivery)
    }

    /// Runs `work` as a tracked task (cancelled by ``shutdown()``).
    private func spawn(_ work: @escaping @Sendable (VirtualNetwork) async -> Void) {
        let id = nextTaskID
        nextTaskID += 1
        tasks[id] = Task { [weak self] in
            guard let self else { return }
            await work(self)
            await self.taskFinished(id)
        }
    }

    private func taskFinished(_ id: Int) { tasks[id] = nil }

    /// Queues a delivery behind earlier ones for the same number and tries to deliver.
    private func route(_ delivery: Delivery) async {
        guard !isShutDown else { return }
        pending[delivery.destination, default: []].append(delivery)
        await flush(delivery.destination)
    }

    /// Delivers queued messages to `number` in order until its modem refuses one. Phones take everything;
    /// a rejecting prefix refuses everything (status report TP-ST 0x41 when one was asked for).
    private func flush(_ number: String) async {
        guard !flushing.contains(number) else {
            flushAgain.insert(number)
            return
        }
        flushing.insert(number)
        defer { flushing.remove(number) }
        repeat {
            flushAgain.remove(number)
            while let next = pending[number]?.first {
                if let modem = modemsByNumber[number] {
                    let outcome = await modem.deliver(pdu: next.pdu, isStatusReport: next.isStatusReport,
                                                      messageClass: next.messageClass)
                    guard outcome == .accepted else { break }
                    pending[number]?.removeFirst()
                    deliveryLog.append((to: number, pdu: next.pdu))
                    if let report = next.report { await sendStatusReport(report, status: 0) }
                } else if phoneBook.rejects(number) {
                    pending[number]?.removeFirst()
                    if !next.isStatusReport { rejectedCount += 1 }
                    if let report = next.report { await sendStatusReport(report, status: 0x41) }
                } else if phoneBook.contains(number) {
                    pending[number]?.removeFirst()
                    if !next.isStatusReport { deliverToPhone(next) }  // phones ask for no reports
                    if let report = next.report { await sendStatusReport(report, status: 0) }
                } else {
                    break
                }
            }
        } while flushAgain.contains(number)
        if pending[number]?.isEmpty == true { pending[number] = nil }
    }

    /// Hands a message to a phone and tells the subscribers of ``phoneEvents()``.
    private func deliverToPhone(_ delivery: Delivery) {
        let origin = delivery.origin ?? NetworkCodec.originator(ofDeliver: delivery.pdu) ?? ""
        let now = wallTime()
        let events = phoneBook.update(delivery.destination) { phone in
            phone.receive(pdu: delivery.pdu, from: origin, submission: delivery.submission ?? 0, at: now)
        } ?? []
        guard !subscribers.isEmpty else { return }
        for event in events {
            for subscriber in subscribers.values { subscriber.yield(event) }
        }
    }

    /// Messages waiting at the SMSC for `number` (queued, or held back by the reordering fault).
    public func queuedCount(for number: String) -> Int {
        (pending[number]?.count ?? 0) + (held[number] == nil ? 0 : 1)
    }

    private func sendStatusReport(_ request: ReportRequest, status: UInt8) async {
        guard modemsByNumber[request.origin] != nil,
              let pdu = try? NetworkCodec.statusReportPDU(reference: request.reference, recipient: request.recipient,
                                                          submitted: request.submitted, discharged: wallTime(),
                                                          timeZone: configuration.timeZone,
                                                          serviceCentre: configuration.serviceCentre,
                                                          status: status) else { return }
        await route(Delivery(destination: request.origin, pdu: pdu, isStatusReport: true, messageClass: nil, report: nil))
    }

    /// A modem can take messages again (plugged in, registered, PIN entered, memory freed, acknowledgement given).
    func modemBecameAvailable(_ number: String) async {
        guard pending[number]?.isEmpty == false else { return }
        await flush(number)
    }

    /// Puts a refused `+CMT`/`+CDS` (negative `AT+CNMA`) back at the front of the queue for a later try.
    func requeue(pdu: [UInt8], to number: String, isStatusReport: Bool) {
        let delivery = Delivery(destination: number, pdu: pdu, isStatusReport: isStatusReport, messageClass: nil, report: nil)
        pending[number, default: []].insert(delivery, at: 0)
    }
}
