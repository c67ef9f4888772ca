import Foundation
import SMSKitTestSupport
import Glibc

/// A tiny scripted modem on a real pty: it reads commands (CR-terminated) and PDUs (after a prompt,
/// Ctrl-Z-terminated) and writes whatever the script returns, byte for byte.
final class FakeModem: @unchecked Sendable {
    enum Input: Equatable {
        case command(String)
        case pdu(String)
    }

    let pty: PseudoTerminal
    var path: String { pty.path }
    private let script: @Sendable (Input, FakeModem) -> String?
    private let state = NSLock()
    private var log: [Input] = []
    private var promptMode = false
    private var stopped = false

    /// Whether ESC leaves PDU-input mode (some firmwares only leave it on Ctrl-Z).
    private let escCancelsInput: Bool

    /// `script` maps each input to raw output (nil: say nothing, to provoke a timeout).
    /// `stuckAtPrompt`: starts in PDU-input mode, as a modem a client left after `AT+CMGS=n`.
    init(stuckAtPrompt: Bool = false, escCancelsInput: Bool = true,
         script: @escaping @Sendable (Input, FakeModem) -> String?) throws {
        pty = try PseudoTerminal()
        self.script = script
        self.escCancelsInput = escCancelsInput
        self.promptMode = stuckAtPrompt
        let thread = Thread { [weak self] in
            // Poll in short rounds holding no strong reference in between, so the fake (and its pty)
            // is freed when the test drops it.
            while let me = self, me.step() {}
        }
        thread.start()
    }

    /// Everything received so far.
    var received: [Input] { state.withLock { log } }

    /// Commands received so far.
    var commands: [String] { received.compactMap { if case .command(let c) = $0 { return c } else { return nil } } }

    /// Writes unsolicited output now.
    func inject(_ text: String) { write(text) }

    /// Writes to the master unless unplugged (under the lock, so a closed descriptor is never reused).
    private func write(_ text: String) {
        state.withLock { if !stopped { pty.writeMaster(text) } }
    }

    /// Switches to PDU input until Ctrl-Z (call from the script when answering with a prompt).
    func expectPDU() { state.withLock { promptMode = true } }

    /// Simulates an unplug: the pty master closes, the client sees EIO.
    func unplug() {
        state.withLock {
            stopped = true
            pty.closeSlave()
            pty.closeMaster()
        }
    }

    /// Waits until `predicate` holds for the received inputs (5 s failure guard).
    func waitFor(_ predicate: ([Input]) -> Bool) async {
        let deadline = Date().addingTimeInterval(5)
        while !predicate(received) && Date() < deadline { try? await Task.sleep(for: .milliseconds(1)) }
    }

    private var buffer: [UInt8] = []

    /// One poll round (20 ms); false once unplugged or the pty is gone.
    private func step() -> Bool {
        if state.withLock({ stopped }) { return false }
        var chunk = [UInt8](repeating: 0, count: 1024)
        var p = pollfd(fd: pty.master, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 20) > 0 else { return true }
        let n = state.withLock { stopped ? -1 : chunk.withUnsafeMutableBytes { read(pty.master, $0.baseAddress, $0.count) } }
        if n <= 0 { return false }
        buffer += chunk[0..<n]
        while let input = nextInput(&buffer) {
            state.withLock { log.append(input) }
            if let out = script(input, self) { write(out) }
        }
        return true
    }

    private func nextInput(_ buffer: inout [UInt8]) -> Input? {
        if state.withLock({ promptMode }) {
            if !escCancelsInput { buffer.removeAll { $0 == 0x1B } }
            if let esc = buffer.firstIndex(of: 0x1B) {  // input cancelled
                buffer.removeSubrange(...esc)
                state.withLock { promptMode = false }
                return nextInput(&buffer)  // what followed the ESC is a command again
            }
            guard let end = buffer.firstIndex(of: 0x1A) else { return nil }
            let pdu = String(decoding: buffer[..<end], as: UTF8.self)
            buffer.removeSubrange(...end)
            state.withLock { promptMode = false }
            return .pdu(pdu)
        }
        buffer.removeAll { $0 == 0x1B }  // ESC outside the prompt: nothing to cancel, ignored as a modem does
        guard let end = buffer.firstIndex(of: 0x0D) else { return nil }
        let line = String(decoding: buffer[..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        buffer.removeSubrange(...end)
        return .command(line)
    }
}

/// A script for a well-behaved generic modem; `overrides` answer specific commands first.
func standardScript(_ overrides: @escaping @Sendable (String, FakeModem) -> String? = { _, _ in nil })
    -> @Sendable (FakeModem.Input, FakeModem) -> String? {
    return { input, modem in
        switch input {
        case .pdu:
            return "\r\n+CMGS: 7\r\n\r\nOK\r\n"
        case .command(let c):
            if let o = overrides(c, modem) { return o }
            switch c {
            case "AT+CGMI": return "\r\nFakeCo\r\n\r\nOK\r\n"
            case "AT+CPIN?": return "\r\n+CPIN: READY\r\n\r\nOK\r\n"
            case "AT+CMEE?": return "\r\n+CMEE: 1\r\n\r\nOK\r\n"
            case "AT+CSMS?": return "\r\n+CSMS: 0,1,1,1\r\n\r\nOK\r\n"
            case "AT+CMGL=4": return "\r\nOK\r\n"
            case "AT+CPMS?": return "\r\n+CPMS: \"SM\",0,30,\"SM\",0,30,\"SM\",0,30\r\n\r\nOK\r\n"
            case _ where c.hasPrefix("AT+CPMS="): return "\r\n+CPMS: 0,30,0,30,0,30\r\n\r\nOK\r\n"
            case _ where c.hasPrefix("AT+CMGS="):
                modem.expectPDU()
                return "\r\n> "
            default: return "\r\nOK\r\n"
            }
        }
    }
}
