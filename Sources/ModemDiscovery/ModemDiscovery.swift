import Logging

/// Finds USB modems through libudev, classifies their ports and resolves `--device` arguments.
///
/// ```swift
/// let discovery = ModemDiscovery()
/// for modem in try await discovery.devices() { print(modem.devnode ?? "-", modem.model ?? "") }
/// let port = try await discovery.resolve(device: "auto")   // "/dev/ttyUSB2"
/// ```
public struct ModemDiscovery: Sendable {
    /// Used by `devices(probe: true)` for ports the table cannot classify.
    public var prober: any PortProber
    /// Diagnostics go here (stderr in the CLI), never to stdout.
    public var logger: Logger

    /// Creates a discovery front end with the built-in ``ATPortProber``.
    public init(prober: any PortProber = ATPortProber(), logger: Logger = Logger(label: "smskit.discovery")) {
        self.prober = prober
        self.logger = logger
    }

    /// Facts about every USB tty present now (including ignored ones, flagged).
    public func ports() throws(DiscoveryError) -> [PortFacts] {
        let context = try UDevContext()
        return try PortFactsReader.scanAll(context: context)
    }

    /// The modems present now. `includeAll` also returns serial adapters and unknown devices;
    /// `probe` sends `AT` to unclassified ports of devices with no known AT port.
    public func devices(includeAll: Bool = false, probe: Bool = false) async throws(DiscoveryError) -> [DiscoveredModem] {
        let facts = try ports()
        var probed: Set<String> = []
        if probe {
            for candidate in Self.probeCandidates(ModemAssembler.assemble(facts)) {
                let result = await prober.probe(devnode: candidate)
                logger.debug("probed port", metadata: ["port": "\(candidate)", "result": "\(result)"])
                if result == .answered { probed.insert(candidate) }
            }
        }
        let devices = ModemAssembler.assemble(facts, probed: probed)
        return includeAll ? devices : devices.filter { $0.kind == .modem }
    }

    /// Ports worth probing: `unknown` ports of devices that are not adapters and have no AT port yet.
    public static func probeCandidates(_ devices: [DiscoveredModem]) -> [String] {
        devices.filter { $0.kind != .serialAdapter && $0.devnode == nil }
            .flatMap { $0.ports.filter { $0.role == .unknown }.map(\.devnode) }
    }

    /// Resolves a `--device` argument to a port path: a path (`/dev/...`) is returned as is,
    /// `auto` picks the only modem present, anything else matches a modem's USB serial or ``DiscoveredModem/id``.
    ///
    /// Throws ``DiscoveryError/noModemFound``, ``DiscoveryError/ambiguous(_:)``,
    /// ``DiscoveryError/unknownDevice(_:)`` or ``DiscoveryError/noATPort(_:)``.
    public func resolve(device: String) async throws(DiscoveryError) -> String {
        if device.hasPrefix("/") { return device }
        return try Self.resolve(device: device, among: try await devices())
    }

    /// The pure part of ``resolve(device:)`` over an already discovered list.
    public static func resolve(device: String, among modems: [DiscoveredModem]) throws(DiscoveryError) -> String {
        if device.hasPrefix("/") { return device }
        let modems = modems.filter { $0.kind == .modem }
        let chosen: DiscoveredModem
        if device == "auto" {
            guard let first = modems.first else { throw .noModemFound }
            guard modems.count == 1 else { throw .ambiguous(modems.map { $0.serial ?? $0.id }) }
            chosen = first
        } else {
            guard let match = modems.first(where: { $0.serial == device || $0.id == device }) else {
                throw .unknownDevice(device)
            }
            chosen = match
        }
        guard let devnode = chosen.devnode else { throw .noATPort(chosen.id) }
        return devnode
    }
}
