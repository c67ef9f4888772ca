extension Modem {
    /// Runs a storage command (`AT+CMGR`/`AT+CMGD`/`AT+CMGL`) against `memory`. Storage commands are
    /// serialised: when `memory` is not the current read memory (status reports in `SR`), the read
    /// memory is switched with `AT+CPMS` for this command only and switched back, and no other
    /// storage command can run in between and hit the wrong memory.
    @discardableResult
    func storageCommand(_ command: String, memory: String, on ch: ATChannel, expecting: [String] = [],
                        timeout: Duration? = nil) async throws(ATError) -> ATResponse {
        guard await lockStorage() else { throw .cancelled(command: command) }
        defer { unlockStorage() }
        let switching = memory != storageMemory
        if switching { try await ch.send("AT+CPMS=\"\(memory)\"", expecting: ["+CPMS:"]) }
        let result: Result<ATResponse, ATError>
        do { result = .success(try await ch.send(command, expecting: expecting, timeout: timeout)) } catch { result = .failure(error) }
        if switching { _ = try? await ch.send("AT+CPMS=\"\(storageMemory)\"", expecting: ["+CPMS:"]) }
        return try result.get()
    }

    /// Takes the storage lock; false when the task was cancelled while waiting for it.
    private func lockStorage() async -> Bool {
        if !storageLocked { storageLocked = true; return true }
        let ticket = storageWaiters.ticket()
        return await suspend(cancelled: false, register: { storageWaiters.append(ticket, $0) },
                             onCancel: { $0.storageWaiters.resume(ticket, returning: false) })
    }

    private func unlockStorage() {
        if !storageWaiters.resumeFirst(returning: true) { storageLocked = false }
    }
}
