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
    /// How many entries ``VirtualNetwork/deliveryLog`` and ``VirtualNetwork/faultLog`` keep (the newest;
    /// default 1,000); nil keeps everything.
    public var logLimit: Int? = 1000

    /// Default settings.
    public init() {}
}

/// The virtual operator network: modems on PTYs, an SMSC that routes SMS-SUBMITs between them by number,
/// status reports, and seeded faults.
///
/// ```swift
/// let net = VirtualNetwork(seed: 42, faults: try Faults(parsing: "loss=0.1"), clock: InstantClock())
/// let alice = try await net.addModem(number: "+15550001")
/// let bob = try await net.addModem(number: "+15550002")
/// // open await alice.portPath, send AT+CMGS…; bob's client sees +CMTI
/// try await net.injectIncoming(to: "+15550002", from: "+4912345", text: "hello")
/// await net.shutdown()
/// ```
public actor VirtualNetwork {
    /// The seed of every fault decision.
    public nonisolated let seed: UInt64
    /// Network settings.
    public nonisolated let configuration: NetworkConfiguration
    let clock: any EmulatorClock
    private let logger = Logger(label: "smskit.emulator.network")

    /// The faults in force (change them with ``setFaults(_:)``).
    public private(set) var faults: Faults
    /// Faults injected by the SMSC (loss, duplication, reordering, delay, corruption, errors), in order
    /// (the newest ``NetworkConfiguration/logLimit``).
    public private(set) var faultLog: BoundedLog<FaultEvent>
    /// Every SMS-DELIVER and status report PDU handed to a modem, in order (the newest
    /// ``NetworkConfiguration/logLimit``).
    public private(set) var deliveryLog: BoundedLog<(to: String, pdu: [UInt8])>

    private var modemsByNumber: [String: VirtualModem] = [:]
    private var numbers: [String] = []
    private var generators: [String: SeededGenerator] = [:]
    private var pending: [String: [Delivery]] = [:]
    private var held: [String: Delivery] = [:]
    private var flushing: Set<String> = []
    private var flushAgain: Set<String> = []
    private var tasks: [Int: Task<Void, Never>] = [:]
    private var nextTaskID = 0
    private var isShutDown = false

    /// A message or report on its way to a modem.
    struct Delivery: Sendable {
        var destination: String
        var pdu: [UInt8]
        var isStatusReport: Bool
        var messageClass: Int?
        var report: ReportRequest?
    }

    /// A status report the SMSC owes the sender once the message is delivered.
    struct ReportRequest: Sendable {
        var origin: String
        var reference: UInt8
        var recipient: String
        var submitted: Date
    }

    /// A network with seeded faults; pass ``InstantClock`` in tests so delays take no time.
    public init(seed: UInt64 = 0, faults: Faults = Faults(), clock: any EmulatorClock = SystemClock(),
                configuration: NetworkConfiguration = NetworkConfiguration()) {
        self.seed = seed
        self.faults = faults
        self.clock = clock
        self.configuration = configuration
        faultLog = BoundedLog(limit: configuration.logLimit)
        deliveryLog = BoundedLog(limit: configuration.logLimit)
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
        let modem = VirtualModem(configuration: configuration, network: self, seed: seed, faults: faults, clock: clock,
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
        let pdus = try NetworkCodec.deliverPDUs(text: text, from: sender, timestamp: clock.now(),
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
    }

    // MARK: - SMSC

    /// Accepts an SMS-SUBMIT from `origin` (TP-MR already set): applies faults, routes it, and returns the destination.
    /// Throws the `+CMS ERROR` the sender gets.
    func submit(from origin: String, tpdu: [UInt8]) async throws -> String {
        guard !isShutDown else { throw ATFailure.cms(.networkOutOfOrder) }
        let summary = try NetworkCodec.summarizeSubmit(tpdu)
        var rng = generators[origin] ?? SeededGenerator(seed: seed, stream: "smsc " + origin)
        let rejected = rng.chance(faults.smscError)
        let errorChoice = rng.index(4)
        let lost = rng.chance(faults.loss)
        let duplicated = rng.chance(faults.duplication)
        let reordered = rng.chance(faults.reordering)
        let delay = rng.duration(in: faults.delay ?? .zero ... .zero)
        let corrupted = rng.chance(faults.corruption)
        let corruptionSeed = rng.next()
        generators[origin] = rng

        let reference = tpdu.count > 1 ? tpdu[1] : 0
        let tag = "mr=\(reference) to \(summary.destination)"
        if rejected {
            let error = [CMSError.networkOutOfOrder, .temporaryFailure, .congestion, .resourcesUnavailable][errorChoice]
            faultLog.append(FaultEvent(kind: .smscError, modem: origin, detail: "\(tag): +CMS ERROR: \(error.rawValue)"))
            throw ATFailure.cms(error)
        }
        guard modemsByNumber[summary.destination] != nil else { throw ATFailure.cms(.unassignedNumber) }
        let now = clock.now()
        var pdu = try NetworkCodec.deliverPDU(fromSubmit: tpdu, origin: origin, timestamp: now,
                                              timeZone: configuration.timeZone,
                                              serviceCentre: configuration.serviceCentre)
        if corrupted, let range = NetworkCodec.userDataRange(ofDeliver: pdu), !range.isEmpty {
            let offset = range.lowerBound + Int(corruptionSeed % UInt64(range.count))
            pdu[offset] ^= UInt8(1 << ((corruptionSeed >> 32) % 8))
            faultLog.append(FaultEvent(kind: .corruption, modem: origin, detail: "\(tag): byte \(offset)"))
        }
        if lost {
            faultLog.append(FaultEvent(kind: .loss, modem: origin, detail: tag))
            return summary.destination
        }
        let report = summary.statusReportRequested
            ? ReportRequest(origin: origin, reference: reference, recipient: summary.destination, submitted: now) : nil
        let delivery = Delivery(destination: summary.destination, pdu: pdu, isStatusReport: false,
                                messageClass: summary.messageClass, report: report)
        if delay > .zero { faultLog.append(FaultEvent(kind: .delay, modem: origin, detail: "\(tag): \(delay)")) }
        if reordered { faultLog.append(FaultEvent(kind: .reordering, modem: origin, detail: tag)) }
        await dispatch(delivery, after: delay, holdBack: reordered)
        if duplicated {
            faultLog.append(FaultEvent(kind: .duplication, modem: origin, detail: tag))
            var copy = delivery
            copy.report = nil
            await dispatch(copy, after: delay, holdBack: false)
        }
        return summary.destination
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

    /// Queues a delivery behind earlier ones for the same modem and tries to deliver.
    private func route(_ delivery: Delivery) async {
        guard !isShutDown else { return }
        pending[delivery.destination, default: []].append(delivery)
        await flush(delivery.destination)
    }

    /// Delivers queued messages to `number` in order until the modem refuses one.
    private func flush(_ number: String) async {
        guard !flushing.contains(number) else {
            flushAgain.insert(number)
            return
        }
        flushing.insert(number)
        defer { flushing.remove(number) }
        repeat {
            flushAgain.remove(number)
            while let next = pending[number]?.first, let modem = modemsByNumber[number] {
                let outcome = await modem.deliver(pdu: next.pdu, isStatusReport: next.isStatusReport,
                                                  messageClass: next.messageClass)
                guard outcome == .accepted else { break }
                pending[number]?.removeFirst()
                deliveryLog.append((to: number, pdu: next.pdu))
                if let report = next.report { await sendStatusReport(report) }
            }
        } while flushAgain.contains(number)
    }

    private func sendStatusReport(_ request: ReportRequest) async {
        guard modemsByNumber[request.origin] != nil,
              let pdu = try? NetworkCodec.statusReportPDU(reference: request.reference, recipient: request.recipient,
                                                          submitted: request.submitted, discharged: clock.now(),
                                                          timeZone: configuration.timeZone,
                                                          serviceCentre: configuration.serviceCentre) else { return }
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
