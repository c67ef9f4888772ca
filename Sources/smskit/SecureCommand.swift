import ArgumentParser
import ATModem
import Foundation
import SecureSMS
import SecureTransport

/// `smskit secure` — end-to-end encrypted SMS over a modem (or the emulator).
struct SecureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secure",
        abstract: "Send and receive end-to-end encrypted, authenticated SMS (SecureSMS v2).",
        subcommands: [Send.self, Listen.self, Enrol.self]
    )

    /// The key and state options every `secure` command shares.
    struct KeyOptions: ParsableArguments {
        @Option(name: .long, help: "Identity key file (from `smskit keys generate`).")
        var key: String

        @Option(name: .long, help: "Read the key's passphrase from this file (mode 0600).")
        var passphraseFile: String?

        @Option(name: .long, help: "Session state file (default: $XDG_STATE_HOME/smskit/secure/<key>.<role>.state, else under ~/.local/state). One process per state file.")
        var state: String?

        @Flag(name: .long, help: "Load a key file that others can read or write (refused by default, as ssh does).")
        var allowOpenKeyFile = false

        func identity() throws -> Identity {
            try KeyFileCheck.verify(key, allowOpenPermissions: allowOpenKeyFile)
            return try KeyStore.load(key, passphrase: Passphrase.obtain(confirm: false, file: passphraseFile))
        }

        func stateFile(for identity: Identity, role: EndpointRole) throws -> StateFile {
            let path = state ?? Self.defaultStateDirectory() + "/" + identity.publicKey.hex.prefix(16) + "." + role.rawValue + ".state"
            let directory = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                guard access(directory, W_OK) == 0 else { throw CocoaError(.fileWriteNoPermission) }
            } catch {
                throw ValidationError("cannot use the state directory \(directory): \(Self.reason(error)); "
                                      + "pass --state FILE in a directory you can write")
            }
            return try StateFile(path: path, identity: identity)
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

    /// Options shared by `send` and `listen`.
    struct Common: ParsableArguments {
        /// `--port` or `--device`, `--pin`, `--json`, `--verbose`: the same as `smskit send` and `listen`.
        @OptionGroup var modemOptions: ModemOptions

        @OptionGroup var keys: KeyOptions

        @Option(name: .long, help: "Application port of binary frames.")
        var appPort: Int = SecureModemLink.defaultPort

        @Option(name: .long, help: "Frame transport: binary (8-bit, port-addressed) or text (GSM-7 fallback).")
        var transport: String = "binary"

        var json: Bool { modemOptions.json }

        func open(role: EndpointRole, ackDelay: Double, retry: RetryPolicy, enrolment: EnrolmentPolicy = .init(),
                  prepare: (SecureChannel) async throws -> Void = { _ in }) async throws -> (SecureModemLink, Identity) {
            guard let kind = SecureTransportKind(rawValue: transport) else {
                throw ValidationError("--transport must be binary or text")
            }
            let identity = try keys.identity()
            let file = try keys.stateFile(for: identity, role: role)
            let modem = try await modemOptions.open(reconnect: true)
            let configuration = EndpointConfiguration(transport: kind, retry: retry, ackDelay: ackDelay, role: role,
                                                      enrolment: enrolment)
            let link = try await SecureModemLink(modem: modem, identity: identity, store: file,
                                                 configuration: configuration, port: appPort)
            try await prepare(link.channel)
            return (link, identity)
        }
    }

    /// `smskit secure send`
    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send an encrypted text (as a client) and wait for the end-to-end acknowledgement.",
            discussion: """
            Exit status: 0 delivered (acknowledged end to end); 3 unconfirmed (sent, but no acknowledgement came: \\
            the peer may have it and may have acted on it, so treat it as possibly done and never resend it \\
            blindly as a new request); 2 failed (not one SMS of it went out).
            """
        )

        @OptionGroup var common: Common

        @Option(name: .long, help: "The peer's public key (64 hex digits), pinned for this number.")
        var peer: String

        @Option(name: .long, help: "The peer's phone number.")
        var to: String

        @Option(name: .long, help: "Text to send.")
        var text: String

        @Option(name: .long, help: "Seconds to wait for the acknowledgement (at most one day).")
        var timeout: Double = 120

        @Option(name: .long, help: "Seconds before the first retransmission (doubling after each).")
        var retryAfter: Double = 6

        @Option(name: .long, help: "Transmissions before the message is reported unconfirmed.")
        var attempts: Int = 6

        @Flag(name: .long, help: "The bank already holds our key (enrolled out of band): start with a 52-byte hello.")
        var enrolled = false

        /// How a sent message ended.
        enum Status: String, Encodable {
            case delivered, unconfirmed, failed
        }

        struct Result: Encodable {
            var status: Status
            var delivered: Bool
            var segments: Int
            var wire_bytes: Int
            var overhead_bytes: Int
            var peer_fingerprint: String
        }

        func validate() throws {
            guard timeout.isFinite, timeout >= 0, timeout <= 86_400 else { throw ValidationError("--timeout must be a finite number of seconds, 0 to at most 86400") }
            guard retryAfter.isFinite, retryAfter > 0, retryAfter <= 86_400 else { throw ValidationError("--retry-after must be a finite number of seconds, above 0 and at most 86400") }
            guard (1...100).contains(attempts) else { throw ValidationError("--attempts must be 1…100") }
        }

        func run() async throws {
            try await reportingFailures {
                do { try await execute() } catch SecureSMSError.weakPublicKey {
                    throw ValidationError("--peer \(peer.prefix(16))… is not a usable X25519 public key (a low-order point such as all zeros); nothing was sent — check the key you were given")
                }
            }
        }

        private func execute() async throws {
            let peerKey = try PublicKey(hex: peer)
            let retry = RetryPolicy(initialTimeout: retryAfter, multiplier: 2, maximumTimeout: 120, maximumAttempts: attempts)
            let enrolledFlag = enrolled
            let number = to
            let (link, _) = try await common.open(role: .client, ackDelay: 0.5, retry: retry) { channel in
                try await channel.pin(peerKey, number: number)
                if enrolledFlag { try await channel.markIntroduced(peerKey) }
            }
            let text = self.text, timeout = self.timeout
            let (status, cost) = try await link.running { link -> (Status, MessageCost?) in
                let channel = link.channel
                let sent = try await channel.send(text: text, to: peerKey, number: number)
                let outcome = await channel.outcome(of: sent.messageID, timeout: .seconds(timeout), onRejected: { from, error in
                    Output.error("rejected frame from \(from): \(error)")
                })
                let status: Status
                var cost = sent.cost
                switch outcome {
                case .delivered(let delivered): status = .delivered; cost = delivered
                case .unconfirmed: status = .unconfirmed
                case .failed: status = .failed
                }
                if status == .failed, let error = await channel.lastTransmitError { Output.error("no SMS of the message went out: \(error)") }
                await link.finish()
                return (status, cost)
            }
            await link.modem.close()
            let result = Result(status: status, delivered: status == .delivered, segments: cost?.segments ?? 0,
                                wire_bytes: cost?.wireBytes ?? 0, overhead_bytes: cost?.overheadBytes ?? 0,
                                peer_fingerprint: peerKey.fingerprint)
            if common.json {
                try Output.json(result)
            } else {
                let what: String
                switch status {
                case .delivered: what = "delivered"
                case .unconfirmed: what = "UNCONFIRMED (sent, no acknowledgement: the peer may have it)"
                case .failed: what = "FAILED (not sent)"
                }
                print("\(what) to \(to) (\(peerKey.fingerprint)): "
                      + "\(result.segments) SMS, \(result.wire_bytes) bytes on the air, \(result.overhead_bytes) bytes overhead")
            }
            switch status {
            case .delivered: return
            case .unconfirmed: throw ExitCode(3)
            case .failed: throw ExitCode(2)
            }
        }
    }

    /// `smskit secure listen`
    struct Listen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Receive encrypted messages as the bank, print one line per message, then acknowledge it.",
            discussion: """
            Only keys enrolled with `smskit secure enrol` are accepted, unless --open-enrolment is given (then \\
            unknown keys are `unverified` and rate-limited). A message is acknowledged only after its line \\
            was written. Ordinary SMS arriving on the modem are printed as {"type":"sms",…} lines (JSON) and \\
            then deleted, so they never fill the SIM.
            """
        )

        @OptionGroup var common: Common

        @Option(name: .long, help: "Stop after this many messages.")
        var count: Int?

        @Option(name: .long, help: "Stop after this many seconds (at most one year).")
        var timeout: Double?

        @Option(name: .long, help: "Seconds to keep answering retransmissions after the last message (--count).")
        var linger: Double = 8

        @Flag(name: .long, help: "Accept keys nobody enrolled, marked unverified and rate-limited.")
        var openEnrolment = false

        struct Line: Encodable {
            var type = "secure"
            var from: String
            var text: String
            var sender_fingerprint: String
            var sender_public_key: String
            var trust: String
            var verified: Bool
            var replay_protected: Bool
            var customer_id: String?
        }

        struct PlainLine: Encodable {
            var type = "sms"
            var from: String
            var text: String?
            var data_hex: String?
        }

        func validate() throws {
            if let timeout { guard timeout.isFinite, timeout >= 0, timeout <= 31_536_000 else { throw ValidationError("--timeout must be a finite number of seconds, 0 to at most 31536000") } }
            guard linger.isFinite, linger >= 0, linger <= 3600 else { throw ValidationError("--linger must be a finite number of seconds, 0 to at most 3600") }
            if let count { guard count > 0 else { throw ValidationError("--count must be positive") } }
        }

        func run() async throws { try await reportingFailures(execute) }

        private func execute() async throws {
            let (link, identity) = try await common.open(role: .bank, ackDelay: 1, retry: RetryPolicy(initialTimeout: 6, maximumAttempts: 6),
                                                         enrolment: EnrolmentPolicy(open: openEnrolment))
            if !common.json { Output.error("listening as \(identity.publicKey.fingerprint) (\(identity.publicKey.hex))") }
            let limit = count, json = common.json, timeout = self.timeout, linger = self.linger
            await link.running { link in
                await withDiscardingTaskGroup { group in
                    group.addTask {  // ordinary SMS: printed, then deleted, so they never fill the SIM
                        for await sms in link.otherMessages {
                            let line = PlainLine(from: sms.sender, text: sms.text, data_hex: sms.data.map(Self.hex))
                            if json { try? Output.json(line) } else { print("\(sms.sender) [plain SMS]: \(sms.text ?? "<binary>")") }
                            fflush(nil)  // the line is out before the message is acknowledged
                            try? await sms.acknowledge()
                        }
                    }
                    if let timeout {
                        group.addTask {
                            try? await Task.sleep(for: .seconds(timeout))
                            await link.channel.close()  // ends the reader below
                        }
                    }
                    await Self.read(link.channel, limit: limit, json: json)
                    // Send the handshake reply / acks now, then keep answering retransmissions (a lost ack
                    // makes the sender repeat its message) for `linger` seconds.
                    try? await link.channel.flush()
                    try? await Task.sleep(for: .seconds(linger))
                    group.cancelAll()
                }
            }
            await link.modem.close()
        }

        /// Prints each message, then commits it (so it is acknowledged only once its line is out), until
        /// `limit` messages or the channel closes.
        private static func read(_ channel: SecureChannel, limit: Int?, json: Bool) async {
            var seen = 0
            for await event in channel.events {
                switch event {
                case .message(let m):
                    let line = Line(from: m.from, text: m.text, sender_fingerprint: m.peer.fingerprint,
                                    sender_public_key: m.peer.hex, trust: m.trust.rawValue, verified: m.verified,
                                    replay_protected: m.replayProtected, customer_id: m.customerID)
                    if json {
                        try? Output.json(line)
                    } else {
                        print("\(m.from) [\(m.trust.rawValue) \(m.peer.fingerprint)]: \(m.text)")
                    }
                    fflush(nil)  // the line is out before the message is acknowledged
                    try? await channel.commit(m.receipt)  // written out: now acknowledge it
                    seen += 1
                    if let limit, seen >= limit { return }
                case .rejected(let from, let error):
                    Output.error("rejected frame from \(from): \(error)")
                default:
                    continue
                }
            }
        }

        static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    }

    /// `smskit secure enrol`
    struct Enrol: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrol a customer's public key (obtained out of band) with the bank's state, bound to a number.",
            discussion: "Replies to the key go to this number only. Run it while no `secure listen` uses the same state."
        )

        @OptionGroup var keys: KeyOptions

        @Option(name: .long, help: "The customer's public key (64 hex digits).")
        var peer: String

        @Option(name: .long, help: "The customer's phone number: replies go there, never to a number a frame came from.")
        var number: String

        @Option(name: .long, help: "The bank's customer id for this key.")
        var customer: String?

        @Flag(name: .long, help: "Revoke the key instead of enrolling it.")
        var revoke = false

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        struct Result: Encodable {
            var public_key: String
            var fingerprint: String
            var number: String
            var customer_id: String?
            var revoked: Bool
        }

        func run() async throws { try await reportingFailures(execute) }

        private func execute() async throws {
            let peerKey = try PublicKey(hex: peer)
            let identity = try keys.identity()
            let file = try keys.stateFile(for: identity, role: .bank)
            var endpoint = SecureEndpoint(identity: identity, configuration: EndpointConfiguration(role: .bank))
            endpoint.load(try file.read(StateQuery(keys: [peerKey])))
            if revoke {
                endpoint.revoke(peer: peerKey)
            } else {
                endpoint.enrol(peerKey, number: number, customerID: customer)
            }
            try file.write(endpoint.changes())
            let result = Result(public_key: peerKey.hex, fingerprint: peerKey.fingerprint, number: number,
                                customer_id: customer, revoked: revoke)
            if json { try Output.json(result) } else {
                print("\(revoke ? "revoked" : "enrolled") \(peerKey.fingerprint) for \(customer ?? "-") at \(number)")
            }
        }
    }
}
