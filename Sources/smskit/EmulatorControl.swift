import Foundation
import ModemEmulator

/// `smskit emulator --control`: one JSON command per stdin line, one answer line per command (in order).
///
/// ```
/// {"cmd":"send","from":"+19990001","to":"+15550001","text":"hi"}   → {"cmd":"send","event":"ok",…,"submissions":[1]}
/// {"cmd":"unplug","number":"+15550001"}                            → {"cmd":"unplug","event":"ok","number":"+15550001"}
/// {"cmd":"replug","number":"+15550001"}                            → {"cmd":"replug","event":"ok","number":…,"port":…}
/// {"cmd":"faults","spec":"loss=0.1,dup=0.2"}                       → {"cmd":"faults","event":"ok","spec":…}
/// {"cmd":"stats"}                                                  → {"event":"stats","modems":[…],"network":…,"phones":…}
/// ```
/// Any command may carry an `id` (string or integer), echoed in its answer. A line that is not a command gets
/// `{"event":"error","message":…}`; blank lines are ignored.
struct EmulatorControl: Sendable {
    let network: VirtualNetwork
    let output: JSONLineWriter

    /// The fields any command may have.
    private struct Request: Decodable {
        var cmd: String?
        var id: ControlID?
        var from: String?
        var to: String?
        var text: String?
        var number: String?
        var spec: String?
    }

    /// A command that cannot be carried out, with the reason.
    private struct Refusal: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads one line and answers it.
    func handle(_ line: String) async {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return }
        let request: Request
        do {
            request = try JSONDecoder().decode(Request.self, from: Data(trimmed.utf8))
        } catch {
            output.emit(EmulatorLines.Failure(message: Self.explain(error)))
            return
        }
        guard let cmd = request.cmd else {
            output.emit(EmulatorLines.Failure(id: request.id, message: "missing \"cmd\": one of send, unplug, replug, faults, stats"))
            return
        }
        do {
            switch cmd {
            case "send": try await send(request, cmd: cmd)
            case "unplug", "replug": try await plug(request, cmd: cmd)
            case "faults": try await setFaults(request, cmd: cmd)
            case "stats": await stats(request)
            default: throw Refusal("unknown cmd \"\(cmd)\": use send, unplug, replug, faults or stats")
            }
        } catch {
            output.emit(EmulatorLines.Failure(cmd: cmd, id: request.id, message: "\(error)"))
        }
    }

    private func send(_ request: Request, cmd: String) async throws {
        guard let from = request.from, let to = request.to, let text = request.text else {
            throw Refusal("send needs \"from\" (a phone), \"to\" (a modem's number) and \"text\"")
        }
        let submissions = try await network.phoneSend(from: from, to: to, text: text)
        output.emit(EmulatorLines.OK(cmd: cmd, id: request.id, from: from, to: to, parts: submissions.count,
                                     submissions: submissions))
    }

    private func plug(_ request: Request, cmd: String) async throws {
        guard let number = request.number?.trimmingCharacters(in: .whitespaces) else {
            throw Refusal("\(cmd) needs \"number\" (a modem's number)")
        }
        guard let modem = await network.modem(number) else { throw Refusal("no modem with number \(number)") }
        if cmd == "unplug" {
            await modem.unplug()
            output.emit(EmulatorLines.OK(cmd: cmd, id: request.id, number: number))
        } else {
            try await modem.replug()
            output.emit(EmulatorLines.OK(cmd: cmd, id: request.id, number: number, port: await modem.portPath))
        }
    }

    private func setFaults(_ request: Request, cmd: String) async throws {
        guard let spec = request.spec else { throw Refusal("faults needs \"spec\", e.g. \"loss=0.1,dup=0.2\" (\"\" for none)") }
        await network.setFaults(try Faults(parsing: spec))
        output.emit(EmulatorLines.OK(cmd: cmd, id: request.id, spec: spec))
    }

    private func stats(_ request: Request) async {
        let phones = await network.phones
        let counts = phones.reduce(PhoneCounts()) { $0 + $1.counts }
        let totals = EmulatorLines.PhoneTotals(count: phones.count, receivedParts: counts.receivedParts,
                                               messages: counts.messages, duplicates: counts.duplicates,
                                               incomplete: phones.reduce(0) { $0 + $1.incompleteMessages },
                                               sentMessages: counts.sentMessages, sentParts: counts.sentParts)
        var modems: [EmulatorLines.ModemStats] = []
        for modem in await network.modems {
            func usage(_ memory: MessageMemory) async -> EmulatorLines.Usage {
                let usage = await modem.storageUsage(memory)
                return EmulatorLines.Usage(used: usage.used, capacity: usage.capacity)
            }
            let port = await modem.portPath
            modems.append(EmulatorLines.ModemStats(
                number: modem.number, plugged: port != nil, port: port,
                sent: await modem.sentMessages.appendedCount, queued: await network.queuedCount(for: modem.number),
                storage: EmulatorLines.Storage(sm: await usage(.sm), me: await usage(.me), sr: await usage(.sr))))
        }
        let network = EmulatorLines.NetworkStats(submissions: await network.submissionCount,
                                                 rejected: await network.rejectedCount, lost: await network.lostCount)
        output.emit(EmulatorLines.Stats(id: request.id, phones: totals, modems: modems, network: network))
    }

    /// A short reason for a line that is not a command.
    private static func explain(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted:
            return "not valid JSON: send one object per line, e.g. {\"cmd\":\"stats\"}"
        case DecodingError.typeMismatch(_, let context):
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return field.isEmpty ? "a command is a JSON object, e.g. {\"cmd\":\"stats\"}" : "\"\(field)\" has the wrong type"
        default:
            return "cannot read the command: \(error)"
        }
    }
}
