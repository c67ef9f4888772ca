/// The AT framing state machine, in the style of SwiftNIO's `ByteToMessageDecoder`: feed it bytes
/// in any chunking, get events out. It tolerates partial lines, lone CR or LF, NUL bytes, invalid
/// UTF-8 and over-long garbage, and recognises URCs anywhere (even between a command and its
/// result). It does no I/O, so it is tested byte by byte.
///
/// ```swift
/// var decoder = ATResponseDecoder()
/// decoder.expect(.init(command: "AT+CSQ", responsePrefixes: ["+CSQ:"]))
/// decoder.feed(Array("\r\n+CSQ: 17,99\r\n\r\nOK\r\n".utf8)) // [.response("+CSQ: 17,99"), .final(.ok)]
/// ```
public struct ATResponseDecoder: Sendable {
    /// Lines longer than this are garbage and are discarded (bounded memory).
    public static let maximumLineLength = 2048

    private enum State: Sendable {
        case idle
        /// A command is in flight.
        case command(ATExpectation)
    }

    /// What the next line is, if it is a PDU line.
    private enum PendingData: Sendable {
        case none
        case urc(String)
        case response
    }

    private var state: State = .idle
    private var pending: PendingData = .none
    private var buffer: [UInt8] = []
    private var overflowing = false
    /// Which lines are URCs.
    public var urcTable: URCTable

    /// Creates a decoder with a URC table (standard plus any vendor quirks).
    public init(urcTable: URCTable = .standard) { self.urcTable = urcTable }

    /// Whether a command is in flight.
    public var isAwaitingResult: Bool { if case .command = state { return true } else { return false } }

    /// Announces the command just sent; its lines become responses until a final result.
    public mutating func expect(_ expectation: ATExpectation) { state = .command(expectation) }

    /// Forgets the command in flight (after a timeout), so late lines are strays or URCs.
    public mutating func cancelExpectation() { state = .idle }

    /// Consumes bytes and returns the events they complete.
    public mutating func feed<C: Collection>(_ bytes: C) -> [ATEvent] where C.Element == UInt8 {
        var events: [ATEvent] = []
        for byte in bytes {
            switch byte {
            case 0x0D, 0x0A:
                if overflowing { overflowing = false; buffer.removeAll(keepingCapacity: true); continue }
                guard !buffer.isEmpty else { continue }
                let line = String(decoding: buffer, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                buffer.removeAll(keepingCapacity: true)
                if !line.isEmpty { handle(line: line, into: &events) }
            case 0x00, 0x1A, 0x1B:
                continue
            default:
                if overflowing { continue }
                if buffer.count >= Self.maximumLineLength {
                    buffer.removeAll(keepingCapacity: true)
                    overflowing = true
                    continue
                }
                buffer.append(byte)
                if byte == UInt8(ascii: ">"), case .command(let e) = state, e.expectsPrompt,
                   buffer.allSatisfy({ $0 == 0x20 || $0 == UInt8(ascii: ">") }) {
                    buffer.removeAll(keepingCapacity: true)
                    var done = e
                    done.expectsPrompt = false
                    state = .command(done)
                    events.append(.prompt)
                }
            }
        }
        return events
    }

    private mutating func handle(line: String, into events: inout [ATEvent]) {
        switch pending {
        case .urc(let header):
            pending = .none
            if ATLineParser.isHex(line) { events.append(.urc(URC(line: header, pdu: line))); return }
            events.append(.urc(URC(line: header, pdu: nil)))
        case .response:
            pending = .none
            if ATLineParser.isHex(line) { events.append(.response(line)); return }
        case .none:
            break
        }

        if case .command(let e) = state {
            if line == e.command || e.echoes.contains(line) { return }  // echo
            if e.responsePrefixes.contains(where: { line.hasPrefix($0) }) {
                events.append(.response(line))
                if line.hasPrefix("+CMGR:") || line.hasPrefix("+CMGL:") { pending = .response }
                return
            }
        }
        if urcTable.isPDUHeader(line) { pending = .urc(line); return }
        if urcTable.isURC(line) || urcTable.isReset(line) { events.append(.urc(URC(line: line))); return }
        switch state {
        case .command(let e):
            if let result = ATFinalResult(line: line) {
                if !e.isProbe { state = .idle }
                events.append(.final(result))
            } else {
                events.append(.response(line))
            }
        case .idle:
            events.append(.stray(line))
        }
    }
}
