import SMSPDU
/// The network side of a modem: incoming messages and status reports, `+CMTI`/`+CMT`/`+CDS`/`+CDSI`, `AT+CNMA`.
extension VirtualModem {
    /// What became of a delivery attempt.
    enum DeliveryOutcome: Sendable, Equatable {
        /// Stored or shown to the client; the SMSC is done.
        case accepted
        /// The modem cannot take it now (unplugged, unregistered, SIM locked, an acknowledgement pending); retry later.
        case unavailable
        /// The receiving memory is full; retry when a message was deleted.
        case memoryFull
    }

    /// Takes an SMS-DELIVER or SMS-STATUS-REPORT (`pdu` = SMSC field + TPDU) from the SMSC, per `AT+CNMI`.
    func deliver(pdu: [UInt8], isStatusReport: Bool, messageClass: Int?) -> DeliveryOutcome {
        guard host != nil, isRegistered, pendingAcknowledgement == nil else { return .unavailable }
        let message = StoredMessage(status: .receivedUnread, pdu: pdu)
        let cnmi = settings.cnmi
        if isStatusReport {
            if cnmi.ds == 1 {
                emitURC(settings.textMode ? textStatusReportURC(message) : ["+CDS: \(message.tpduLength)", Hex.encode(pdu)])
                awaitAcknowledgement(pdu: pdu, isStatusReport: true)
                return .accepted
            }
            // SR full: the MS answers "memory capacity exceeded" (TS 24.011 RP-ERROR cause 22) and the
            // SMSC keeps the report until the MS frees memory (TS 23.040 §10.3), as for an SMS-DELIVER.
            guard let index = storage.store(message, in: .sr) else { return .memoryFull }
            if cnmi.ds == 2 { emitURC(["+CDSI: \"SR\",\(index)"]) }
            return .accepted
        }
        let direct = (cnmi.mt == 2 && messageClass != 2) || (cnmi.mt == 3 && messageClass == 3)
        if direct {
            emitURC(settings.textMode ? textDeliverURC(message) : ["+CMT: ,\(message.tpduLength)", Hex.encode(pdu)])
            awaitAcknowledgement(pdu: pdu, isStatusReport: false)
            return .accepted
        }
        let memory = settings.memories.receive
        guard let index = storage.store(message, in: memory) else { return .memoryFull }
        if cnmi.mt >= 1 { emitURC(["+CMTI: \"\(memory.rawValue)\",\(index)"]) }
        return .accepted
    }

    /// With `AT+CSMS=1` a routed message needs `AT+CNMA`; without it in time, routing is switched off
    /// (`<mt>`, `<ds>` → 0, TS 27.005 §3.4.1) and the message is stored instead.
    private func awaitAcknowledgement(pdu: [UInt8], isStatusReport: Bool) {
        guard settings.messageService == 1 else { return }
        let timeoutDuration = network?.configuration.acknowledgementTimeout ?? .seconds(30)
        let timeout = Task { [weak self] in
            do { try await Task.sleep(for: timeoutDuration) } catch { return }
            await self?.acknowledgementTimedOut()
        }
        pendingAcknowledgement = PendingAcknowledgement(pdu: pdu, isStatusReport: isStatusReport, timeout: timeout)
    }

    private func acknowledgementTimedOut() async {
        guard let pending = pendingAcknowledgement else { return }
        pendingAcknowledgement = nil
        settings.cnmi.mt = 0
        settings.cnmi.ds = 0
        logger.warning("no AT+CNMA in time: +CNMI routing switched off, message stored")
        let message = StoredMessage(status: .receivedUnread, pdu: pending.pdu)
        let memory: MessageMemory = pending.isStatusReport ? .sr : settings.memories.receive
        if storage.store(message, in: memory) == nil {
            await network?.requeue(pdu: pending.pdu, to: number, isStatusReport: pending.isStatusReport)
        }
        await network?.modemBecameAvailable(number)
    }
}
