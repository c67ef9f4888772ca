import ArgumentParser
import Foundation
import Logging
import ModemEmulator
import ServiceLifecycle

/// `smskit emulator`: virtual modems on PTYs and a virtual operator network, until SIGINT/SIGTERM.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run virtual GSM modems on pseudo-terminals, linked by a virtual operator network.",
        discussion: """
            Prints one JSON line per modem, {"number":"+15550001","port":"/dev/pts/7"}, as soon as its port can be \
            opened, then runs until SIGINT or SIGTERM. Virtual phones (--phone, --phone-prefix) print \
            {"event":"phone.part",…} for every part they get and {"event":"phone.message",…} for every complete \
            message. With --control, stdin takes JSON commands (send, unplug, replug, faults, stats), one per line; \
            end of input does not stop the emulator. Faults: loss=P, dup=P, reorder=P, delay=200ms-2s, corrupt=P, \
            smsc-error=P, slow=P, slow-delay=A-B, urc=P, noise=P, noreg, unplug=A-B, unplug-for=A-B. See docs/emulator.md.
            """
    )

    @Option(name: .customLong("modem"), help: "A modem's number (repeat for more modems).")
    var modems: [String] = ["+15550001", "+15550002"]

    @Option(help: "Faults, e.g. loss=0.1,dup=0.05,reorder=0.1,delay=200ms-2s.")
    var faults: String?

    @Option(help: "Seed of every fault decision (same seed, same run).")
    var seed: UInt64 = 0

    @Option(help: "SIM PIN asked by every modem at power-on.")
    var pin: String?

    @Option(name: .customLong("link-dir"), help: "Directory for stable symlinks DIR/<number> to each modem's PTY.")
    var linkDirectory: String?

    @Option(name: .customLong("phone"), help: "A virtual phone's number (repeat for more phones).")
    var phones: [String] = []

    @Option(name: .customLong("phone-prefix"),
            help: "Numbers starting with this are virtual phones, created on first use (repeatable), e.g. +1999.")
    var phonePrefixes: [String] = []

    @Option(name: .customLong("reject-prefix"),
            help: "Numbers starting with this refuse messages: status report TP-ST 0x41 (repeatable).")
    var rejectPrefixes: [String] = []

    @Flag(name: .customLong("full-log"), help: "Keep every transcript, delivery and fault entry (default: the newest 1,000 of each).")
    var fullLog = false

    @Flag(help: "Read JSON commands on stdin (send, unplug, replug, faults, stats); one answer line each.")
    var control = false

    @Flag(help: "JSON output (the default; lines are always JSON).")
    var json = false

    func validate() throws {
        if let faults {
            do { _ = try Faults(parsing: faults) } catch { throw ValidationError(error.description) }
        }
        guard Set(modems).count == modems.count else { throw ValidationError("each --modem number must be unique") }
        guard Set(phones).count == phones.count, Set(phones).isDisjoint(with: modems) else {
            throw ValidationError("each --phone number must be unique and differ from every --modem number")
        }
        // Numbers and prefixes are checked by the network in run(): a bad one ends the command with its reason.
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)  // a closed stdout ends our writes, not the process
        let parsedFaults = try faults.map { try Faults(parsing: $0) } ?? Faults()
        var configuration = NetworkConfiguration()
        if fullLog { configuration.logLimit = nil }
        let network = VirtualNetwork(seed: seed, faults: parsedFaults, configuration: configuration)
        let output = JSONLineWriter()
        let events = await network.phoneEvents()
        let eventPrinter = Task {
            for await event in events {
                switch event {
                case .part(let delivery): output.emit(EmulatorLines.PhonePart(delivery))
                case .message(let message): output.emit(EmulatorLines.PhoneMessageLine(message))
                }
            }
        }
        do {
            try await network.setPhonePrefixes(phonePrefixes)
            try await network.setRejectPrefixes(rejectPrefixes)
            for phone in phones { try await network.addPhone(number: phone) }
            for number in modems {
                var modemConfiguration = ModemConfiguration(number: number, pin: pin, linkDirectory: linkDirectory)
                if fullLog { modemConfiguration.logLimit = nil }
                let modem = try await network.addModem(modemConfiguration)
                let port = await modem.portPath ?? ""
                output.emit(EmulatorLines.Port(number: modem.number, port: port, link: modem.linkPath))
            }
        } catch {
            await network.shutdown()
            await eventPrinter.value
            await output.finish()
            Output.error("smskit emulator: \(error)")
            throw ExitCode.failure
        }
        let commands = control ? Task {
            let controller = EmulatorControl(network: network, output: output)
            for await line in StandardInputLines().lines { await controller.handle(line) }
        } : nil
        // The network is the service: SIGINT or SIGTERM shuts it down gracefully (every PTY closes).
        var logger = Logger(label: "smskit.emulator")
        logger.logLevel = .error
        let group = ServiceGroup(services: [network], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do { try await group.run() } catch { Output.error("smskit emulator: \(error)") }
        commands?.cancel()
        await network.shutdown()
        await eventPrinter.value
        await output.finish()
        Output.error("smskit emulator: stopped")
    }
}
