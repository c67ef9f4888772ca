import ArgumentParser
import ATModem
import Foundation

/// `smskit listen`: print received messages (stored ones first), acknowledging each after printing.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Print received SMS, reassembled, one per line; each is deleted from the modem after it is printed.",
        discussion: """
            With --json one object per message: from, text or data_hex, timestamp (ISO 8601), parts, smsc, complete, \
            ports. Messages stored while offline come first. Exits after --count messages, or after --timeout seconds \
            (exit 1 if fewer than --count arrived).
            """
    )

    @OptionGroup var options: ModemOptions
    @Option(help: "Exit after this many messages.") var count: Int?
    @Option(help: "Exit after this long: seconds, or 500ms, 2m, 1h (at most 366 days).", transform: TimeOption.parser("--timeout"))
    var timeout: Duration?

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
    }

    struct Line: Encodable {
        var from: String
        var text: String?
        var data_hex: String?
        var timestamp: String?
        var parts: Int
        var smsc: String?
        var complete: Bool
        var ports: [Int]?

        init(_ m: IncomingMessage) {
            from = m.sender
            text = m.text
            data_hex = m.data.map { $0.map { String(format: "%02X", $0) }.joined() }
            timestamp = m.timestamp.map { ISO8601DateFormatter().string(from: $0) }
            parts = m.totalParts
            smsc = m.smsc
            complete = m.isComplete
            ports = m.ports.map { [$0.destination, $0.source] }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: ModemJSONKey.self)
            try c.encode(from, forKey: ModemJSONKey("from"))
            if let data_hex { try c.encode(data_hex, forKey: ModemJSONKey("data_hex")) } else { try c.encode(text, forKey: ModemJSONKey("text")) }
            try c.encode(timestamp, forKey: ModemJSONKey("timestamp"))
            try c.encode(parts, forKey: ModemJSONKey("parts"))
            try c.encode(smsc, forKey: ModemJSONKey("smsc"))
            try c.encode(complete, forKey: ModemJSONKey("complete"))
            try c.encode(ports, forKey: ModemJSONKey("ports"))
        }
    }

    /// Deletes a printed message: three tries, then a warning and on to the next message (a failed
    /// `AT+CMGD` must not stop the listener; the message may be printed again after a restart).
    private func acknowledge(_ message: IncomingMessage) async {
        var lastError: ModemError?
        for attempt in 1...3 {
            do {
                try await message.acknowledge()
                return
            } catch {
                lastError = error
                if case .closed = error { break }
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
        Output.error("warning: could not delete a printed message from the modem (\(lastError?.description ?? "closed")); "
                     + "it stays in storage and may be printed again after a restart")
    }

    func run() async throws {
        let modem = try await options.open(reconnect: true)
        let json = options.json
        let wanted = count
        let reader = Task { () throws -> Int in
            var received = 0
            for await message in modem.incoming {
                let line = Line(message)
                if json {
                    try Output.json(line)
                } else {
                    print("\(line.timestamp ?? "-") \(line.from): \(line.text ?? "<\(line.data_hex ?? "") >")")
                }
                await acknowledge(message)
                received += 1
                if let wanted, received >= wanted { break }
            }
            return received
        }
        var timer: Task<Void, Never>?
        if let timeout {
            timer = Task {
                try? await Task.sleep(for: timeout)
                await modem.close()  // ends `incoming`, so the reader returns
            }
        }
        let received: Int
        do {
            received = try await reader.value
        } catch let error as ModemError {
            timer?.cancel()
            await modem.close()
            throw modemFailure(error)
        }
        timer?.cancel()
        await modem.close()
        if let wanted, received < wanted {
            Output.error("error: timed out after \(timeout.map(TimeOption.describe) ?? "-") with \(received) of \(wanted) messages")
            throw ExitCode.failure
        }
    }
}
