import SMSPDU

extension Modem {
    /// Sends text (GSM 7-bit when possible, else UCS-2), split into concatenated parts as needed.
    /// - Returns: the TP-MR of every part.
    /// - Throws: ``ModemError`` after transient errors were retried ``Configuration/sendRetries`` times.
    public func send(text: String, to recipient: String, options: SendOptions = .init()) async throws(ModemError) -> SendReceipt {
        let destination = try Self.destination(recipient)
        let reference = try nextReference()
        let parts: [EncodedPDU]
        do {
            parts = try SMSEncoder.encode(text: text, to: destination, options: SegmentationOptions(reference: reference),
                                          template: Self.template(destination, options)).pdus
        } catch { throw .encoding(error) }
        return try await submit(parts, to: recipient, options: options)
    }

    /// Sends bytes as 8-bit data, optionally port-addressed (`ports: (destination, source)`).
    public func send(data: [UInt8], to recipient: String, ports: (destination: Int, source: Int)? = nil,
                     options: SendOptions = .init()) async throws(ModemError) -> SendReceipt {
        let destination = try Self.destination(recipient)
        var addressing: PortAddressing?
        if let ports {
            guard let d = UInt16(exactly: ports.destination), let s = UInt16(exactly: ports.source) else {
                throw .encoding(.invalidArgument("ports must be 0…65535, got \(ports.destination):\(ports.source)"))
            }
            addressing = PortAddressing(destination: d, source: s, is16Bit: true)
        }
        let reference = try nextReference()
        let parts: [EncodedPDU]
        do {
            parts = try SMSEncoder.encode(bytes: data, to: destination, options: SegmentationOptions(reference: reference, ports: addressing),
                                          template: Self.template(destination, options)).pdus
        } catch { throw .encoding(error) }
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
            do { try await clock.sleep(for: SafeDuration.clamp(timeout)) } catch { return }
            await self?.timeoutReportWaiters(id)
        }
        let references = receipt.references
        let cancelled = Result<DeliveryReport, ModemError>.failure(.cancelled("waiting for the delivery report of \(references)"))
        let ticket = reportWaiters[id, default: Waiters()].ticket()
        let outcome = await suspend(cancelled: cancelled, register: { reportWaiters[id, default: Waiters()].append(ticket, $0) },
                                    onCancel: { $0.reportWaiters[id]?.resume(ticket, returning: cancelled) })
        timer.cancel()
        if reportWaiters[id]?.isEmpty == true { reportWaiters[id] = nil }
        switch outcome {
        case .success(let report): return report
        case .failure(.reportTimeout): throw .reportTimeout(reference: references)
        case .failure(let error): throw error
        }
    }

    private func timeoutReportWaiters(_ id: UInt64) {
        if var waiters = reportWaiters.removeValue(forKey: id) { waiters.resumeAll(returning: .failure(.reportTimeout(reference: []))) }
    }

    /// A phone number to send to (an alphanumeric or empty address cannot receive).
    private static func destination(_ recipient: String) throws(ModemError) -> Address {
        guard !recipient.isEmpty, let address = try? Address(recipient), address.typeOfNumber != .alphanumeric else {
            throw .invalidRecipient(recipient)
        }
        return address
    }

    /// The SMS-SUBMIT fields every part shares: validity and the status-report request.
    private static func template(_ destination: Address, _ options: SendOptions) -> SubmitPDU {
        SubmitPDU(destination: destination, userData: .empty,
                  validityPeriod: options.validity.map { ValidityPeriod.relative(seconds: Int($0.components.seconds)) },
                  statusReportRequest: options.requestDeliveryReport)
    }

    /// The next concatenation reference, from ``Configuration/concatenationReferences``.
    private func nextReference() throws(ModemError) -> ConcatenationReference {
        let references = configuration.concatenationReferences
        switch references.source {
        case .counter:
            concatReference = (concatReference + 1) % references.width.modulus
            return references.reference(concatReference)
        case .file(let path):
            return references.reference(try ReferenceSequenceFile.next(path: path, modulus: references.width.modulus))
        }
    }

    private func submit(_ parts: [EncodedPDU], to recipient: String, options: SendOptions) async throws(ModemError) -> SendReceipt {
        nextMessageID += 1
        let id = nextMessageID
        if options.requestDeliveryReport { tracker.begin(messageID: id, recipient: recipient, parts: parts.count,
                                                                 correlationID: options.correlationID) }
        var references: [Int] = []
        for part in parts {
            let mr: Int
            do { mr = try await submitPart(part) } catch {
                guard !references.isEmpty else { throw error }
                throw .partiallySent(references: references, totalParts: parts.count, reason: error.description)
            }
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
    private func submitPart(_ part: EncodedPDU) async throws(ModemError) -> Int {
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

extension Modem {
    /// Submits one pre-encoded SMS-SUBMIT (`AT+CMGS`) exactly once: no retry, no resend after a
    /// disconnect, so a caller that records each attempt durably (the gateway) decides what to retry.
    ///
    /// ```swift
    /// let message = try SMSEncoder.encode(text: "hi", to: try Address("+41791234567"))
    /// let mr = try await modem.submit(message.pdus[0])
    /// ```
    /// - Returns: the TP-MR the modem gave the part.
    /// - Throws: ``ModemError/command(_:)`` with ``ATError/unconfirmed(command:reason:)`` when the PDU
    ///   was written but no result came back (the SMS may have been sent); other errors mean it was not.
    public func submit(_ pdu: EncodedPDU) async throws(ModemError) -> Int {
        let ch = try await readyChannel()
        let r: ATResponse
        do { r = try await ch.sendPDU("AT+CMGS=\(pdu.tpduLength)", pdu: pdu.hex) } catch { throw .command(error) }
        guard let mr = r.value(for: "+CMGS:").flatMap({ Int(ATLineParser.fields($0).first ?? "") }) else {
            throw .command(.unconfirmed(command: "AT+CMGS", reason: "OK without +CMGS: <mr>"))
        }
        return mr
    }

    /// The SIM's own number from `AT+CNUM`, when the SIM knows it.
    public func ownNumber() async throws(ModemError) -> String? {
        do {
            let r = try await run("AT+CNUM", expecting: ["+CNUM:"])
            guard let v = r.value(for: "+CNUM:") else { return nil }
            let f = ATLineParser.fields(v)
            return f.count >= 2 && !f[1].isEmpty ? f[1] : nil
        } catch {
            if case .command(.disconnected) = error { throw error }
            if case .command(.closed) = error { throw error }
            if case .command = error { return nil }
            throw error
        }
    }
}
