import ArgumentParser
import Dispatch
import Foundation
import ModemEmulator

/// `smskit emulator`: virtual modems on PTYs and a virtual operator network, until SIGINT/SIGTERM.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run virtual GSM modems on pseudo-terminals, linked by a virtual operator network.",
        discussion: """
            Prints one JSON line per modem, {"number":"+15550001","port":"/dev/pts/7"}, as soon as its port can be \
            opened, then runs until SIGINT or SIGTERM. Faults: loss=P, dup=P, reorder=P, delay=200ms-2s, corrupt=P, \
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

    @Flag(help: "JSON output (the default; lines are always JSON).")
    var json = false

    /// One line of the startup output.
    struct PortLine: Encodable {
        var number: String
        var port: String
        var link: String?
    }

    func validate() throws {
        if let faults {
            do { _ = try Faults(parsing: faults) } catch { throw ValidationError(error.description) }
        }
        guard Set(modems).count == modems.count else { throw ValidationError("each --modem number must be unique") }
    }

    func run() async throws {
        let parsedFaults = try faults.map { try Faults(parsing: $0) } ?? Faults()
        let network = VirtualNetwork(seed: seed, faults: parsedFaults)
        let stop = SignalWaiter()
        do {
            for number in modems {
                let modem = try await network.addModem(number: number, pin: pin, linkDirectory: linkDirectory)
                let port = await modem.portPath ?? ""
                try Output.json(PortLine(number: modem.number, port: port, link: modem.linkPath))
            }
        } catch {
            await network.shutdown()
            Output.error("smskit emulator: \(error)")
            throw ExitCode.failure
        }
        let signal = await stop.wait()
        await network.shutdown()
        Output.error("smskit emulator: stopped by \(signal)")
    }
}

/// Waits for SIGINT or SIGTERM with DispatchSource signal sources (the default handlers are ignored meanwhile).
final class SignalWaiter: @unchecked Sendable {
    private let queue = DispatchQueue(label: "smskit.emulator.signals")
    private var sources: [DispatchSourceSignal] = []
    private var continuation: CheckedContinuation<String, Never>?
    private var caught: String?

    init() {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.fire(name) }
            source.resume()
            sources.append(source)
        }
    }

    private func fire(_ name: String) {
        guard caught == nil else { return }
        caught = name
        continuation?.resume(returning: name)
        continuation = nil
    }

    /// Returns the name of the first signal received.
    func wait() async -> String {
        await withCheckedContinuation { continuation in
            queue.async {
                if let caught = self.caught {
                    continuation.resume(returning: caught)
                } else {
                    self.continuation = continuation
                }
            }
        }
    }
}
