import ArgumentParser
import ATModem
import Foundation
import Logging
import ModemDiscovery

/// Options shared by `info`, `send` and `listen`: which port, the SIM PIN, output and logging.
/// (Kept in this file because the CLI files are owned per command.)
struct ModemOptions: ParsableArguments {
    @Option(help: "The modem's AT port, e.g. /dev/ttyUSB2 (or an emulator PTY).") var port: String?
    @Option(help: "Find the modem instead of naming its port: `auto` (the only modem attached), or a USB serial number or id from `smskit devices`.")
    var device: String?
    @Option(help: "SIM PIN, entered once if the SIM asks (never retried, never logged).") var pin: String?
    @Flag(help: "Print JSON lines for scripts.") var json = false
    @Flag(help: "Log AT traffic and driver decisions to stderr.") var verbose = false

    /// Opens and initialises the modem, printing a one-line error and exiting 1 on failure. A terminating
    /// signal closes it (removing its lock file) before the process exits.
    func open(reconnect: Bool = false) async throws -> Modem {
        var logger = Logger(label: "smskit")
        logger.logLevel = verbose ? .trace : .error
        let configuration = Modem.Configuration(pin: pin, reconnect: reconnect,
                                                concatenationReferences: sharedConcatenationReferences())
        let port = try await resolvedPort()
        do {
            let modem = try await Modem(port: port, configuration: configuration, logger: logger)
            Termination.onSignal { await modem.close() }
            return modem
        } catch {
            throw modemFailure(error)
        }
    }
}

/// The concatenation reference sequence every `smskit` process of this user shares
/// (`$XDG_STATE_HOME/smskit/concat-reference`), so back-to-back or parallel `smskit send` runs never
/// give two multipart messages the same reference. Falls back to a per-process counter when the state
/// directory cannot be created.
func sharedConcatenationReferences() -> ConcatenationReferences {
    let env = ProcessInfo.processInfo.environment
    let base: String
    if let xdg = env["XDG_STATE_HOME"], !xdg.isEmpty { base = xdg } else { base = (env["HOME"] ?? ".") + "/.local/state" }
    let directory = base + "/smskit"
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    } catch {
        return .perModem
    }
    return .sharedFile(directory + "/concat-reference")
}

extension ModemOptions {
    func validate() throws {
        guard (port == nil) != (device == nil) else { throw ValidationError("give exactly one of --port and --device") }
        if let pin, !((4...8).contains(pin.count) && pin.allSatisfy({ $0.isASCII && $0.isNumber })) {
            throw ValidationError("--pin must be 4 to 8 digits (it was not sent to the SIM)")
        }
    }

    /// The AT port: `--port` as given, or what discovery finds for `--device`.
    func resolvedPort() async throws -> String {
        if let port { return port }
        do {
            return try await ModemDiscovery().resolve(device: device ?? "auto")
        } catch {
            Output.error("error: \(error.description)")
            throw ExitCode.failure
        }
    }
}

/// Prints `error: …` on stderr and returns exit code 1, or 3 when the SMS may have been sent
/// (``ModemError/mayHaveBeenSent``): the caller must not blindly resend it.
func modemFailure(_ error: ModemError) -> ExitCode {
    Output.error("error: \(error.description)")
    return error.mayHaveBeenSent ? ExitCode(3) : ExitCode.failure
}

/// `smskit info --port P [--json]`: identity and network health of a modem.
struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a modem's identity (IMEI, IMSI, ICCID, model) and health (signal, registration, operator, SMSC).",
        discussion: "With --json prints one object: port, family, manufacturer, model, revision, imei, imsi, iccid, rssi, signal_dbm, registration, operator, smsc, storage_used, storage_total (null when unknown)."
    )

    @OptionGroup var options: ModemOptions

    /// The `--json` object.
    struct Info: Encodable {
        var port: String
        var family: String
        var manufacturer, model, revision, imei, imsi, iccid: String?
        var rssi, signal_dbm: Int?
        var registration: String
        var `operator`, smsc: String?
        var storage_used, storage_total: Int?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: ModemJSONKey.self)
            let strings: [(String, String?)] = [("port", port), ("family", family), ("manufacturer", manufacturer),
                                                ("model", model), ("revision", revision), ("imei", imei), ("imsi", imsi),
                                                ("iccid", iccid), ("registration", registration),
                                                ("operator", `operator`), ("smsc", smsc)]
            for (k, v) in strings { try c.encode(v, forKey: ModemJSONKey(k)) }
            let ints: [(String, Int?)] = [("rssi", rssi), ("signal_dbm", signal_dbm), ("storage_used", storage_used),
                                          ("storage_total", storage_total)]
            for (k, v) in ints { try c.encode(v, forKey: ModemJSONKey(k)) }
        }
    }

    func run() async throws {
        let modem = try await options.open()
        let info: Info
        do {
            let id = try await modem.identity()
            let h = try await modem.health()
            info = Info(port: modem.port, family: id.family, manufacturer: id.manufacturer, model: id.model,
                        revision: id.revision, imei: id.imei, imsi: id.imsi, iccid: id.iccid, rssi: h.rssi,
                        signal_dbm: h.signalDBm, registration: h.registration.rawValue, operator: h.operatorName,
                        smsc: h.smsc, storage_used: h.storageUsed, storage_total: h.storageTotal)
        } catch {
            await modem.close()
            throw modemFailure(error)
        }
        await modem.close()
        if options.json {
            try Output.json(info)
        } else {
            let rows: [(String, String?)] = [
                ("port", info.port), ("family", info.family), ("manufacturer", info.manufacturer), ("model", info.model),
                ("revision", info.revision), ("IMEI", info.imei), ("IMSI", info.imsi), ("ICCID", info.iccid),
                ("signal", info.rssi.map { "rssi \($0)" + (info.signal_dbm.map { " (\($0) dBm)" } ?? "") }),
                ("registration", info.registration), ("operator", info.operator), ("SMSC", info.smsc),
                ("storage", info.storage_used.map { "\($0)/\(info.storage_total.map(String.init) ?? "?") used" }),
            ]
            for (k, v) in rows { print(k.padding(toLength: 13, withPad: " ", startingAt: 0) + (v ?? "-")) }
        }
    }
}

/// A JSON key from a string (so `nil` values are written as `null`).
struct ModemJSONKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
