import ServiceLifecycle

extension VirtualNetwork: Service {
    /// Keeps the network up until graceful shutdown (or cancellation), then shuts it down: every
    /// modem's PTY closes (clients see a hang-up), deliveries in flight are cancelled and the
    /// symlinks are removed. Its modems' PTY hosts and timers belong to the network, so this one
    /// service owns them all.
    ///
    /// ```swift
    /// let network = VirtualNetwork(seed: 1)
    /// _ = try await network.addModem(ModemConfiguration(number: "+15550001"))
    /// let group = ServiceGroup(services: [network], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    /// try await group.run()
    /// ```
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}
