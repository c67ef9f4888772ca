extension Modem {
    /// Restarts the modem with `AT+CFUN=1,1` (full functionality after a reset, TS 27.007 §8.2) and
    /// runs the init sequence again, PIN included.
    ///
    /// A supervisor calls this when a modem keeps failing. Modems that drop off USB while they restart
    /// are reconnected by the supervisor as after any disconnect; those that stay attached are
    /// re-initialised on the same channel. Stored messages are read and handed on again afterwards.
    /// - Throws: ``ModemError`` when the modem refuses the reset or does not come back.
    public func reset() async throws(ModemError) {
        let ch = try await readyChannel()
        logger.warning("resetting the modem (AT+CFUN=1,1)")
        do { try await ch.send("AT+CFUN=1,1", timeout: .seconds(15)) } catch {
            if case .disconnected = error { return }  // it went away to restart; the supervisor reconnects
            throw .command(error)
        }
        guard state == .ready, channel === ch else { return }
        try await initialize(ch)
        if configuration.inbound == .parts { heldSlots.removeAll() }
        eventContinuation.yield(.reinitialized)
        await readStored(on: ch)
    }
}
