import ArgumentParser
import ATModem
import Foundation
import Logging
import SecureSMS
import SecureTransport

/// `smskit secure` — end-to-end encrypted SMS over a modem (or the emulator).
struct SecureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secure",
        abstract: "Send and receive end-to-end encrypted, authenticated SMS (SecureSMS v1).",
        subcommands: [Send.self, Listen.self]
    )

    /// Options shared by `send` and `listen`.
    struct Common: ParsableArguments {
        @Option(name: .long, help: "Modem tty (e.g. /dev/ttyUSB2 or an emulator PTY).")
        var port: String

        @Option(name: .long, help: "Identity key file (from `smskit keys generate`).")
        var key: String

        @Option(name: .long, help: "Session state directory (default: $XDG_STATE_HOME/smskit/secure or ~/.local/state/smskit/secure).")
        var state: String?

        @Option(name: .long, help: "Application port of binary frames.")
        var appPort: Int = SecureModemLink.defaultPort

        @Option(name: .long, help: "Frame transport: binary (8-bit, port-addressed) or text (GSM-7 fallback).")
        var transport: String = "binary"

        @Flag(name: .long, help: "Print JSON lines.")
        var json = false

        @Flag(name: .long, help: "Load a key file that others can read or write (refused by default, as ssh does).")
        var allowOpenKeyFile = false

        @Flag(name: .long, help: "Log modem traffic and driver decisions to stderr.")
        var verbose = false

        func open(ackDelay: Double, retry: RetryPolicy) async throws -> (SecureModemLink, Identity) {
            guard let kind = SecureTransportKind(rawValue: transport) else {
                throw ValidationError("--transport must be binary or text")
            }
            try KeyFileCheck.verify(key, allowOpenPermissions: allowOpenKeyFile)
            let identity = try KeyStore.load(key, passphrase: Passphrase.obtain(confirm: false))
            let directory = state ?? Self.defaultStateDirectory()
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                guard access(directory, W_OK) == 0 else { throw CocoaError(.fileWriteNoPermission) }
            } catch {
                throw ValidationError("cannot use the state directory \(directory): \(Self.reason(error)); "
                                      + "pass --state DIR with a directory you can write")
            }
            let file = StateFile(path: directory + "/" + identity.publicKey.hex.prefix(16) + ".state", identity: identity)
            var logger = Logger(label: "smskit.secure")
            logger.logLevel = verbose ? .trace : .error
            let modem: Modem
            do {
                modem = try await Modem(port: port, configuration: .init(concatenationReferences: sharedConcatenationReferences()),
                                        logger: logger)
            } catch {
                throw modemFailure(error)
            }
            Termination.onSignal { await modem.close() }
            let configuration = EndpointConfiguration(transport: kind, retry: retry, ackDelay: ackDelay)
            let link = try await SecureModemLink.open(modem: modem, identity: identity, stateFile: file,
                                                      configuration: configuration, port: appPort)
            return (link, identity)
        }

        /// Why a file operation failed, in words (not Foundation's domain and code).
        static func reason(_ error: any Error) -> String {
            let ns = error as NSError
            if let posix = (ns.userInfo[NSUnderlyingErrorKey] as? NSError), posix.domain == NSPOSIXErrorDomain {
                return String(cString: strerror(Int32(posix.code)))
            }
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
            case .fileWriteFileExists: return "a file (not a directory) is in the way"
            case .fileWriteVolumeReadOnly: return "read-only file system"
            default: return ns.localizedFailureReason ?? "cannot create or write it"
            }
        }

        static func defaultStateDirectory() -> String {
            let env = ProcessInfo.processInfo.environment
            if let xdg = env["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/smskit/secure" }
            return (env["HOME"] ?? ".") + "/.local/state/smskit/secure"
        }
    }

    /// `smskit secure send`
    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send an encrypted text and wait for the end-to-end acknowledgement."
        )

        @OptionGroup var common: Common

        @Option(name: .long, help: "The peer's public key (64 hex digits), pinned for this number.")
        var peer: String

        @Option(name: .long, help: "The peer's phone number.")
        var to: String

        @Option(name: .long, help: "Text to send.")
        var text: String

        @Option(name: .long, help: "How long to wait for the acknowledgement: seconds, or 2m, 1h.",
                transform: TimeOption.parser("--timeout"))
        var timeout: Duration = .seconds(120)

        @Option(name: .long, help: "Time before the first retransmission (doubling after each): seconds, or 500ms, 1m.",
                transform: TimeOption.parser("--retry-after"))
        var retryAfter: Duration = .seconds(6)

        @Option(name: .long, help: "Transmissions before the message is reported failed.")
        var attempts: Int = 6

        struct Result: Encodable {
            var delivered: Bool
            var segments: Int
            var wire_bytes: Int
            var overhead_bytes: Int
            var peer_fingerprint: String
        }

        func run() async throws { try await reportingFailures(send) }

        private func send() async throws {
            let peerKey = try PublicKey(hex: peer)
            let retry = RetryPolicy(initialTimeout: TimeOption.seconds(retryAfter), multiplier: 2,
                                    maximumTimeout: max(120, TimeOption.seconds(retryAfter)), maximumAttempts: attempts)
            let (link, _) = try await common.open(ackDelay: 0.5, retry: retry)
            let sent: SecureEndpoint.SendResult
            do {
                sent = try await link.channel.send(text: text, to: peerKey, number: to)
            } catch SecureSMSError.weakPublicKey {
                await link.close()
                await link.modem.close()
                throw ValidationError("--peer \(peer.prefix(16))… is not a usable X25519 public key (a low-order point such as all zeros); nothing was sent — check the key you were given")
            }
            var cost = sent.cost
            var delivered = false
            let deadline = Date().addingTimeInterval(TimeOption.seconds(timeout))
            let waiter = Task {
                for await event in link.channel.events {
                    switch event {
                    case .delivered(let id, _, let c) where id == sent.messageID: return (true, c as MessageCost?)
                    case .failed(let id, _) where id == sent.messageID: return (false, nil)
                    case .rejected(let from, let error): Output.error("rejected frame from \(from): \(error)")
                    default: continue
                    }
                }
                return (false, nil)
            }
            let timer = Task {
                try? await Task.sleep(for: SafeDuration.clamp(.milliseconds(Int64(max(0, deadline.timeIntervalSinceNow) * 1000))))
                waiter.cancel()
                await link.channel.close()
            }
            let outcome = await waiter.value
            timer.cancel()
            delivered = outcome.0
            if let c = outcome.1 { cost = c }
            try? await link.channel.flush()  // acknowledge the peer's reply before leaving
            try? await Task.sleep(nanoseconds: 300_000_000)
            await link.close()
            await link.modem.close()
            let result = Result(delivered: delivered, segments: cost?.segments ?? 0, wire_bytes: cost?.wireBytes ?? 0,
                                overhead_bytes: cost?.overheadBytes ?? 0, peer_fingerprint: peerKey.fingerprint)
            if common.json {
                try Output.json(result)
            } else {
                print("\(delivered ? "delivered" : "NOT delivered") to \(to) (\(peerKey.fingerprint)): "
                      + "\(result.segments) SMS, \(result.wire_bytes) bytes on the air, \(result.overhead_bytes) bytes overhead")
            }
            if !delivered { throw ExitCode(2) }
        }
    }

    /// `smskit secure listen`
    struct Listen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Receive encrypted messages, acknowledge them, print one line per message."
        )

        @OptionGroup var common: Common

        @Option(name: .long, help: "Stop after this many messages.")
        var count: Int?

        @Option(name: .long, help: "Stop after this long: seconds, or 2m, 1h.", transform: TimeOption.parser("--timeout"))
        var timeout: Duration?

        @Option(name: .long, help: "How long to keep answering retransmissions after the last message (--count).",
                transform: TimeOption.parser("--linger"))
        var linger: Duration = .seconds(8)

        struct Line: Encodable {
            var from: String
            var text: String
            var sender_fingerprint: String
            var sender_public_key: String
            var trust: String
        }

        func run() async throws { try await reportingFailures(listen) }

        private func listen() async throws {
            let (link, identity) = try await common.open(ackDelay: 1, retry: RetryPolicy(initialTimeout: 6, maximumAttempts: 6))
            if !common.json { Output.error("listening as \(identity.publicKey.fingerprint) (\(identity.publicKey.hex))") }
            let limit = count
            let reader = Task {
                var seen = 0
                for await event in link.channel.events {
                    switch event {
                    case .message(let m):
                        let line = Line(from: m.from, text: m.text, sender_fingerprint: m.peer.fingerprint,
                                        sender_public_key: m.peer.hex, trust: m.trust.rawValue)
                        if common.json {
                            try? Output.json(line)
                        } else {
                            print("\(m.from) [\(m.trust.rawValue) \(m.peer.fingerprint)]: \(m.text)")
                        }
                        seen += 1
                        if let limit, seen >= limit { return }
                    case .rejected(let from, let error):
                        Output.error("rejected frame from \(from): \(error)")
                    default:
                        continue
                    }
                }
            }
            var timer: Task<Void, Never>?
            if let timeout {
                timer = Task {
                    try? await Task.sleep(for: timeout)
                    reader.cancel()
                    await link.channel.close()
                }
            }
            await reader.value
            timer?.cancel()
            // Send the handshake reply / acks now, then keep answering retransmissions (a lost ack makes the
            // sender repeat its message) for `linger` seconds, or until our own frames are acknowledged.
            try? await link.channel.flush()
            let until = Date().addingTimeInterval(TimeOption.seconds(linger))
            while Date() < until {
                try? await Task.sleep(nanoseconds: 200_000_000)
            }
            await link.close()
            await link.modem.close()
        }
    }
}
