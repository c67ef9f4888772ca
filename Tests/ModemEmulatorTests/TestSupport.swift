import Foundation
import Testing
@testable import ModemEmulator

/// A network with `count` modems (+15550001, +15550002, …) and a raw client on each, torn down by `body`'s end.
func withModems(_ count: Int = 1, seed: UInt64 = 1, faults: Faults = Faults(), pin: String? = nil,
                   configuration: NetworkConfiguration = NetworkConfiguration(),
                   simCapacity: Int = 30, logLimit: Int? = 1000,
                   _ body: (VirtualNetwork, [VirtualModem], [ATClient]) async throws -> Void) async throws {
    let network = VirtualNetwork(seed: seed, faults: faults, clock: InstantClock(), wallTime: InstantClock.wallTime(),
                                 configuration: configuration)
    var modems: [VirtualModem] = []
    var clients: [ATClient] = []
    do {
        for index in 1...count {
            var modemConfiguration = ModemConfiguration(number: "+1555000\(index)", pin: pin)
            modemConfiguration.simCapacity = simCapacity
            modemConfiguration.logLimit = logLimit
            let modem = try await network.addModem(modemConfiguration)
            modems.append(modem)
            let path = try #require(await modem.portPath)
            clients.append(try ATClient(path: path))
        }
        try await body(network, modems, clients)
        clients.forEach { $0.close() }
        await network.shutdown()
    } catch {
        for modem in modems {
            print("transcript of \(modem.number):")
            for entry in await modem.transcript { print("  \(entry)") }
        }
        clients.forEach { $0.close() }
        await network.shutdown()
        throw error
    }
}

extension ATClient {
    /// Sends each command and expects it to end in OK.
    func setUp(_ commands: String...) async throws {
        for command in commands {
            let reply = try await self.command(command)
            #expect(reply.hasSuffix("\r\nOK\r\n"), "\(command) → \(reply.debugDescription)")
        }
    }
}
