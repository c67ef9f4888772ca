import ArgumentParser
import ATModem
import Foundation
import Logging
import ModemEmulator
import SecureSMS
import SecureTransport
import SMSPDU

/// `smskit demo` — the whole path on the emulator, no hardware: two virtual modems on PTYs, the real
/// driver on each, a bank key and a client key, an encrypted request and its encrypted reply. Prints what
/// went over the air (frames, SMS-DELIVER PDUs, bytes) beside what the applications saw.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Encrypted request and reply between a bank and a client over two virtual modems (no hardware)."
    )

    @Option(help: "The client's request.") var request = "BALANCE? account 12345678"
    @Option(help: "Emulator faults, e.g. loss=0.2,dup=0.1,reorder=0.1 (the protocol's acks and retransmissions repair loss).")
    var faults = ""
    @Option(help: "Seed for the emulator's faults.") var seed: UInt64 = 2026
    @Option(help: "How long to wait for the exchange to complete: seconds, or 2m.", transform: TimeOption.parser("--timeout"))
    var timeout: Duration = .seconds(60)
    @Option(help: "Frame transport: binary (8-bit, port-addressed) or text (GSM-7 fallback).") var transport = "binary"

    static let bankNumber = "+15550001"
    static let clientNumber = "+15550002"

    func run() async throws {
        guard let kind = SecureTransportKind(rawValue: transport) else { throw ValidationError("--transport must be binary or text") }
        let parsedFaults: Faults
        do { parsedFaults = try Faults(parsing: faults) } catch { throw ValidationError("--faults: \(error)") }

        let air = AirLog()
        let network = VirtualNetwork(seed: seed, faults: parsedFaults)
        let bankModem = try await network.addModem(number: Self.bankNumber)
        let clientModem = try await network.addModem(number: Self.clientNumber)
        guard let bankPort = await bankModem.portPath, let clientPort = await clientModem.portPath else {
            throw ValidationError("the emulator did not expose its ports")
        }
        let bankKey = try Identity.generate()
        let clientKey = try Identity.generate()

        section("Setup")
        print("virtual network  seed \(seed), faults: \(faults.isEmpty ? "none" : faults)")
        print("bank    \(Self.bankNumber)  modem \(bankPort)  key \(bankKey.publicKey.fingerprint)")
        print("client  \(Self.clientNumber)  modem \(clientPort)  key \(clientKey.publicKey.fingerprint)  (bank key pinned in the app)")

        var quiet = Logger(label: "smskit.demo")
        quiet.logLevel = .warning
        let configuration = EndpointConfiguration(transport: kind, retry: RetryPolicy(initialTimeout: 2, multiplier: 2, maximumTimeout: 10, maximumAttempts: 8),
                                                  ackDelay: 0.5)
        var bankConfiguration = configuration
        bankConfiguration.role = .bank
        let bank = try await SecureModemLink(
            modem: try await Modem(port: bankPort, logger: quiet), identity: bankKey, store: nil,
            configuration: bankConfiguration, observer: { await air.record(from: "bank", $0) })
        // The client's key was enrolled out of band (at account opening), bound to its number.
        try await bank.channel.enrol(clientKey.publicKey, number: Self.clientNumber, customerID: "12345678")
        let client = try await SecureModemLink(
            modem: try await Modem(port: clientPort, logger: quiet), identity: clientKey, store: nil,
            configuration: configuration, observer: { await air.record(from: "client", $0) })

        section("Over the air (every SMS the modems sent)")
        let replyText = "Balance of 12345678: 1,234.56 EUR on \(Self.today())"
        let request = self.request, timeout = self.timeout
        let (received, reply, requestCost) = try await bank.running { bank in
            try await client.running { client in
                try await Self.exchange(bank: bank, client: client, bankKey: bankKey.publicKey, request: request,
                                        replyText: replyText, timeout: timeout)
            }
        }

        let deliveries = await network.deliveryLog
        section("SMS-DELIVER PDUs the network handed to the modems")
        for (to, pdu) in deliveries {
            let who = to == Self.bankNumber ? "bank  " : "client"
            print("to \(who) \(pdu.count) octets  \(Hex.encode(pdu))")
        }

        section("What the applications saw")
        if let m = received {
            print("bank   got   \"\(m.text)\"  from \(m.from), sender \(m.peer.fingerprint), trust \(m.trust), customer \(m.customerID ?? "-")")
        } else { print("bank   got   nothing (timed out)") }
        if let r = reply {
            print("client got   \"\(r.text)\"  from \(r.from), sender \(r.peer.fingerprint), trust \(r.trust)")
        } else { print("client got   nothing (timed out)") }

        section("Cost")
        let frames = await air.frames
        let onAir = frames.reduce(0) { $0 + $1.bytes }
        if let c = requestCost {
            print("request: \(c.segments) SMS, \(c.wireBytes) bytes on the air, \(c.overheadBytes) bytes of protocol overhead")
        }
        print("whole exchange: \(frames.count) SMS sent (\(onAir) frame bytes), \(deliveries.count) delivered by the network")
        let faultCount = await network.faultLog.count
        if faultCount > 0 { print("network faults injected: \(faultCount) (repaired by acknowledgements and retransmission)") }

        await bank.modem.close(); await client.modem.close()
        await network.shutdown()
        guard received?.text == request, reply?.text == replyText else {
            Output.error("demo: the exchange did not complete within \(TimeOption.describe(timeout))")
            throw ExitCode(1)
        }
        print("\nOK: request and reply delivered exactly once, end-to-end encrypted and authenticated.")
    }

    private func section(_ title: String) { print("\n== \(title)") }

    private static func today() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date())
    }

    /// The bank answers the first request; the client sends it and waits for the reply and for its own
    /// acknowledgement; then the bank waits for the client's acknowledgement of the reply. Everything
    /// within `timeout` (then the channels are closed and what arrived is returned).
    private static func exchange(bank: SecureModemLink, client: SecureModemLink, bankKey: PublicKey, request: String,
                                 replyText: String, timeout: Duration) async throws
        -> (ReceivedMessage?, ReceivedMessage?, MessageCost?) {
        let bankTask = Task { () -> (ReceivedMessage, UInt64?)? in
            for await event in bank.channel.events {
                guard case .message(let message) = event else { continue }
                try? await bank.channel.commit(message.receipt)  // the bank's application has it: acknowledge
                let sent = try? await bank.channel.send(text: replyText, to: message.peer, number: message.from)
                return (message, sent?.messageID)
            }
            return nil
        }
        let sent = try await client.channel.send(text: request, to: bankKey, number: Self.bankNumber)
        let clientTask = Task { () -> (ReceivedMessage?, MessageCost?) in
            var reply: ReceivedMessage?
            var cost: MessageCost?
            for await event in client.channel.events {
                switch event {
                case .message(let m):
                    reply = m
                    try? await client.channel.commit(m.receipt)
                case .delivered(let id, _, let c) where id == sent.messageID: cost = c
                case .failed(let id, _) where id == sent.messageID: return (reply, nil)
                case .unconfirmed(let id, _) where id == sent.messageID: return (reply, nil)
                default: break
                }
                if reply != nil, cost != nil { return (reply, cost) }
            }
            return (reply, cost)
        }
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            bankTask.cancel(); clientTask.cancel()
            await bank.channel.close(); await client.channel.close()
        }
        defer { watchdog.cancel() }
        let received = await bankTask.value
        let (reply, requestCost) = await clientTask.value
        try? await client.channel.flush()  // acknowledge the reply
        if let replyID = received?.1 {
            // The bank's side ends when the client's acknowledgement of the reply is in.
            _ = await bank.channel.outcome(of: replyID, timeout: .seconds(5))
        }
        return (received?.0, reply, requestCost)
    }
}

/// The frames each side handed to its modem, printed as they go.
actor AirLog {
    private(set) var frames: [FrameSummary] = []

    func record(from side: String, _ sms: OutboundSMS) {
        let summary = FrameSummary(bytes: sms.bytes)
        frames.append(summary)
        print("\(side.padding(toLength: 6, withPad: " ", startingAt: 0)) → \(sms.to)  \(summary.text)")
    }
}
