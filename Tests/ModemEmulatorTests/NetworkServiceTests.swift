import Logging
import ServiceLifecycle
import Testing
@testable import ModemEmulator

@Suite("The virtual network is a swift-service-lifecycle Service")
struct NetworkServiceTests {
    @Test("graceful shutdown of its ServiceGroup shuts the network down: the client sees the hang-up, no modem can be added")
    func gracefulShutdownEndsTheNetwork() async throws {
        let network = VirtualNetwork(seed: 1, clock: InstantClock())
        let modem = try await network.addModem(number: "+15550001")
        let client = try ATClient(path: try #require(await modem.portPath))
        #expect(try await client.command("AT") == "AT\r\r\nOK\r\n")
        let group = ServiceGroup(services: [network], gracefulShutdownSignals: [], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Still up while the group runs.
            #expect(try await client.command("AT") == "AT\r\r\nOK\r\n")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try await client.waitForHangUp()
        await #expect(throws: EmulatorError.shutDown) { try await network.addModem(number: "+15550002") }
        client.close()
    }
}
