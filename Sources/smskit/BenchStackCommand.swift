import ArgumentParser
import ATModem
import Foundation
import Logging
import ModemEmulator

/// `smskit bench stack` — messages per second and CPU per message through the whole stack:
/// SMSPDU → ATModem → SerialPort → PTY → ModemEmulator (zero delay) → PTY → ATModem → SMSPDU.
struct BenchStackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack",
        abstract: "Messages per second and CPU per message, driver to driver through the emulator at zero delay."
    )

    @Option(help: "Messages to send.") var messages = 500
    @Option(help: "Text of each message (single-part by default).") var text = "Balance 1,234.56 EUR. Ref 0042."
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        let messages: Int
        let parts_per_message: Int
        let seconds: Double
        let messages_per_second: Double
        let cpu_seconds: Double
        let cpu_microseconds_per_message: Double
    }

    func run() async throws {
        guard messages > 0 else { throw ValidationError("--messages must be positive") }
        let network = VirtualNetwork(seed: 1)
        let a = try await network.addModem(number: "+15550001")
        let b = try await network.addModem(number: "+15550002")
        guard let portA = await a.portPath, let portB = await b.portPath else {
            throw ValidationError("the emulator did not expose its ports")
        }
        var quiet = Logger(label: "smskit.bench")
        quiet.logLevel = .warning
        let sender = try await Modem(port: portA, logger: quiet)
        let receiver = try await Modem(port: portB, logger: quiet)

        let cpuBefore = Self.cpuSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        let expected = messages
        let receiving = Task {
            var received = 0
            for await message in receiver.incoming {
                try? await message.acknowledge()
                received += 1
                if received == expected { break }
            }
            return received
        }
        var parts = 0
        for i in 0..<messages {
            let receipt = try await sender.send(text: "\(text) #\(i)", to: "+15550002")
            parts = receipt.references.count
        }
        let received = await receiving.value
        let elapsed = (clock.now - start).seconds
        let cpu = Self.cpuSeconds() - cpuBefore
        await sender.close()
        await receiver.close()
        await network.shutdown()
        guard received == messages else { throw ValidationError("received \(received) of \(messages) messages") }

        let result = Result(messages: messages, parts_per_message: parts, seconds: elapsed,
                            messages_per_second: (Double(messages) / elapsed).rounded(),
                            cpu_seconds: cpu, cpu_microseconds_per_message: (cpu * 1e6 / Double(messages)).rounded())
        if json { try Output.json(result) } else {
            print("\(messages) messages (\(parts) part(s) each) in \(String(format: "%.2f", elapsed)) s")
            print("throughput: \(Int(result.messages_per_second)) messages/s")
            print("CPU: \(Int(result.cpu_microseconds_per_message)) µs per message (user+system, both modems and the emulator in this process)")
        }
    }

    /// User plus system CPU time of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }
}
