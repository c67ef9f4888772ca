extension Modem {
    /// Sends text (GSM 7-bit when possible, else UCS-2), split into concatenated parts as needed.
    /// - Returns: the TP-MR of every part.
    /// - Throws: ``ModemError`` after transient errors were retried ``Configuration/sendRetries`` times.
    public func send(text: String, to recipient: String, options: SendOptions = .init()) async throws(ModemError) -> SendReceipt {
        let parts = try PDUBridge.encode(text: text, to: recipient, reference: nextReference(), options: options)
        return try await submit(parts, to: recipient, options: options)
    }

    /// Sends bytes as 8-bit data, optionally port-addressed (`ports: (destination, source)`).
    public func send(data: [UInt8], to recipient: String, ports: (destination: Int, source: Int)? = nil,
                     options: SendOptions = .init()) async throws(ModemError) -> SendReceipt {
        let parts = try PDUBridge.encode(data: data, to: recipient, ports: ports, reference: nextReference(), options: options)
        return try await submit(parts, to: recipient, options: options)
    }

    /// Waits for the final delivery report of a message sent with a report request.
    /// - Throws: ``ModemError/reportTimeout(reference:)`` if it does not come in time.
    public func deliveryReport(for receipt: SendReceipt, timeout: Duration) async throws(ModemError) -> DeliveryReport {
        if let r = finalReports[receipt.messageID] { return r }
        if state == .closed { throw .closed }
        let id = receipt.messageID
        let clock = self.clock
        let timer = Task { [weak self] in
            do { try await clock.sleep(for: timeout) } catch { return }
            await self?.timeoutReportWaiters(id)
        }
        let report = await withCheckedContinuation { reportWaiters[id, default: []].append($0) }
        timer.cancel()
        guard let report else { throw .reportTimeout(reference: receipt.references) }
        return report
    }

    private func timeoutReportWaiters(_ id: UInt64) {
        for w in reportWaiters.removeValue(forKey: id) ?? [] { w.resume(returning: nil) }
    }

    private func nextReference() -> Int {
        concatReference = (concatReference + 1) & 0xFF
        return concatReference
    }

    private func submit(_ parts: [OutgoingPart], to recipient: String, options: SendOptions) async throws(ModemError) -> SendReceipt {
        nextMessageID += 1
        let id = nextMessageID
        if options.requestDeliveryReport { tracker.begin(messageID: id, recipient: recipient, parts: parts.count) }
        var references: [Int] = []
        for part in parts {
            let mr = try await submitPart(part)
            references.append(mr)
            if options.requestDeliveryReport, let report = tracker.register(messageID: id, reference: mr) { publish(report) }
        }
        logger.info("message sent", metadata: ["mr": "\(references)", "parts": "\(parts.count)"])
        return SendReceipt(messageID: id, recipient: recipient, references: references,
                           reportRequested: options.requestDeliveryReport)
    }

    /// `AT+CMGS` one part. Transient network errors are retried with a growing delay; a disconnect
    /// waits for the reconnect and resends the part (at-least-once: a part that reached the network
    /// just before the unplug may arrive twice, and concatenated duplicates are dropped by the receiver).
    private func submitPart(_ part: OutgoingPart) async throws(ModemError) -> Int {
        var transientFailures = 0
        var disconnects = 0
        while true {
            let ch = try await readyChannel()
            do {
                let r = try await ch.sendPDU("AT+CMGS=\(part.tpduLength)", pdu: part.hex)
                guard let mr = r.value(for: "+CMGS:").flatMap({ Int(ATLineParser.fields($0).first ?? "") }) else {
                    throw ModemError.command(.unexpectedResult(.ok, command: "AT+CMGS (no +CMGS: <mr>)"))
                }
                return mr
            } catch let error as ATError {
                switch error {
                case .disconnected, .closed:
                    disconnects += 1
                    if state == .closed { throw .closed }
                    if disconnects > 10 { throw .disconnected(port: port) }
                    if channel === ch, state == .ready {
                        // The channel died but the supervisor has not noticed yet.
                        try await pause(configuration.reconnectInterval)
                    }
                case _ where error.isTransient && transientFailures < configuration.sendRetries:
                    transientFailures += 1
                    logger.warning("transient send error; retrying", metadata: ["error": "\(error)", "attempt": "\(transientFailures)"])
                    try await pause(configuration.retryDelay * transientFailures)
                default:
                    throw .command(error)
                }
            } catch let error as ModemError {
                throw error
            } catch {
                throw .command(.closed)
            }
        }
    }
}
