import Foundation

extension Modem {
    /// The init sequence, run on every (re)connect and after a modem reset:
    /// `AT` sync, `ATE0`, `AT+CMEE=1`, vendor detection and quirk commands, SIM unlock,
    /// `AT+CMGF=0`, `AT+CSMS?`, `AT+CPMS`, `AT+CNMI`.
    func initialize(_ ch: ATChannel) async throws(ModemError) {
        try await synchronize(ch)
        _ = try? await ch.send("ATE0", timeout: .seconds(3))
        _ = try? await ch.send("AT+CMEE=1", timeout: .seconds(3))
        if manufacturer == nil, let m = try? await ch.send("AT+CGMI", expecting: ["+CGMI:"]) {
            manufacturer = Self.plainValue(m, prefixes: ["+CGMI:"])
        }
        quirks = configuration.quirks ?? VendorQuirks.matching(manufacturer: manufacturer ?? "")
        await ch.addURCPrefixes(quirks.urcPrefixes, resetIndicators: quirks.resetIndicators)
        for command in quirks.initCommands {
            do { try await ch.send(command) } catch {
                logger.debug("optional quirk command failed", metadata: ["command": "\(command)", "error": "\(error)"])
            }
        }
        try await unlockSIM(ch)
        do { try await ch.send("AT+CMGF=0") } catch { throw .command(error) }
        if let csms = try? await ch.send("AT+CSMS?", expecting: ["+CSMS:"]), let f = csms.fields(for: "+CSMS:") {
            cnmaRequired = f.first == "1"
        }
        let memory = configuration.storage ?? quirks.preferredStorage
        if (try? await ch.send("AT+CPMS=\"\(memory)\",\"\(memory)\",\"\(memory)\"", expecting: ["+CPMS:"])) != nil {
            storageMemory = memory
        } else if memory != "SM", (try? await ch.send("AT+CPMS=\"SM\",\"SM\",\"SM\"", expecting: ["+CPMS:"])) != nil {
            storageMemory = "SM"
        }
        var indicationSet = false
        // A durable consumer wants status reports stored (ds=2, `+CDSI`): a routed `+CDS` that arrives while
        // the host is down is lost, a stored one is read at the next start.
        let preferred = configuration.inbound == .parts
            ? ["AT+CNMI=2,1,0,2,0", quirks.newMessageIndication] : [quirks.newMessageIndication, "AT+CNMI=2,1,0,2,0"]
        for cnmi in preferred + ["AT+CNMI=2,1,0,1,0", "AT+CNMI=1,1,0,1,0"] {
            if (try? await ch.send(cnmi)) != nil { indicationSet = true; break }
        }
        if !indicationSet { logger.warning("no +CNMI setting accepted; new messages are found only by polling reads") }
    }

    /// Sends `AT` until the modem answers OK (three tries), so boot noise and half-typed input are flushed.
    private func synchronize(_ ch: ATChannel) async throws(ModemError) {
        // A client that died between `AT+CMGS=n` and its PDU left the modem at the `> ` prompt.
        await ch.cancelInputMode()
        try? await clock.sleep(for: .milliseconds(100))
        var lastError: ATError?
        for attempt in 0..<3 {
            do {
                try await ch.send("AT", timeout: .seconds(2))
                return
            } catch {
                if case .disconnected = error { throw .command(error) }
                lastError = error
            }
            // Still silent: maybe still at the prompt of a modem that ignores ESC there. Ctrl-Z + ESC ends
            // the input (the half-typed garbage is rejected with +CMS ERROR: 304), then ESC once more.
            if attempt == 0 { await ch.abandonInputMode() } else { await ch.cancelInputMode() }
        }
        if case .timeout = lastError { throw .notResponding(port: port) }
        throw .command(lastError ?? .closed)
    }

    /// Reads `AT+CPIN?`; enters the configured PIN at most once per modem lifetime; never enters a PUK.
    func unlockSIM(_ ch: ATChannel) async throws(ModemError) {
        var pinSent = false
        for _ in 0..<20 {
            let status: String
            do {
                let r = try await ch.send("AT+CPIN?", expecting: ["+CPIN:"])
                status = (r.value(for: "+CPIN:") ?? "").replacingOccurrences(of: "\"", with: "").uppercased()
            } catch {
                switch error {
                case .cme(.simBusy, _), .cme(.unknown, _):
                    try await pause(.milliseconds(500))
                    continue
                case .cme(.simNotInserted, _), .cme(.simFailure, _), .cme(.simWrong, _):
                    throw .simUnavailable(error.description)
                case .cme(.simPUKRequired, _): throw .pukRequired
                case .cme(.simPINRequired, _): status = "SIM PIN"
                default: throw .command(error)
                }
            }
            switch status {
            case "READY":
                return
            case "SIM PIN":
                guard let pin = configuration.pin else { throw .pinRequired }
                if pinSent || pinRejected {
                    pinRejected = true
                    throw .pinRejected(attemptsLeft: await pinAttemptsLeft(ch))
                }
                guard (4...8).contains(pin.count), pin.allSatisfy(\.isASCII), pin.allSatisfy(\.isNumber) else {
                    pinRejected = true
                    throw .invalidPIN
                }
                // Never spend the last attempt (nor one another process left us): the next wrong PIN
                // would PUK-lock the SIM. Unknown counts (no AT+CPINR) do not block.
                let left = await pinAttemptsLeft(ch)
                if let left, left <= 1 {
                    pinRejected = true
                    throw .pinAttemptsExhausted(attemptsLeft: left)
                }
                pinSent = true
                do {
                    try await ch.send("AT+CPIN=\"\(pin)\"", timeout: .seconds(20))
                } catch {
                    if case .cme(.incorrectPassword, _) = error {
                        pinRejected = true
                        throw .pinRejected(attemptsLeft: await pinAttemptsLeft(ch))
                    }
                    if case .cme(.simPUKRequired, _) = error { pinRejected = true; throw .pukRequired }
                    // Anything else: re-read the status; a second "SIM PIN" means rejected (no blind retry).
                    logger.warning("PIN entry failed", metadata: ["error": "\(error)"])
                }
            case "SIM PUK":
                throw .pukRequired
            case "":
                try await pause(.milliseconds(500))
            default:
                throw .unsupportedLock(status)
            }
        }
        throw .simUnavailable("SIM not ready")
    }

    /// Remaining PIN attempts: `AT+CPINR="SIM PIN"` (27.007 §8.65) first, then the family's own query
    /// (``VendorQuirks/pinRetriesQuery``); nil when neither answers.
    func pinAttemptsLeft(_ ch: ATChannel) async -> Int? {
        if let r = try? await ch.send("AT+CPINR=\"SIM PIN\"", expecting: ["+CPINR:"]),
           let f = r.fields(for: "+CPINR:"), f.count >= 2, let n = Int(f[1]) {
            return n
        }
        for query in quirks.pinRetriesQueries {
            if let r = try? await ch.send(query.command, expecting: [query.prefix]),
               let f = r.fields(for: query.prefix), query.field < f.count, let n = Int(f[query.field]) {
                return n
            }
        }
        return nil
    }

    func pause(_ duration: Duration) async throws(ModemError) {
        do { try await clock.sleep(for: SafeDuration.clamp(duration)) } catch { throw .closed }
    }

    /// The answer of `AT+CGMI`-style commands: `+CGMI: "x"` or a bare line, quotes removed.
    static func plainValue(_ response: ATResponse, prefixes: [String]) -> String? {
        for p in prefixes { if let v = response.value(for: p) { return v.replacingOccurrences(of: "\"", with: "") } }
        return response.text?.replacingOccurrences(of: "\"", with: "")
    }
}
