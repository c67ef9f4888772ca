/// General AT commands: V.250 basics, identification, SIM, registration and harmless extras.
extension VirtualModem {
    /// Every command the modem knows, as `AT+CLAC` lists them.
    static let supportedCommands = [
        "AT", "ATZ", "AT&F", "ATE", "ATV", "ATQ", "ATX", "AT&C", "AT&D", "AT&W", "ATS", "ATI", "ATH", "ATD", "ATA",
        "AT+CMEE", "AT+CFUN", "AT+CGMI", "AT+CGMM", "AT+CGMR", "AT+CGSN", "AT+GMI", "AT+GMM", "AT+GMR", "AT+GSN",
        "AT+GCAP", "AT+CIMI", "AT+CCID", "AT+CNUM", "AT+CPIN", "AT+CPINR", "AT+CSQ", "AT+CREG", "AT+CGREG", "AT+COPS",
        "AT+CGATT", "AT+CSCA", "AT+CSCS", "AT+CMGF", "AT+CSMP", "AT+CSDH", "AT+CSMS", "AT+CNMI", "AT+CNMA", "AT+CPMS",
        "AT+CMGS", "AT+CMGW", "AT+CMSS", "AT+CMGL", "AT+CMGR", "AT+CMGD", "AT+CMMS", "AT+CLAC", "AT+CLIP", "AT+CRC",
        "AT+CVHU",
    ]

    /// Runs one parsed command.
    func execute(_ command: ATCommand) async throws -> CommandOutcome {
        let identity = VirtualModemIdentity(number: number)
        switch command.name {
        case "Z", "&F":
            resetSettings()
            return .lines([])
        case "E":
            settings.echo = try basicFlag(command)
            return .lines([])
        case "V":
            settings.verbose = try basicFlag(command)
            return .lines([])
        case "Q", "X", "&C", "&D", "&W", "&K", "L", "M", "H":
            return .lines([])
        case "D", "A":
            return .final(.noCarrier)
        case "I":
            return .lines(["Manufacturer: \(identity.manufacturer)", "Model: \(identity.model)",
                           "Revision: \(identity.revision)", "IMEI: \(identity.imei)", "+GCAP: +CGSM,+DS,+ES"])
        case let name where name.hasPrefix("S") && name.count > 1:
            return try sRegister(command)
        case "+CGMI", "+GMI": return try identification(command, identity.manufacturer)
        case "+CGMM", "+GMM": return try identification(command, identity.model)
        case "+CGMR", "+GMR": return try identification(command, identity.revision)
        case "+CGSN", "+GSN": return try identification(command, identity.imei)
        case "+GCAP": return try identification(command, "+GCAP: +CGSM,+DS,+ES")
        case "+CIMI":
            try sim.requireReady()
            return try identification(command, identity.imsi)
        case "+CCID", "^ICCID":
            try sim.requireReady()
            return try identification(command, "\(command.name): \(identity.iccid)")
        case "+CNUM":
            try sim.requireReady()
            return .lines(["+CNUM: \"\",\"\(number)\",\(number.hasPrefix("+") ? 145 : 129)"])
        case "+CLAC":
            return .lines(Self.supportedCommands)
        case "+CMEE":
            return try integerSetting(command, range: 0...2, value: settings.errorMode) { $0.errorMode = $1 }
        case "+CFUN":
            return try functionalityCommand(command)
        case "+CPIN":
            return try await pinCommand(command)
        case "+CPINR":
            return .lines(["+CPINR: SIM PIN,\(sim.pinRetries),3", "+CPINR: SIM PUK,\(sim.pukRetries),10"])
        case "+CSQ":
            if command.form == .test { return .lines(["+CSQ: (0-31,99),(0-7,99)"]) }
            return .lines([isRegistered ? "+CSQ: 21,99" : "+CSQ: 99,99"])
        case "+CREG":
            if command.form == .read { return .lines([registrationLine("+CREG", mode: settings.cregMode, urc: false)]) }
            return try integerSetting(command, range: 0...2, value: settings.cregMode) { $0.cregMode = $1 }
        case "+CGREG":
            if command.form == .read { return .lines([registrationLine("+CGREG", mode: settings.cgregMode, urc: false)]) }
            return try integerSetting(command, range: 0...2, value: settings.cgregMode) { $0.cgregMode = $1 }
        case "+COPS":
            return try operatorCommand(command)
        case "+CGATT":
            if command.form == .read { return .lines(["+CGATT: \(isRegistered ? 1 : 0)"]) }
            return try integerSetting(command, range: 0...1, value: isRegistered ? 1 : 0) { _, _ in }
        case "+CLIP":
            if command.form == .read { return .lines(["+CLIP: \(settings.clip),1"]) }
            return try integerSetting(command, range: 0...1, value: settings.clip) { $0.clip = $1 }
        case "+CRC":
            return try integerSetting(command, range: 0...1, value: settings.crc) { $0.crc = $1 }
        case "+CVHU":
            return try integerSetting(command, range: 0...1, value: settings.cvhu) { $0.cvhu = $1 }
        case "+CSCS":
            return try charsetCommand(command)
        default:
            return try await executeMessaging(command)
        }
    }

    /// `ATZ` / `AT&F`: factory settings (storage, SIM and SMSC address are kept).
    func resetSettings() {
        settings = ModemSettings()
    }

    /// `E0`/`E1`-style flags; `E` alone means 0.
    private func basicFlag(_ command: ATCommand) throws(ATFailure) -> Bool {
        guard let argument = command.arguments.first else { return false }
        switch argument.int {
        case 0: return false
        case 1: return true
        default: throw .error
        }
    }

    /// `ATS3?` → `013`; `ATS0=0` accepted.
    private func sRegister(_ command: ATCommand) throws(ATFailure) -> CommandOutcome {
        let defaults = ["S0": 0, "S3": 13, "S4": 10, "S5": 8, "S6": 2, "S7": 50, "S8": 2, "S10": 14]
        switch command.form {
        case .read:
            let value = defaults[command.name] ?? 0
            return .lines([String(repeating: "0", count: max(0, 3 - String(value).count)) + String(value)])
        case .set(let arguments):
            guard let value = arguments.first?.int, (0...255).contains(value) else { throw .error }
            return .lines([])
        default:
            throw .error
        }
    }

    /// Identification commands print one line in action form; `=?` answers OK.
    private func identification(_ command: ATCommand, _ line: String) throws(ATFailure) -> CommandOutcome {
        switch command.form {
        case .action: return .lines([line])
        case .test: return .lines([])
        default: throw .cme(.notSupported)
        }
    }

    /// A numeric setting with read (`+X: v`), test (`+X: (a-b)`) and set forms.
    func integerSetting(_ command: ATCommand, range: ClosedRange<Int>, value: Int,
                        invalid: ATFailure = .cme(.incorrectParameters),
                        apply: (inout ModemSettings, Int) -> Void) throws(ATFailure) -> CommandOutcome {
        switch command.form {
        case .read:
            return .lines(["\(command.name): \(value)"])
        case .test:
            return .lines(["\(command.name): \(Self.rangeText(range))"])
        case .set(let arguments):
            let requested = arguments.first.flatMap { $0.isEmpty ? range.lowerBound : $0.int }
            guard let requested, range.contains(requested) else { throw invalid }
            apply(&settings, requested)
            return .lines([])
        case .action:
            apply(&settings, range.lowerBound)
            return .lines([])
        }
    }

    /// `(0,1)` for two values, `(0-2)` for more.
    static func rangeText(_ range: ClosedRange<Int>) -> String {
        range.count == 2 ? "(\(range.lowerBound),\(range.upperBound))" : "(\(range.lowerBound)-\(range.upperBound))"
    }

    private func functionalityCommand(_ command: ATCommand) throws(ATFailure) -> CommandOutcome {
        switch command.form {
        case .read: return .lines(["+CFUN: \(functionality)"])
        case .test: return .lines(["+CFUN: (0,1,4),(0,1)"])
        case .action: throw .cme(.incorrectParameters)
        case .set(let arguments):
            guard let level = arguments.first?.int, [0, 1, 4].contains(level) else { throw .cme(.incorrectParameters) }
            let reset = arguments.count > 1 ? arguments[1].int : 0
            guard let reset, (0...1).contains(reset) else { throw .cme(.incorrectParameters) }
            functionality = level
            if reset == 1 {
                resetSettings()
                sim.powerCycle()
            }
            return .lines([])
        }
    }

    private func pinCommand(_ command: ATCommand) async throws -> CommandOutcome {
        switch command.form {
        case .read: return .lines(["+CPIN: \(sim.cpinCode)"])
        case .test, .action: return .lines([])
        case .set(let arguments):
            guard let first = arguments.first, !first.text.isEmpty else { throw ATFailure.cme(.incorrectParameters) }
            if arguments.count >= 2 {
                try sim.enter(puk: first.text, newPIN: arguments[1].text)
            } else {
                try sim.enter(pin: first.text)
            }
            reportRegistrationChange()
            await network?.modemBecameAvailable(number)
            return .lines([])
        }
    }

    private func operatorCommand(_ command: ATCommand) throws(ATFailure) -> CommandOutcome {
        let names = ["SMSKit Mobile", "SMSKit", "00101"]
        switch command.form {
        case .read:
            guard isRegistered else { return .lines(["+COPS: 0"]) }
            let format = settings.operatorFormat
            return .lines(["+COPS: 0,\(format),\"\(names[format])\",0"])
        case .test:
            return .lines(["+COPS: (2,\"SMSKit Mobile\",\"SMSKit\",\"00101\",0),,(0-4),(0-2)"])
        case .action:
            return .lines([])
        case .set(let arguments):
            guard let mode = arguments.first?.int, (0...4).contains(mode) else { throw .cme(.incorrectParameters) }
            if arguments.count > 1, !arguments[1].isEmpty {
                guard let format = arguments[1].int, (0...2).contains(format) else { throw .cme(.incorrectParameters) }
                settings.operatorFormat = format
            }
            if (1...2).contains(mode) || mode == 4, arguments.count > 2, !names.contains(arguments[2].text) {
                throw .cme(.notAllowed)  // no such operator
            }
            return .lines([])
        }
    }

    private func charsetCommand(_ command: ATCommand) throws(ATFailure) -> CommandOutcome {
        let charsets = ["GSM", "UCS2", "IRA", "HEX"]
        switch command.form {
        case .read: return .lines(["+CSCS: \"\(settings.charset)\""])
        case .test: return .lines(["+CSCS: (" + charsets.map { "\"\($0)\"" }.joined(separator: ",") + ")"])
        case .action: throw .cme(.incorrectParameters)
        case .set(let arguments):
            guard let name = arguments.first?.text.uppercased(), charsets.contains(name) else {
                throw .cme(.incorrectParameters)
            }
            settings.charset = name
            return .lines([])
        }
    }
}
