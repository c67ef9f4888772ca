import ArgumentParser
import Foundation
import Logging
import ModemDiscovery

/// `smskit devices`: lists USB modems and their ports (libudev), optionally probing and watching hot-plug.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List USB GSM modems, their ports and the primary AT port.",
        discussion: """
            --json prints exactly one JSON array on stdout (diagnostics go to stderr).
            --watch prints one JSON line per modem added or removed until interrupted.
            Ports or USB devices tagged SMSKIT_IGNORE=1 (udev property) are skipped.
            """)

    @Flag(help: "Print one JSON array (or, with --watch, one JSON object per line).")
    var json = false

    @Flag(help: "Send AT to unclassified ports of devices without a known AT port (never to ports in use).")
    var probe = false

    @Flag(help: "Follow hot-plug: print modems as they are added and removed.")
    var watch = false

    @Flag(help: "Also list USB-serial adapters and unknown devices.")
    var all = false

    @Option(help: ArgumentHelp("Print a udev rules file generated from the classification table and exit "
                               + "(main: udev/90-smskit.rules, modemmanager-ignore: udev/91-smskit-modemmanager-ignore.rules).",
                               valueName: "main|modemmanager-ignore"))
    var printUdevRules: RulesFile?

    /// Which generated udev rules file to print.
    enum RulesFile: String, ExpressibleByArgument {
        case main
        case modemmanagerIgnore = "modemmanager-ignore"
    }

    @Option(help: "Quiet time (ms) that ends a burst of port events before a modem is reported (with --watch).")
    var settleMs: Int = 500

    func validate() throws {
        guard (0...60_000).contains(settleMs) else { throw ValidationError("--settle-ms must be 0...60000") }
        if watch && probe { throw ValidationError("--probe cannot be combined with --watch; probe with `smskit devices --probe`") }
    }

    func run() async throws {
        if let printUdevRules {
            let text = printUdevRules == .main ? UdevRules.mainRules() : UdevRules.modemManagerIgnoreRules()
            Output.write(Data(text.utf8))
            return
        }
        let logger = Logger(label: "smskit.devices") { StreamLogHandler.standardError(label: $0) }
        let discovery = ModemDiscovery(logger: logger)
        do {
            if watch {
                try await runWatch(discovery)
            } else {
                let devices = try await discovery.devices(includeAll: all, probe: probe)
                if json { try Output.json(devices) } else { print(DeviceTableFormatter.render(devices)) }
            }
        } catch let error as DiscoveryError {
            Output.error("smskit devices: \(error)")
            throw ExitCode.failure
        }
    }

    private func runWatch(_ discovery: ModemDiscovery) async throws {
        let watcher = try ModemWatcher(settle: .milliseconds(settleMs), includeAll: all)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await watcher.run() }
            for await event in watcher.events() {
                if json {
                    try Output.json(event)
                } else {
                    let verb = event.kind == .added ? "added  " : "removed"
                    let line = "\(verb) \(event.modem.devnode ?? "-")  \(event.modem.vendorID):\(event.modem.productID)  "
                        + "\(event.modem.model ?? "")  \(event.modem.id)\n"
                    Output.write(Data(line.utf8))
                }
            }
        }
    }
}
