import SMSPDU

/// Text mode (`AT+CMGF=1`): addresses and texts in the `AT+CSCS` character set, text-mode listings and URCs.
///
/// UCS-2 and 8-bit messages are always shown as hex (as most modems do); GSM 7-bit messages follow
/// `AT+CSCS`. A user data header is not shown (read such messages in PDU mode).
extension VirtualModem {
    /// A destination typed in text mode (hex UCS-2 when `AT+CSCS="UCS2"`).
    func decodeTextAddress(_ text: String) throws(ATFailure) -> String {
        var address = text
        if settings.charset == "UCS2", text.count % 4 == 0, let bytes = try? Hex.decode(text) {
            address = UCS2.decode(bytes)
        }
        guard let parsed = try? Address(address), parsed.typeOfNumber != .alphanumeric else {
            throw .cms(.invalidTextParameter)
        }
        return address
    }

    /// Text typed at the prompt, decoded from the `AT+CSCS` character set.
    private func decodeTypedText(_ input: [UInt8]) throws(ATFailure) -> UserData.Content {
        switch settings.charset {
        case "UCS2":
            guard let bytes = try? Hex.decode(String(latin1: input).filter { !$0.isWhitespace }) else {
                throw .cms(.invalidTextParameter)
            }
            return .text(UCS2.decode(bytes))
        case "HEX":
            guard let bytes = try? Hex.decode(String(latin1: input).filter { !$0.isWhitespace }) else {
                throw .cms(.invalidTextParameter)
            }
            return DataCodingScheme(rawValue: UInt8(settings.dataCoding)).alphabet == .eightBit
                ? .binary(bytes) : .text(String(latin1: bytes))
        case "GSM":
            return .text(GSM7Alphabet.default.decode(input.map { $0 & 0x7F }))
        default:
            return .text(String(latin1: input.map { $0 & 0x7F }))
        }
    }

    /// Builds an SMS-SUBMIT TPDU from text typed at the prompt, using `AT+CSMP` and `AT+CSCS`.
    func textSubmitTPDU(address: String, type: Int?, input: [UInt8]) throws -> [UInt8] {
        let destination: Address
        if address.isEmpty {
            destination = Address(typeOfNumber: .unknown, value: "")
        } else if type == 145, !address.hasPrefix("+"), let international = try? Address("+" + address) {
            destination = international
        } else {
            guard let parsed = try? Address(address) else { throw ATFailure.cms(.invalidTextParameter) }
            destination = parsed
        }
        let firstOctet = settings.firstOctet
        let validity: ValidityPeriod? = firstOctet & 0x18 == 0x10 ? .relative(UInt8(clamping: settings.validityPeriod)) : nil
        let submit = SubmitPDU(destination: destination, userData: UserData(content: try decodeTypedText(input)),
                               dataCodingScheme: DataCodingScheme(rawValue: UInt8(clamping: settings.dataCoding)),
                               messageReference: 0, validityPeriod: validity,
                               statusReportRequest: firstOctet & 0x20 != 0,
                               protocolIdentifier: UInt8(clamping: settings.protocolID),
                               rejectDuplicates: firstOctet & 0x04 != 0, replyPath: firstOctet & 0x80 != 0)
        guard let tpdu = try? TPDU.submit(submit).encoded() else { throw ATFailure.cms(.invalidTextParameter) }
        return tpdu
    }

    /// A stored SMS-SUBMIT with another destination (`AT+CMSS=<index>,<da>`).
    func replacingDestination(of tpdu: [UInt8], with address: String, type: Int?) throws -> [UInt8] {
        guard case .submit(var submit)? = try? TPDU(bytes: tpdu) else { throw ATFailure.cms(.notAllowed) }
        let text = type == 145 && !address.hasPrefix("+") ? "+" + address : address
        guard let destination = try? Address(text) else { throw invalidParameter }
        submit.destination = destination
        guard let encoded = try? TPDU.submit(submit).encoded() else { throw invalidParameter }
        return encoded
    }

    /// `+CMGL: <index>,"<stat>",…` and the text.
    func textListingLines(index: Int, message: StoredMessage, memory: MessageMemory) -> [String] {
        let status = "\"\(message.status.text)\""
        guard let (tpdu, raw) = decodeStored(message) else { return ["+CMGL: \(index),\(status)"] }
        switch tpdu {
        case .deliver(let deliver):
            var header = "+CMGL: \(index),\(status),\(quotedAddress(deliver.originator)),,\(textTime(deliver.serviceCentreTimestamp))"
            let (data, length) = textData(deliver.userData, dcs: deliver.dataCodingScheme)
            if settings.showTextHeader { header += ",\(deliver.originator.typeOfAddress),\(length)" }
            return [header, data]
        case .submit(let submit):
            var header = "+CMGL: \(index),\(status),\(quotedAddress(submit.destination)),,"
            let (data, length) = textData(submit.userData, dcs: submit.dataCodingScheme)
            if settings.showTextHeader { header += ",\(submit.destination.typeOfAddress),\(length)" }
            return [header, data]
        case .statusReport(let report):
            return ["+CMGL: \(index),\(status)," + statusReportFields(report, firstOctet: raw.first ?? 0x06)]
        }
    }

    /// `+CMGR: "<stat>",…` and the text.
    func textReadingLines(message: StoredMessage, memory: MessageMemory) -> [String] {
        let status = "\"\(message.status.text)\""
        guard let (tpdu, raw) = decodeStored(message) else { return ["+CMGR: \(status)"] }
        let centre = message.pdu.count > 1 ? (try? PDU(bytes: message.pdu).smsc) ?? nil : nil
        let centreFields = centre.map { "\"\($0.description)\",\($0.typeOfAddress)" } ?? "\"\",129"
        switch tpdu {
        case .deliver(let deliver):
            var header = "+CMGR: \(status),\(quotedAddress(deliver.originator)),,\(textTime(deliver.serviceCentreTimestamp))"
            let (data, length) = textData(deliver.userData, dcs: deliver.dataCodingScheme)
            if settings.showTextHeader {
                header += ",\(deliver.originator.typeOfAddress),\(raw.first ?? 0),\(deliver.protocolIdentifier),"
                    + "\(deliver.dataCodingScheme.rawValue),\(centreFields),\(length)"
            }
            return [header, data]
        case .submit(let submit):
            var header = "+CMGR: \(status),\(quotedAddress(submit.destination)),"
            let (data, length) = textData(submit.userData, dcs: submit.dataCodingScheme)
            if settings.showTextHeader {
                var validity = ""
                if case .relative(let value)? = submit.validityPeriod { validity = "\(value)" }
                header += ",\(submit.destination.typeOfAddress),\(raw.first ?? 0),\(submit.protocolIdentifier),"
                    + "\(submit.dataCodingScheme.rawValue),\(validity),\(centreFields),\(length)"
            }
            return [header, data]
        case .statusReport(let report):
            return ["+CMGR: \(status)," + statusReportFields(report, firstOctet: raw.first ?? 0x06)]
        }
    }

    /// `+CMT: "<oa>",,"<scts>"[,…]` and the text.
    func textDeliverURC(_ message: StoredMessage) -> [String] {
        guard let (tpdu, raw) = decodeStored(message), case .deliver(let deliver) = tpdu else {
            return ["+CMT: ,\(message.tpduLength)", Hex.encode(message.pdu)]
        }
        var header = "+CMT: \(quotedAddress(deliver.originator)),,\(textTime(deliver.serviceCentreTimestamp))"
        let (data, length) = textData(deliver.userData, dcs: deliver.dataCodingScheme)
        if settings.showTextHeader {
            let centre = (try? PDU(bytes: message.pdu).smsc) ?? nil
            header += ",\(deliver.originator.typeOfAddress),\(raw.first ?? 0),\(deliver.protocolIdentifier),"
                + "\(deliver.dataCodingScheme.rawValue),\"\(centre?.description ?? "")\",\(centre?.typeOfAddress ?? 129),\(length)"
        }
        return [header, data]
    }

    /// `+CDS: <fo>,<mr>,"<ra>",<tora>,"<scts>","<dt>",<st>`.
    func textStatusReportURC(_ message: StoredMessage) -> [String] {
        guard let (tpdu, raw) = decodeStored(message), case .statusReport(let report) = tpdu else {
            return ["+CDS: \(message.tpduLength)", Hex.encode(message.pdu)]
        }
        return ["+CDS: " + statusReportFields(report, firstOctet: raw.first ?? 0x06)]
    }

    /// `<fo>,<mr>,"<ra>",<tora>,"<scts>","<dt>",<st>`
    private func statusReportFields(_ report: StatusReportPDU, firstOctet: UInt8) -> String {
        "\(firstOctet),\(report.messageReference),\(quotedAddress(report.recipient)),\(report.recipient.typeOfAddress),"
            + "\(textTime(report.serviceCentreTimestamp)),\(textTime(report.dischargeTime)),\(report.status)"
    }

    /// The decoded TPDU and its raw bytes (for the first octet), or nil when the stored bytes do not decode.
    private func decodeStored(_ message: StoredMessage) -> (TPDU, [UInt8])? {
        guard let pdu = try? PDU(bytes: message.pdu, hasSMSC: true) else { return nil }
        let raw = Array(message.pdu.dropFirst(1 + Int(message.pdu.first ?? 0)))
        return (pdu.tpdu, raw)
    }

    /// `"yy/MM/dd,hh:mm:ss±zz"` (zz in quarter hours).
    private func textTime(_ stamp: ServiceCentreTimestamp) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value % 100)" }
        let offset = stamp.offsetQuarterHours
        return "\"\(two(stamp.year % 100))/\(two(stamp.month))/\(two(stamp.day)),\(two(stamp.hour)):\(two(stamp.minute)):"
            + "\(two(stamp.second))\(offset < 0 ? "-" : "+")\(two(abs(offset)))\""
    }

    /// An address in quotes, in the `AT+CSCS` character set.
    private func quotedAddress(_ address: Address) -> String {
        let text = address.description
        return "\"" + (settings.charset == "UCS2" ? Hex.encode(UCS2.encode(text)) : text) + "\""
    }

    /// The message body as text mode shows it, and its `<length>` (characters, or octets for 8-bit data).
    private func textData(_ userData: UserData, dcs: DataCodingScheme) -> (String, Int) {
        switch userData.content {
        case .binary(let bytes):
            return (Hex.encode(bytes), bytes.count)
        case .text(let text):
            let length = text.count
            if dcs.alphabet == .ucs2 || settings.charset == "UCS2" { return (Hex.encode(UCS2.encode(text)), length) }
            switch settings.charset {
            case "GSM":
                let septets = (try? GSM7Alphabet.default.encode(text)) ?? Array(text.utf8).map { $0 & 0x7F }
                return (String(latin1: septets), length)
            case "HEX":
                return (Hex.encode((try? GSM7Alphabet.default.encode(text)) ?? []), length)
            default:
                return (String(text.unicodeScalars.map { $0.isASCII ? Character($0) : "?" }), length)
            }
        }
    }
}
