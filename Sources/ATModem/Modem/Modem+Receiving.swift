import Foundation

extension Modem {
    /// Dispatches one URC: new messages, status reports, resets, storage-full notices.
    func handle(_ urc: URC, on ch: ATChannel) async {
        let table = quirks.urcTable
        switch urc.name {
        case "+CMTI":
            let f = urc.fields
            if f.count >= 2, let index = Int(f[1]) { await readSlot(StorageSlot(memory: f[0], index: index), on: ch) }
        case "+CDSI":
            let f = urc.fields
            if f.count >= 2, let index = Int(f[1]) { await readSlot(StorageSlot(memory: f[0], index: index), on: ch) }
        case "+CMT", "+CDS":
            if let pdu = urc.pdu { await process(pdu: pdu, slot: nil, on: ch) }
            // In parts mode the consumer's acknowledge() sends AT+CNMA once it has stored the PDU.
            if cnmaRequired, configuration.inbound == .messages || urc.pdu == nil { _ = try? await ch.send("AT+CNMA") }
        case "^SMMEMFULL":
            await readStored(on: ch)
        case "+CIEV":
            let f = urc.fields.map { $0.lowercased() }
            if f.first == "smsfull" || f.first == "memfull" || (f.first == "message" && f.last == "1") { await readStored(on: ch) }
        default:
            if table.isReset(urc.line) || urc.line == "RDY" || urc.line == "START" {
                logger.warning("modem reset detected; re-running init", metadata: ["urc": "\(urc.line)"])
                do {
                    try await initialize(ch)
                    eventContinuation.yield(.reinitialized)
                    await readStored(on: ch)
                } catch {
                    logger.error("re-init after reset failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Reads every stored message (`AT+CMGL=4`: all, PDU mode) and processes those not yet held.
    func readStored(on ch: ATChannel) async {
        await readStored(memory: storageMemory, on: ch)
        // Status reports stored while nobody listened (`+CNMI` ds=2, or a `+CDS` never acknowledged).
        if configuration.inbound == .parts, storageMemory != "SR" { await readStored(memory: "SR", on: ch) }
        await checkStorage(on: ch)
    }

    private func readStored(memory: String, on ch: ATChannel) async {
        let response: ATResponse
        do {
            response = try await storageCommand("AT+CMGL=4", memory: memory, on: ch, expecting: ["+CMGL:"], timeout: .seconds(60))
        } catch {
            if memory != "SR" { logger.warning("reading stored messages failed", metadata: ["error": "\(error)"]) }
            return
        }
        var header: StorageSlot?
        for line in response.lines {
            if let v = ATLineParser.value(of: line, prefix: "+CMGL:") {
                header = Int(ATLineParser.fields(v).first ?? "").map { StorageSlot(memory: memory, index: $0) }
            } else if let slot = header {
                header = nil
                if badSlots.contains(slot) { continue }
                await process(pdu: line, slot: slot, on: ch)
            }
        }
    }

    /// Emits ``ModemEvent/storageFull(used:total:)`` when `+CPMS?` reports no free slot.
    private func checkStorage(on ch: ATChannel) async {
        guard let r = try? await ch.send("AT+CPMS?", expecting: ["+CPMS:"]), let f = r.fields(for: "+CPMS:"),
              f.count >= 3, let used = Int(f[1]), let total = Int(f[2]), total > 0, used >= total else { return }
        logger.warning("message storage full; acknowledge messages to free it", metadata: ["used": "\(used)"])
        eventContinuation.yield(.storageFull(used: used, total: total))
    }

    /// `AT+CMGR` of one slot, then decode and hand on.
    func readSlot(_ slot: StorageSlot, on ch: ATChannel) async {
        if badSlots.contains(slot) { return }
        let response: ATResponse
        do {
            response = try await storageCommand("AT+CMGR=\(slot.index)", memory: slot.memory, on: ch, expecting: ["+CMGR:"])
        } catch {
            logger.warning("reading message failed", metadata: ["index": "\(slot.index)", "error": "\(error)"])
            return
        }
        guard let header = response.lines.firstIndex(where: { $0.hasPrefix("+CMGR:") }),
              header + 1 < response.lines.count else { return }  // empty slot
        await process(pdu: response.lines[header + 1], slot: slot, on: ch)
    }

    /// Decodes a stored or routed PDU and feeds reassembly or delivery tracking.
    func process(pdu: String, slot: StorageSlot?, on ch: ATChannel) async {
        let decoded: DecodedPDU
        do {
            decoded = try DecodedPDU(hex: pdu)
        } catch {
            logger.error("undecodable PDU kept on the modem", metadata: ["index": "\(slot?.index ?? -1)", "error": "\(error)"])
            if let slot { rememberBad(slot) }
            eventContinuation.yield(.undecodable(slot, reason: "\(error)"))
            return
        }
        if configuration.inbound == .parts {
            handOn(decoded, slot: slot, pdu: pdu)
            return
        }
        switch decoded {
        case .deliver(let part):
            if let slot {
                if heldSlots[slot] == part.identity { return }  // already held: same part, same slot
                guard admit(slot) else { return }
                heldSlots[slot] = part.identity
            }
            for outcome in reassembler.add(part, slot: slot) { await apply(outcome, on: ch) }
        case .statusReport(let report):
            if let result = tracker.apply(report) { publish(result) }
            if let slot { await delete([slot], on: ch) }
        case .other(let kind):
            logger.debug("ignoring stored PDU", metadata: ["kind": "\(kind)"])
            if let slot { rememberBad(slot) }
        }
    }

    /// Whether one more slot may be held (``Limits/heldSlots``); a slot not admitted stays on the SIM
    /// unread and is read by a later scan.
    private func admit(_ slot: StorageSlot) -> Bool {
        if heldSlots[slot] != nil || heldSlots.count < Limits.heldSlots { return true }
        deferredSlots += 1
        if deferredSlots.isPowerOfTwo {
            logger.warning("too many unacknowledged messages; leaving new ones on the SIM",
                           metadata: ["held": "\(heldSlots.count)", "deferred": "\(deferredSlots)"])
        }
        return false
    }

    private func rememberBad(_ slot: StorageSlot) {
        if badSlots.count >= Limits.badSlots, let any = badSlots.first { badSlots.remove(any) }
        badSlots.insert(slot)
    }

    /// Yields to a bounded stream; counts and logs what did not fit. Returns false when dropped.
    func offer<T: Sendable>(_ value: T, to continuation: AsyncStream<T>.Continuation) -> Bool {
        guard case .dropped = continuation.yield(value) else { return true }
        droppedMessages += 1
        if droppedMessages.isPowerOfTwo {
            logger.error("consumer too slow: received messages dropped (not acknowledged to the network)",
                         metadata: ["dropped": "\(droppedMessages)"])
        }
        return false
    }

    /// ``InboundMode/parts``: yields the PDU unassembled; its acknowledge deletes the slot or sends `AT+CNMA`.
    private func handOn(_ decoded: DecodedPDU, slot: StorageSlot?, pdu: String) {
        let identity = DecodedPDU.tpduHex(pdu)
        if let slot {
            if heldSlots[slot] == identity { return }  // already handed on, not yet acknowledged
            guard admit(slot) else { return }
            heldSlots[slot] = identity
        }
        let ack: @Sendable () async throws(ModemError) -> Void = { [weak self] () async throws(ModemError) in
            guard let self else { throw ModemError.closed }
            try await self.acknowledgeRaw(slot: slot, identity: identity)
        }
        switch decoded {
        case .deliver(let p):
            _ = offer(.part(IncomingPart(
                sender: p.sender, smsc: p.smsc, timestamp: p.timestamp, concatenation: p.concat, ports: p.ports,
                userData: p.userData, tpduHex: identity, slot: slot, acknowledger: ack)), to: inboundContinuation)
        case .statusReport(let r):
            _ = offer(.statusReport(IncomingStatusReport(
                reference: r.reference, recipient: r.recipient, tpStatus: r.status, dischargeTime: r.dischargeTime,
                slot: slot, acknowledger: ack)), to: inboundContinuation)
        case .other(let kind):
            logger.debug("ignoring stored PDU", metadata: ["kind": "\(kind)"])
            if let slot { rememberBad(slot) }
        }
    }

    /// Deletes the slot only while it still holds this PDU: a second acknowledge of a PDU handed on
    /// twice (after a reconnect) must not delete a newer message stored in the same slot.
    private func acknowledgeRaw(slot: StorageSlot?, identity: String) async throws(ModemError) {
        if let slot {
            guard heldSlots[slot] == identity else { return }
            try await acknowledge([slot])
        } else if cnmaRequired {
            let ch = try await readyChannel()
            do { try await ch.send("AT+CNMA") } catch {
                // No acknowledgement pending any more (timed out): the modem stored the PDU instead.
                guard case .cms = error else { throw .command(error) }
            }
        }
    }

    /// Arms the reassembly timeout of a group just opened. Every group has the same timeout, so the
    /// deadlines come in the order the groups opened: one loop sleeps until the oldest one, not one
    /// task per message.
    private func scheduleExpiry(_ key: MessageReassembler.Key, generation: UInt64) {
        let clock: any Clock<Duration> = self.clock
        let deadline = openedDeadline(on: clock, after: SafeDuration.clamp(configuration.reassemblyTimeout))
        expiryQueue.append(PendingExpiry(key: key, generation: generation, deadline: deadline))
        guard expiryLoop == nil else { return }
        // Holds the modem only while it fires, never while it sleeps: a dropped modem goes away.
        expiryLoop = Task { [weak self] in
            while let (clock, deadline) = await self?.nextExpiry() {
                do { try await openedSleep(on: clock, until: deadline) } catch { return }
                await self?.fireNextExpiry()
            }
        }
    }

    /// The clock and the oldest pending deadline; nil (and the loop ends) when none is pending.
    private func nextExpiry() -> (any Clock<Duration>, any InstantProtocol<Duration>)? {
        guard let next = expiryQueue.first, state != .closed else {
            expiryLoop = nil
            return nil
        }
        return (clock, next.deadline)
    }

    private func fireNextExpiry() async {
        guard !expiryQueue.isEmpty else { return }
        let next = expiryQueue.removeFirst()
        await expire(next.key, generation: next.generation)
    }

    private func expire(_ key: MessageReassembler.Key, generation: UInt64) async {
        guard let outcome = reassembler.expire(key, generation: generation) else { return }
        guard let ch = channel else {
            // Offline: a duplicate's slots stay on the SIM; forgotten here, they are read (and judged a copy
            // again) by the scan after the reconnect.
            if case .duplicate(let slots) = outcome { for slot in slots { heldSlots[slot] = nil } }
            if case .message = outcome { await apply(outcome, on: nil) }
            return
        }
        await apply(outcome, on: ch)
    }

    /// Acts on one reassembly outcome: deliver, delete a whole-message duplicate, or arm a timeout.
    private func apply(_ outcome: MessageReassembler.Outcome, on ch: ATChannel?) async {
        switch outcome {
        case .message(let m):
            if m.receivedParts.count < m.totalParts {
                logger.warning("surfacing incomplete message", metadata: ["parts": "\(m.receivedParts)/\(m.totalParts)"])
            }
            deliver(m)
        case .duplicate(let slots):
            logger.debug("duplicate message dropped", metadata: ["slots": "\(slots.map(\.index))"])
            if let ch { await delete(slots, on: ch) }
        case .started(let key, let generation): scheduleExpiry(key, generation: generation)
        case .waiting: break
        }
    }

    private func deliver(_ m: AssembledMessage) {
        let message = IncomingMessage(
            sender: m.sender, content: m.content, timestamp: m.timestamp, smsc: m.smsc, ports: m.ports,
            totalParts: m.totalParts, receivedParts: m.receivedParts, slots: m.slots,
            acknowledger: { [weak self] (slots: [StorageSlot]) async throws(ModemError) in
                guard let self else { throw ModemError.closed }
                try await self.acknowledge(slots)
            })
        _ = offer(message, to: incomingContinuation)
    }

    /// Deletes acknowledged slots (`AT+CMGD`); waits for a reconnect if needed.
    func acknowledge(_ slots: [StorageSlot]) async throws(ModemError) {
        guard !slots.isEmpty else { return }
        let ch = try await readyChannel()
        for slot in slots {
            let identity = heldSlots[slot]
            do {
                try await storageCommand("AT+CMGD=\(slot.index)", memory: slot.memory, on: ch)
            } catch {
                guard case .cms(.invalidMemoryIndex, _) = error else { throw .command(error) }
            }
            release(slot, identity: identity)
        }
    }

    private func delete(_ slots: [StorageSlot], on ch: ATChannel) async {
        for slot in slots {
            let identity = heldSlots[slot]
            _ = try? await storageCommand("AT+CMGD=\(slot.index)", memory: slot.memory, on: ch)
            release(slot, identity: identity)
        }
    }

    /// Forgets a deleted slot unless a new part was read into it meanwhile.
    private func release(_ slot: StorageSlot, identity: String?) {
        if heldSlots[slot] == identity { heldSlots[slot] = nil }
    }

    func publish(_ report: DeliveryReport) {
        if finalReports.updateValue(report, forKey: report.messageID) == nil { finalReportOrder.append(report.messageID) }
        if finalReportOrder.count > Limits.bufferedReports {
            let excess = finalReportOrder.count - Limits.bufferedReports
            for id in finalReportOrder.prefix(excess) { finalReports[id] = nil }
            finalReportOrder.removeFirst(excess)
        }
        reportContinuation.yield(report)
        if var waiters = reportWaiters.removeValue(forKey: report.messageID) { waiters.resumeAll(returning: .success(report)) }
    }
}

/// `now + duration` on an injected clock, kept as an existential instant.
private func openedDeadline<C: Clock>(on clock: C, after duration: Duration) -> any InstantProtocol<Duration>
    where C.Duration == Duration {
    clock.now.advanced(by: duration)
}

/// Sleeps on `clock` until `deadline` (an instant of that same clock).
private func openedSleep<C: Clock>(on clock: C, until deadline: any InstantProtocol<Duration>) async throws
    where C.Duration == Duration {
    guard let deadline = deadline as? C.Instant else { return }
    try await clock.sleep(until: deadline, tolerance: nil)
}
