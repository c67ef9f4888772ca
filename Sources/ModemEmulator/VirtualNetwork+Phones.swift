import Foundation

/// Virtual phones: subscribers without a PTY that receive what modems send them and send to modems.
extension VirtualNetwork {
    /// Adds a phone with `number` (nothing changes when it exists) and returns it.
    ///
    /// `try await net.addPhone(number: "+19990001")`
    @discardableResult
    public func addPhone(number: String) throws(EmulatorError) -> VirtualPhone {
        guard !isShutDown else { throw .shutDown }
        let number = try ModemConfiguration.normalize(number)
        guard modem(number) == nil else { throw .duplicateNumber(number) }
        return phoneBook.add(number)
    }

    /// Makes every number that starts with one of `prefixes` (and is not a modem) a phone, created on first use.
    /// Replaces earlier prefixes; phones already created stay.
    ///
    /// `try await net.setPhonePrefixes(["+1999"])   // +19990001, +1999123… are phones`
    public func setPhonePrefixes(_ prefixes: [String]) throws(EmulatorError) {
        try phoneBook.setPhonePrefixes(prefixes)
    }

    /// Makes every number that starts with one of `prefixes` (and is not a modem) refuse messages: the SMSC
    /// accepts the submit, nobody records it as received, and a requested status report carries TP-ST 0x41
    /// (permanent error, incompatible destination). A rejecting prefix wins over phones. Replaces earlier prefixes.
    ///
    /// `try await net.setRejectPrefixes(["+1666"])`
    public func setRejectPrefixes(_ prefixes: [String]) throws(EmulatorError) {
        try phoneBook.setRejectPrefixes(prefixes)
    }

    /// The numbers that make phones (``setPhonePrefixes(_:)``).
    public var phonePrefixes: [String] { phoneBook.phonePrefixes }

    /// The numbers that refuse messages (``setRejectPrefixes(_:)``).
    public var rejectPrefixes: [String] { phoneBook.rejectPrefixes }

    /// A snapshot of the phone with `number`, if it exists.
    public func phone(_ number: String) -> VirtualPhone? { phoneBook[number] }

    /// Snapshots of all phones, in the order they were created.
    public var phones: [VirtualPhone] { phoneBook.all }

    /// The counts of all phones added up.
    public var phoneCounts: PhoneCounts { phoneBook.all.reduce(PhoneCounts()) { $0 + $1.counts } }

    /// A stream of every part and completed message at any phone, from now on, in delivery order.
    ///
    /// The stream buffers without limit until read, so subscribe only when you read it; it ends at ``shutdown()``
    /// or when the consumer stops.
    /// ```swift
    /// let events = await net.phoneEvents()
    /// for await case .message(let message) in events { print(message.from, message.content.text ?? "") }
    /// ```
    public func phoneEvents() -> AsyncStream<PhoneEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: PhoneEvent.self, bufferingPolicy: .unbounded)
        guard !isShutDown else {
            continuation.finish()
            return stream
        }
        let id = nextSubscriberID
        nextSubscriberID += 1
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeSubscriber(id) }
        }
        return stream
    }

    private func removeSubscriber(_ id: Int) { subscribers[id] = nil }

    /// Sends a text from phone `phoneNumber` to `destination` (a modem, or another phone): the phone builds
    /// SMS-DELIVER PDUs with SMSPDU's segment planner (GSM 7-bit or UCS-2; concatenated with an 8-bit reference
    /// the phone allocates, 0, 1, … per phone, when long), and each part takes the SMSC path of modem traffic
    /// with the same faults (loss, dup, reorder, delay, corrupt, smsc-error). Returns the submission id of each part.
    ///
    /// A phone prefix makes the sender on first use. With the `smsc-error` fault a part can be rejected:
    /// the call throws ``EmulatorError/submitRejected(part:total:code:)`` and the parts before it stay sent.
    /// ```swift
    /// let ids = try await net.phoneSend(from: "+19990001", to: "+15550001", text: String(repeating: "long ", count: 60))
    /// ids.count   // 2: the modem's client sees two +CMTI
    /// ```
    @discardableResult
    public func phoneSend(from phoneNumber: String, to destination: String, text: String) async throws(EmulatorError) -> [UInt64] {
        guard !isShutDown else { throw .shutDown }
        let sender = try ModemConfiguration.normalize(phoneNumber)
        let recipient = try ModemConfiguration.normalize(destination)
        guard modem(sender) == nil, phoneBook.resolve(sender) else { throw .unknownPhone(sender) }
        guard resolveRoute(recipient) != .unassigned else { throw .unassignedNumber(recipient) }
        let reference = phoneBook.update(sender) { $0.allocateReference() } ?? 0
        let pdus = try NetworkCodec.deliverPDUs(text: text, from: sender, reference: reference, timestamp: wallTime(),
                                                 timeZone: configuration.timeZone,
                                                 serviceCentre: configuration.serviceCentre)
        var submissions: [UInt64] = []
        for (index, pdu) in pdus.enumerated() {
            let draw = drawFaults(for: sender)
            let tag = "ref=\(reference) part \(index + 1)/\(pdus.count) to \(recipient)"
            if draw.rejected {
                logFault(FaultEvent(kind: .smscError, modem: sender, detail: "\(tag): +CMS ERROR: \(draw.error.rawValue)"))
                if index > 0 { phoneBook.update(sender) { $0.recordSent(parts: index) } }
                throw .submitRejected(part: index + 1, total: pdus.count, code: draw.error.rawValue)
            }
            let submission = nextSubmission()
            submissions.append(submission)
            await relay(Delivery(destination: recipient, pdu: pdu, isStatusReport: false, messageClass: nil, report: nil,
                                 origin: sender, submission: submission), draw: draw, tag: tag)
        }
        phoneBook.update(sender) { $0.recordSent(parts: pdus.count) }
        return submissions
    }
}
