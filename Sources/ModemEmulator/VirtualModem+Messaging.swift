import SMSPDU
/// SMS commands of 3GPP TS 27.005: settings, storage, sending and acknowledgement.
extension VirtualModem {
    /// Runs an SMS command; anything unknown answers `ERROR`/`+CME ERROR: 4`.
    func executeMessaging(_ command: ATCommand) async throws -> CommandOutcome {
        switch command.name {
        case "+CMGF":
            return try integerSetting(command, range: 0...1, value: settings.textMode ? 1 : 0,
                                      invalid: .cms(.notSupported)) { $0.textMode = $1 == 1 }
        case "+CSDH":
            return try integerSetting(command, range: 0...1, value: settings.showTextHeader ? 1 : 0,
                                      invalid: .cms(.notSupported)) { $0.showTextHeader = $1 == 1 }
        case "+CMMS":
            return try integerSetting(command, range: 0...2, value: settings.moreMessages,
                                      invalid: .cms(.notSupported)) { $0.moreMessages = $1 }
        case "+CSMS": return try serviceCommand(command)
        case "+CSMP": return try parametersCommand(command)
        case "+CSCA": return try serviceCentreCommand(command)
        case "+CNMI": return try indicationCommand(command)
        case "+CPMS": return try storageCommand(command)
        case "+CMGS": return try sendCommand(command, purpose: .send)
        case "+CMGW": return try sendCommand(command, purpose: .write)
        case "+CMSS": return try await sendStoredCommand(command)
        case "+CMGL": return try listCommand(command)
        case "+CMGR": return try readCommand(command)
        case "+CMGD": return try await deleteCommand(command)
        case "+CNMA": return try await acknowledgeCommand(command)
        default: throw ATFailure.cme(.notSupported)
        }
    }

    /// The SIM must be unlocked for SMS commands (`+CMS ERROR: 311/316/313` otherwise).
    func requireSMSReady() throws(ATFailure) {
        switch sim.state {
        case .ready: return
        case .pinRequired: throw .cms(.simPINRequired)
        case .pukRequired: throw .cms(.simPUKRequired)
        case .blocked: throw .cms(.simFailure)
        }
    }

    /// `+CMS ERROR: 304` in PDU mode, `305` in text mode.
    var invalidParameter: ATFailure { .cms(settings.textMode ? .invalidTextParameter : .invalidPDUParameter) }

    private func serviceCommand(_ command: ATCommand) throws(ATFailure) -> CommandOutcome {
        switch command.form {
        case .read: return .lines(["+CSMS: \(settings.messageService),1,1,1"])
        case .test: return .lines(["+CSMS: (0,1)"])
        case .action: throw .cms(.notSupported)
        case .set(let arguments):
            guard let service = arguments.first?.int, (0...1).contains(service) else { throw .cms(.notSupported) }
            settings.messageService = service
            return .lines(["+CSMS: 1,1,1"])
        }
    }

    private func parametersCommand(_ command: ATCommand) throws(ATFailure) -> CommandOutcome {
        switch command.form {
        case .read:
            return .lines(["+CSMP: \(settings.firstOctet),\(settings.validityPeriod),\(settings.protocolID),\(settings.dataCoding)"])
        case .test, .action: return .lines([])
        case .set(let arguments):
            var values = [settings.firstOctet, settings.validityPeriod, settings.protocolID, settings.dataCoding]
            for (position, argument) in arguments.prefix(4).enumerated() where !argument.isEmpty {
                guard let value = argument.int, (0...255).contains(value) else { throw .cms(.invalidTextParameter) }
                values[position] = value
            }
            (settings.firstOctet, settings.validityPeriod, settings.protocolID, settings.dataCoding) =
                (values[0], values[1], values[2], values[3])
            return .lines([])
        }
    }

    private func serviceCentreCommand(_ command: ATCommand) throws(ATFailure) -> CommandOutcome {
        try requireSMSReady()
        switch command.form {
        case .read:
            let type = serviceCentre.hasPrefix("+") ? 145 : 129
            return .lines(["+CSCA: \"\(serviceCentre)\",\(type)"])
        case .test: return .lines([])
        case .action: throw .cms(.notSupported)
        case .set(let arguments):
            guard let address = arguments.first?.text,
                  address.isEmpty || (try? ModemConfiguration.normalize(address)) != nil else {
                throw .cms(.invalidTextParameter)
            }
            serviceCentre = address
            return .lines([])
        }
    }

    private func indicationCommand(_ command: ATCommand) throws(ATFailure) -> CommandOutcome {
        switch command.form {
        case .read: return .lines([settings.cnmi.text])
        case .test: return .lines(["+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)"])
        case .action: return .lines([])
        case .set(let arguments):
            var values = [settings.cnmi.mode, settings.cnmi.mt, settings.cnmi.bm, settings.cnmi.ds, settings.cnmi.bfr]
            let limits = [3, 3, 3, 2, 1]
            guard arguments.count <= 5 else { throw .cms(.notSupported) }
            for (position, argument) in arguments.enumerated() where !argument.isEmpty {
                guard let value = argument.int, (0...limits[position]).contains(value) else { throw .cms(.notSupported) }
                values[position] = value
            }
            settings.cnmi = NewMessageIndication(mode: values[0], mt: values[1], bm: values[2], ds: values[3], bfr: values[4])
            if values[0] != 0, values[4] == 1 { clearQueuedURCs() }
            return .lines([])
        }
    }

    private func storageCommand(_ command: ATCommand) throws(ATFailure) -> CommandOutcome {
        try requireSMSReady()
        let memories = settings.memories
        func counts(_ memory: MessageMemory) -> String { "\(storage.used(memory)),\(storage.total(memory))" }
        switch command.form {
        case .read:
            let fields = [memories.read, memories.write, memories.receive].map { "\"\($0.rawValue)\",\(counts($0))" }
            return .lines(["+CPMS: " + fields.joined(separator: ",")])
        case .test:
            return .lines(["+CPMS: (\"SM\",\"ME\",\"MT\",\"SR\"),(\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\",\"MT\")"])
        case .action: throw .cms(.notSupported)
        case .set(let arguments):
            guard arguments.count <= 3 else { throw .cms(.notSupported) }
            var chosen = [memories.read, memories.write, memories.receive]
            for (position, argument) in arguments.enumerated() where !argument.isEmpty {
                guard let memory = MessageMemory(rawValue: argument.text.uppercased()),
                      position == 0 || memory != .sr else { throw .cms(.notSupported) }
                chosen[position] = memory
            }
            settings.memories = (chosen[0], chosen[1], chosen[2])
            return .lines(["+CPMS: " + chosen.map(counts).joined(separator: ",")])
        }
    }

    /// `AT+CMGS=<length>` / `AT+CMGS="<da>"[,<toda>]` (and the same for `AT+CMGW`): opens the `> ` prompt.
    private func sendCommand(_ command: ATCommand, purpose: PromptState.Purpose) throws(ATFailure) -> CommandOutcome {
        try requireSMSReady()
        if command.form == .test { return .lines([]) }
        var state = PromptState(purpose: purpose)
        let arguments = command.arguments
        if settings.textMode {
            if purpose == .send {
                guard let address = arguments.first, !address.text.isEmpty else { throw .cms(.invalidTextParameter) }
            }
            if let address = arguments.first, !address.text.isEmpty { state.address = try decodeTextAddress(address.text) }
            if arguments.count > 1, !arguments[1].isEmpty {
                guard let type = arguments[1].int, [129, 145, 161].contains(type) else { throw .cms(.invalidTextParameter) }
                state.addressType = type
            }
            if purpose == .write, arguments.count > 2, !arguments[2].isEmpty {
                guard let status = Self.textStatuses.firstIndex(of: arguments[2].text.uppercased())
                        .flatMap(StoredMessage.Status.init(rawValue:)) else { throw .cms(.invalidTextParameter) }
                state.status = status
            }
            if purpose == .write, state.address == nil { state.address = "" }
        } else {
            guard let length = arguments.first?.int, (1...176).contains(length) else { throw .cms(.invalidPDUParameter) }
            state.pduLength = length
            if purpose == .write, arguments.count > 1 {
                guard let raw = arguments[1].int, let status = StoredMessage.Status(rawValue: raw) else {
                    throw .cms(.invalidPDUParameter)
                }
                state.status = status
            }
        }
        return .prompt(state)
    }

    /// The `<stat>` names of text mode, indexed by status value; `ALL` is 4.
    static let textStatuses = ["REC UNREAD", "REC READ", "STO UNSENT", "STO SENT", "ALL"]

    /// Ctrl-Z ended a prompt: send, store or acknowledge what was typed.
    func finishPrompt(_ state: PromptState) async {
        let startGeneration = generation
        do {
            switch state.purpose {
            case .acknowledge:
                pendingAcknowledgement?.timeout.cancel()
                pendingAcknowledgement = nil
                await finish(result: .ok, generation: startGeneration)
                await network?.modemBecameAvailable(number)
                return
            case .send:
                let (serviceCentreField, tpdu) = try promptPDU(state)
                let reference = try await submit(tpdu: tpdu, serviceCentreField: serviceCentreField)
                guard generation == startGeneration else { return }
                write(framed(["+CMGS: \(reference)"]))
            case .write:
                let (serviceCentreField, tpdu) = try promptPDU(state)
                let message = StoredMessage(status: state.status, pdu: serviceCentreField + tpdu)
                guard let index = storage.store(message, in: settings.memories.write) else { throw ATFailure.cms(.memoryFull) }
                write(framed(["+CMGW: \(index)"]))
            }
            await finish(result: .ok, generation: startGeneration)
        } catch let failure as ATFailure {
            await finish(result: .failure(failure), generation: startGeneration)
        } catch {
            await finish(result: .failure(.cms(.unknown)), generation: startGeneration)
        }
    }

    /// The SMSC field and TPDU typed at the prompt (hex in PDU mode, built from text in text mode).
    private func promptPDU(_ state: PromptState) throws -> (serviceCentreField: [UInt8], tpdu: [UInt8]) {
        guard let length = state.pduLength else {
            return ([0], try textSubmitTPDU(address: state.address ?? "", type: state.addressType, input: state.buffer))
        }
        let hex = String(latin1: state.buffer).filter { !$0.isWhitespace }
        guard let bytes = try? Hex.decode(hex), let scaLength = bytes.first, bytes.count >= 1 + Int(scaLength) else {
            throw ATFailure.cms(.invalidPDUParameter)
        }
        let tpdu = Array(bytes.dropFirst(1 + Int(scaLength)))
        guard tpdu.count == length else { throw ATFailure.cms(.invalidPDUParameter) }
        return (Array(bytes.prefix(1 + Int(scaLength))), tpdu)
    }

    /// Hands an SMS-SUBMIT to the network with this modem's next message reference; returns the reference.
    func submit(tpdu: [UInt8], serviceCentreField: [UInt8]) async throws -> UInt8 {
        try requireSMSReady()
        guard isRegistered else { throw ATFailure.cms(.noNetworkService) }
        guard serviceCentreField.count > 1 || !serviceCentre.isEmpty else { throw ATFailure.cms(.smscUnknown) }
        guard let network else { throw ATFailure.cms(.noNetworkService) }
        let reference = nextReference
        var stamped = tpdu
        if stamped.count > 1 { stamped[1] = reference }  // TP-MR follows the first octet of an SMS-SUBMIT
        let accepted = try await network.submit(from: number, tpdu: stamped)
        nextReference &+= 1
        sentMessages.append(SentMessage(destination: accepted.destination, reference: reference, tpdu: stamped,
                                        date: wallTime(), submission: accepted.submission))
        return reference
    }

    private func sendStoredCommand(_ command: ATCommand) async throws -> CommandOutcome {
        try requireSMSReady()
        if command.form == .test { return .lines([]) }
        guard let index = command.arguments.first?.int else { throw invalidParameter }
        guard let stored = try storage.message(at: index, in: settings.memories.write) else {
            throw ATFailure.cms(.invalidMemoryIndex)
        }
        let scaLength = Int(stored.pdu.first ?? 0)
        var tpdu = Array(stored.pdu.dropFirst(1 + scaLength))
        if command.arguments.count > 1, !command.arguments[1].text.isEmpty {
            let type = command.arguments.count > 2 ? command.arguments[2].int : nil
            tpdu = try replacingDestination(of: tpdu, with: try decodeTextAddress(command.arguments[1].text), type: type)
        }
        let reference = try await submit(tpdu: tpdu, serviceCentreField: Array(stored.pdu.prefix(1 + scaLength)))
        if stored.status == .storedUnsent { storage.setStatus(.storedSent, at: index, in: settings.memories.write) }
        return .lines(["+CMSS: \(reference)"])
    }

    private func listCommand(_ command: ATCommand) throws(ATFailure) -> CommandOutcome {
        try requireSMSReady()
        let memory = settings.memories.read
        if command.form == .test {
            return .lines([settings.textMode
                ? "+CMGL: (" + Self.textStatuses.map { "\"\($0)\"" }.joined(separator: ",") + ")"
                : "+CMGL: (0-4)"])
        }
        let wanted: Int
        if let argument = command.arguments.first, !argument.isEmpty {
            if settings.textMode, argument.quoted || argument.int == nil {
                guard let position = Self.textStatuses.firstIndex(of: argument.text.uppercased()) else {
                    throw .cms(.invalidTextParameter)
                }
                wanted = position
            } else {
                guard let value = argument.int, (0...4).contains(value) else { throw invalidParameter }
                wanted = value
            }
        } else {
            wanted = 0
        }
        var lines: [String] = []
        for (index, message) in storage.list(memory) where wanted == 4 || message.status.rawValue == wanted {
            lines += listingLines(index: index, message: message, memory: memory)
            if message.status == .receivedUnread { storage.setStatus(.receivedRead, at: index, in: memory) }
        }
        return .lines(lines)
    }

    private func readCommand(_ command: ATCommand) throws(ATFailure) -> CommandOutcome {
        try requireSMSReady()
        if command.form == .test { return .lines([]) }
        let memory = settings.memories.read
        guard let index = command.arguments.first?.int else { throw invalidParameter }
        guard let message = try storage.message(at: index, in: memory) else { return .lines([]) }
        if message.status == .receivedUnread { storage.setStatus(.receivedRead, at: index, in: memory) }
        return .lines(readingLines(message: message, memory: memory))
    }

    /// `+CMGL: <index>,<stat>,,<length>` and the PDU (PDU mode), or the text-mode lines.
    private func listingLines(index: Int, message: StoredMessage, memory: MessageMemory) -> [String] {
        if settings.textMode { return textListingLines(index: index, message: message, memory: memory) }
        return ["+CMGL: \(index),\(message.status.rawValue),,\(message.tpduLength)", Hex.encode(message.pdu)]
    }

    /// `+CMGR: <stat>,,<length>` and the PDU (PDU mode), or the text-mode lines.
    private func readingLines(message: StoredMessage, memory: MessageMemory) -> [String] {
        if settings.textMode { return textReadingLines(message: message, memory: memory) }
        return ["+CMGR: \(message.status.rawValue),,\(message.tpduLength)", Hex.encode(message.pdu)]
    }

    private func deleteCommand(_ command: ATCommand) async throws -> CommandOutcome {
        try requireSMSReady()
        let memory = settings.memories.read
        if command.form == .test {
            let used = storage.list(memory).map { String($0.index) }.joined(separator: ",")
            return .lines(["+CMGD: (\(used)),(0-4)"])
        }
        let arguments = command.arguments
        let flag = arguments.count > 1 && !arguments[1].isEmpty ? arguments[1].int : 0
        guard let flag, (0...4).contains(flag) else { throw invalidParameter }
        if flag == 0 {
            guard let index = arguments.first?.int else { throw invalidParameter }
            try storage.delete(at: index, in: memory)
        } else {
            let doomed: Set<StoredMessage.Status> = switch flag {
            case 1: [.receivedRead]
            case 2: [.receivedRead, .storedSent]
            case 3: [.receivedRead, .storedSent, .storedUnsent]
            default: Set(StoredMessage.Status.allCases)
            }
            for (index, message) in storage.list(memory) where doomed.contains(message.status) {
                try storage.delete(at: index, in: memory)
            }
        }
        await network?.modemBecameAvailable(number)
        return .lines([])
    }

    private func acknowledgeCommand(_ command: ATCommand) async throws -> CommandOutcome {
        if command.form == .test { return .lines(["+CNMA: (0-2)"]) }
        guard settings.messageService == 1, let pending = pendingAcknowledgement else {
            throw ATFailure.cms(.noAckExpected)
        }
        let arguments = command.arguments
        let reply = arguments.first.flatMap { $0.isEmpty ? 0 : $0.int } ?? 0
        guard (0...2).contains(reply) else { throw invalidParameter }
        if !settings.textMode, arguments.count > 1, let length = arguments[1].int, length > 0 {
            return .prompt(PromptState(purpose: .acknowledge, pduLength: length))
        }
        pending.timeout.cancel()
        pendingAcknowledgement = nil
        if reply == 2 {  // RP-ERROR: the SMSC keeps the message and tries again later
            await network?.requeue(pdu: pending.pdu, to: number, isStatusReport: pending.isStatusReport)
        } else {
            await network?.modemBecameAvailable(number)
        }
        return .lines([])
    }
}
