extension Modem {
    /// Manufacturer, model, revision, IMEI, IMSI and ICCID (missing values stay nil).
    public func identity() async throws(ModemError) -> ModemIdentity {
        var id = ModemIdentity(family: quirks.family)
        id.manufacturer = try await value("AT+CGMI", ["+CGMI:"])
        id.model = try await value("AT+CGMM", ["+CGMM:"])
        id.revision = try await value("AT+CGMR", ["+CGMR:"])
        id.imei = try await value("AT+CGSN", ["+CGSN:"]).map { String($0.filter(\.isNumber)) }
        id.imsi = try await value("AT+CIMI", ["+CIMI:"]).map { String($0.filter(\.isNumber)) }
        for command in ["AT+CCID", "AT+ICCID", "AT+QCCID", "AT^ICCID?"] {
            if let v = try await value(command, ["+CCID:", "+ICCID:", "+QCCID:", "^ICCID:"]) {
                id.iccid = v
                break
            }
        }
        return id
    }

    /// Signal (`+CSQ`), registration (`+CREG?`), operator (`+COPS?`), SMSC (`+CSCA?`) and storage use (`+CPMS?`).
    public func health() async throws(ModemError) -> ModemHealth {
        var h = ModemHealth()
        if let f = try await fields("AT+CSQ", "+CSQ:"), let rssi = f.first.flatMap({ Int($0) }) {
            h = ModemHealth(rssi: rssi)
        }
        if let f = try await fields("AT+CREG?", "+CREG:"), f.count >= 2, let stat = Int(f[1]) {
            h.registration = .init(stat: stat)
        }
        if let f = try await fields("AT+COPS?", "+COPS:"), f.count >= 3 { h.operatorName = f[2] }
        if let f = try await fields("AT+CSCA?", "+CSCA:"), let smsc = f.first, !smsc.isEmpty { h.smsc = smsc }
        if let f = try await fields("AT+CPMS?", "+CPMS:"), f.count >= 3 {
            h.storageUsed = Int(f[1])
            h.storageTotal = Int(f[2])
        }
        return h
    }

    /// Runs a query; an error result means "not supported" (nil), a disconnect is thrown.
    private func value(_ command: String, _ prefixes: [String]) async throws(ModemError) -> String? {
        do {
            let r = try await run(command, expecting: prefixes)
            return Self.plainValue(r, prefixes: prefixes).flatMap { $0.isEmpty ? nil : $0 }
        } catch {
            if case .command(let e) = error, case .disconnected = e { throw error }
            if case .command(.closed) = error { throw error }
            if case .command = error { return nil }
            throw error
        }
    }

    private func fields(_ command: String, _ prefix: String) async throws(ModemError) -> [String]? {
        guard let v = try await value(command, [prefix]) else { return nil }
        return ATLineParser.fields(v)
    }
}
