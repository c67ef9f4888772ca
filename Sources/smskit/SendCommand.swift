import ArgumentParser
import ATModem
import Foundation

/// `smskit send`: send text or bytes and print the message references (and the delivery outcome).
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send an SMS (text, or bytes with optional ports) and print its message references.",
        discussion: """
            Prints {"to","parts","references"}; with --report a second line once every part has a final status \
            report: {"delivery":"delivered"|"failed","references","parts"}. Exit 1 on errors (nothing was sent), \
            2 when delivery failed, 3 when the outcome is unknown: the SMS (or some of its parts) may already have \
            been sent, so check before resending; --json then prints {"to","sent":"unconfirmed","references","error"}.
            """
    )

    @OptionGroup var options: ModemOptions
    @Option(help: "Recipient number, e.g. +41791234567.") var to: String
    @Option(help: "Text to send (GSM 7-bit when possible, else UCS-2; long texts are split).") var text: String?
    @Option(name: .customLong("data-hex"), help: "Bytes to send as 8-bit data, in hex.") var dataHex: String?
    @Option(help: "Application ports DEST:SRC for --data-hex (16-bit port addressing).") var ports: String?
    @Flag(help: "Request status reports and wait for the final delivery status.") var report = false
    @Option(name: .customLong("report-timeout"), help: "How long to wait for the delivery report: seconds, or 2m, 1h (at most 366 days).",
            transform: TimeOption.parser("--report-timeout"))
    var reportTimeout: Duration = .seconds(300)

    func validate() throws {
        guard (text == nil) != (dataHex == nil) else { throw ValidationError("give exactly one of --text or --data-hex") }
        if ports != nil, dataHex == nil { throw ValidationError("--ports needs --data-hex") }
        if let ports, parseModemPorts(ports) == nil { throw ValidationError("--ports must be DEST:SRC with numbers 0…65535") }
        if let dataHex, parseModemHex(dataHex) == nil { throw ValidationError("--data-hex must be an even number of hex digits") }
    }

    struct Sent: Encodable {
        var to: String
        var parts: Int
        var references: [Int]
    }

    /// The `--json` line of a send whose outcome is unknown (exit 3).
    struct Unconfirmed: Encodable {
        var to: String
        var sent: String
        var references: [Int]
        var error: String
    }

    struct Delivery: Encodable {
        var delivery: String
        var references: [Int]
        var parts: [String]
    }

    func run() async throws {
        let modem = try await options.open(reconnect: report)
        let sendOptions = SendOptions(requestDeliveryReport: report)
        do {
            let receipt: SendReceipt
            if let text {
                receipt = try await modem.send(text: text, to: to, options: sendOptions)
            } else {
                let bytes = parseModemHex(dataHex ?? "") ?? []
                receipt = try await modem.send(data: bytes, to: to, ports: ports.flatMap(parseModemPorts), options: sendOptions)
            }
            let sent = Sent(to: to, parts: receipt.references.count, references: receipt.references)
            if options.json { try Output.json(sent) } else { print("sent \(sent.parts) part(s), references \(sent.references)") }
            if report {
                let r = try await modem.deliveryReport(for: receipt, timeout: reportTimeout)
                let d = Delivery(delivery: r.status.name, references: r.references, parts: r.parts.map(\.description))
                if options.json { try Output.json(d) } else { print("delivery: \(r.status)") }
                await modem.close()
                if r.status != .delivered { throw ExitCode(2) }
                return
            }
        } catch let error as ModemError {
            await modem.close()
            if error.mayHaveBeenSent, options.json {
                var references: [Int] = []
                if case .partiallySent(let refs, _, _) = error { references = refs }
                try? Output.json(Unconfirmed(to: to, sent: "unconfirmed", references: references, error: error.description))
            }
            throw modemFailure(error)
        }
        await modem.close()
    }
}

/// Parses `DEST:SRC` ports.
func parseModemPorts(_ s: String) -> (destination: Int, source: Int)? {
    let p = s.split(separator: ":").compactMap { Int($0) }
    guard p.count == 2, p.allSatisfy({ (0...0xFFFF).contains($0) }) else { return nil }
    return (p[0], p[1])
}

/// Parses hex (case-insensitive, whitespace ignored); nil when malformed.
func parseModemHex(_ s: String) -> [UInt8]? {
    let digits = Array(s.filter { !$0.isWhitespace }.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    var i = 0
    while i + 1 < digits.count {
        guard let hi = hexValue(digits[i]), let lo = hexValue(digits[i + 1]) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x41...0x46: return c - 0x41 + 10
    case 0x61...0x66: return c - 0x61 + 10
    default: return nil
    }
}
