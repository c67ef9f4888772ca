import ArgumentParser
import ATModem
import Foundation
import Hummingbird
import Logging
import ModemEmulator
import SMSGateway
import SecureSMS
import ServiceLifecycle

/// `smskit gateway`: the durable multi-modem SMS gateway with its HTTP API (docs/gateway.md).
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run the SMS gateway: a durable queue over many modems, with an HTTP API.",
        discussion: """
            Attach modems with --port (repeatable), or --emulate N for virtual modems (no hardware). When it is up it \
            prints one JSON line on stdout: {"event":"ready","url":...,"modems":[{"id","port","number"}]}; logs go to \
            stderr. Create an API token first: smskit gateway token create --data-dir DIR. See docs/gateway.md.
            """,
        subcommands: [GatewayRun.self, GatewayToken.self, GatewayPhone.self, GatewayCheckConfig.self,
                      GatewayBackup.self, GatewayRestore.self, GatewayOpenAPI.self],
        defaultSubcommand: GatewayRun.self
    )
}

/// Options shared by the commands that open the data directory.
struct DataDirOption: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The gateway's data directory (database, lock).")
    var dataDir: String?

    @Option(help: "Config file (YAML); command-line options win over it.")
    var config: String?

    @Option(help: "A shared PostgreSQL store for many gateway hosts: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (default: SQLite in --data-dir; a password may come from PGPASSWORD).")
    var database: String?

    func load() throws -> GatewayConfigFile {
        guard let config else { return GatewayConfigFile() }
        do { return try GatewayConfigFile.load(path: config) } catch { throw ValidationError(error.description) }
    }

    func directory(_ file: GatewayConfigFile) -> String { dataDir ?? file.dataDir ?? "./smskit-data" }

    func databaseURL(_ file: GatewayConfigFile) -> String? { database ?? file.database }
}

struct GatewayRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the gateway (the default).")

    @OptionGroup var data: DataDirOption

    @Option(help: "HTTP address, HOST:PORT (port 0 picks a free one).")
    var listen: String?

    @Option(name: .customLong("port"), help: "A modem's AT port (repeat for more modems).")
    var ports: [String] = []

    @Option(help: "Attach modems through udev and follow hot-plug: auto (every modem) or a USB serial/device id.")
    var device: String?

    @Option(help: "SIM PIN for modems attached with --device (or per modem in --config).")
    var pin: String?

    @Option(help: "Run N virtual modems in-process (numbers +15550001…) with virtual phones at +1999….")
    var emulate: Int?

    @Option(name: .customLong("emulate-first"), help: "Number of the first emulated modem (default 1: +15550001); give each gateway on one --database its own range.")
    var emulateFirst: Int = 1

    @Option(help: "Faults of the emulated network, e.g. loss=0.1,dup=0.05 (with --emulate).")
    var faults: String?

    @Option(help: "Seed of the emulated network's faults.")
    var seed: UInt64 = 0

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    @Option(name: .customLong("reassembly-timeout"), help: "How long an incomplete inbound message waits for its parts: seconds, or 10m (at most 7 days).",
            transform: TimeOption.parser("--reassembly-timeout"))
    var reassemblyTimeout: Duration?

    @Option(name: .customLong("retry-base"), help: "First retry delay (doubles per attempt): seconds, or 500ms (at most 1 h).",
            transform: TimeOption.parser("--retry-base"))
    var retryBase: Duration?

    @Option(help: "With --database: this process's name in the cluster, unique per running process (default: the host name).")
    var node: String?

    @Option(name: .customLong("lease-timeout"), help: "With --database: seconds a modem lease lives without a heartbeat (default 15).")
    var leaseTimeout: Double?

    @Option(name: .customLong("tls-cert"), help: "Serve the API over HTTPS with this PEM certificate chain (with --tls-key).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "A SecureSMS key file (smskit keys generate): the bank identity for /v1/peers and secure messages (on PostgreSQL every host needs the same key).")
    var identity: String?

    @Option(name: .customLong("passphrase-file"), help: "The --identity passphrase (mode 0600); else $CREDENTIALS_DIRECTORY/smskit-passphrase, else SMSKIT_PASSPHRASE.")
    var passphraseFile: String?

    @Flag(name: .customLong("allow-open-key-file"), help: "Load an --identity key file that others can read or write (refused by default).")
    var allowOpenKeyFile = false

    @Option(name: .customLong("shutdown-timeout"),
            help: "How long a graceful stop (SIGTERM) may take before work in hand is cancelled: seconds, or 1m (default 30 s).",
            transform: TimeOption.parser("--shutdown-timeout"))
    var shutdownTimeout: Duration?

    func validate() throws {
        if let emulate, !(1...1024).contains(emulate) { throw ValidationError("--emulate takes 1…1024") }
        if !(1...8999).contains(emulateFirst) || emulateFirst + (emulate ?? 1) > 10_000 {
            throw ValidationError("--emulate-first: the emulated modems' numbers must stay within +15550001…+15559999")
        }
        if let listen { do { _ = try ListenAddress(parsing: listen) } catch { throw ValidationError(error.description) } }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \(logLevel)") }
        if let reassemblyTimeout, reassemblyTimeout > .seconds(86_400 * 7) {
            throw ValidationError("--reassembly-timeout must be at most 7 days")
        }
        if let retryBase, retryBase > .seconds(3600) { throw ValidationError("--retry-base must be at most 3600 seconds") }
        if let shutdownTimeout, shutdownTimeout > .seconds(3600) { throw ValidationError("--shutdown-timeout must be at most 3600 seconds") }
        if let faults { do { _ = try Faults(parsing: faults) } catch { throw ValidationError(error.description) } }
        if let leaseTimeout, !(1...3600).contains(leaseTimeout) { throw ValidationError("--lease-timeout must be 1…3600 seconds") }
        if let node, node.isEmpty || node.count > 200 { throw ValidationError("--node must be 1…200 characters") }
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)  // a reader of stdout/stderr that went away ends our writes, not the gateway
        let file = try data.load()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "smskit.gateway")
        let dir = data.directory(file)
        let address = try ListenAddress(parsing: listen ?? file.listen ?? "127.0.0.1:8080")
        let tls: GatewayTLS?
        do { tls = try GatewayTLS.load(certificatePath: tlsCert ?? file.tlsCert, keyPath: tlsKey ?? file.tlsKey) } catch {
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
        if let path = data.config, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for key in GatewayConfigFile.unknownKeys(inYAML: text) {
                logger.warning("unknown key in the config file is ignored", metadata: ["file": "\(path)", "key": "\(key)"])
            }
        }
        let identityPath = identity ?? file.identity
        // The key is unlocked before anything opens, so a wrong passphrase stops the start at once.
        var bankIdentity: Identity?
        if let identityPath {
            do {
                try KeyFileCheck.verify(identityPath, allowOpenPermissions: allowOpenKeyFile)
                bankIdentity = try KeyStore.load(identityPath, passphrase: Passphrase.obtain(confirm: false, file: passphraseFile ?? file.passphraseFile))
            } catch {
                Output.error("error: --identity \(identityPath): \(error)")
                throw ExitCode.failure
            }
        }
        let hangUp = SIGHUPNotice(logger: logger)
        defer { hangUp.cancel() }
        let store: any GatewayStore & WebhookStore
        var lock: DataDirectory?
        var postgres: PostgresStore?
        if let url = data.databaseURL(file) {
            let options = PostgresStore.Options(node: node ?? file.node ?? PostgresStore.defaultNode,
                                                leaseTimeout: .milliseconds(Int64((leaseTimeout ?? file.leaseTimeout ?? 15) * 1000)))
            do { postgres = try await PostgresStore.open(url: url, options: options, logger: logger) } catch {
                Output.error("error: \(error)")
                throw ExitCode.failure
            }
            store = postgres!
        } else {
            do { lock = try DataDirectory.open(dir) } catch {
                Output.error("error: \(error)")
                throw ExitCode.failure
            }
            store = try SQLiteStore(path: lock!.databasePath, durability: file.durability ?? .full)
        }
        defer { lock?.release() }
        let sendBell = Doorbell()
        let inboxBell = Doorbell()
        var secure: (any SecureMessagingService)?
        if let bankIdentity, let postgres {
            // Every host serves the secure API; one at a time runs the engine (docs/gateway.md, "Many hosts").
            secure = ClusteredSecureMessaging(identity: bankIdentity, store: postgres, sendBell: sendBell, inboxBell: inboxBell,
                                              logger: logger)
            logger.notice("secure messaging on (cluster)", metadata: ["fingerprint": "\(bankIdentity.publicKey.fingerprint)"])
        } else if let bankIdentity, let sqlite = store as? SQLiteStore {
            do {
                let state = try SecureStateStoreFactory.make(store: sqlite, identity: bankIdentity)
                secure = try await SecureMessaging(identity: bankIdentity, stateStore: state, store: sqlite, sendBell: sendBell,
                                             inboxBell: inboxBell, logger: logger)
            } catch {
                Output.error("error: secure messaging: \(error)")
                throw ExitCode.failure
            }
            logger.notice("secure messaging on", metadata: ["fingerprint": "\(bankIdentity.publicKey.fingerprint)"])
        }

        var modems = file.modemSettings(commandLinePorts: ports)
        var emulated: EmulatedModems?
        if let count = emulate ?? file.emulate, count > 0 {
            let e = try await EmulatedModems.start(count: count, first: emulateFirst, faults: try faults.map { try Faults(parsing: $0) } ?? Faults(), seed: seed)
            emulated = e
            modems += e.modems.map { ModemSettings(port: $0.port, number: $0.number, ratePerMinute: file.ratePerMinute,
                                                   dailyCap: file.dailyCap) }
        }
        let hotPlug = device.map {
            HotPlugAttacher(selector: $0, template: ModemSettings(port: "", pin: pin, ratePerMinute: file.ratePerMinute,
                                                                  dailyCap: file.dailyCap))
        }
        guard !modems.isEmpty || hotPlug != nil else {
            Output.error("error: no modems: pass --port PATH (repeatable), --device auto|SERIAL, --emulate N, or list modems in --config")
            throw ExitCode.validationFailure
        }
        var retry = RetryPolicy()
        if let b = try retryBase ?? file.retry?.baseDelay.map({ try SafeDuration.seconds($0, option: "retry.base_delay") }) {
            retry.baseDelay = b
        }
        if let m = file.retry?.maxDelay { retry.maxDelay = try SafeDuration.seconds(m, option: "retry.max_delay") }
        if let a = file.retry?.maxAttempts { retry.maxAttempts = a }
        let timeout = try reassemblyTimeout
            ?? file.reassemblyTimeout.map { try SafeDuration.seconds($0, option: "reassembly_timeout") } ?? .seconds(600)
        let gateway = Gateway(settings: .init(modems: modems, retry: retry, reassemblyTimeout: timeout),
                              store: store, phones: emulated, hotPlug: hotPlug, secure: secure, sendBell: sendBell,
                              inboxBell: inboxBell, logger: logger)
        var api = APIConfiguration(limits: .init(maxSegments: file.maxSegments ?? 10))
        if let poll = file.maxLongPoll { api.maxLongPoll = try SafeDuration.seconds(poll, option: "max_long_poll") }
        // This gateway's own registry (GET /metrics); transitions committed from now on are counted.
        let metrics = GatewayMetrics()
        await metrics.startCounting(from: store)
        // Webhooks, status callbacks and the Kannel interface work on both stores. On PostgreSQL
        // every host needs the same webhook.key (the secrets in the shared database are sealed with it).
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: gateway)]
        let box: SecretBox
        if postgres != nil {  // the data directory holds only webhook.key then
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        do { box = try SecretBox.loadOrCreate(path: (dir as NSString).appendingPathComponent("webhook.key")) } catch {
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
        let kannel = file.kannel ?? KannelSettings()
        do {
            try await WebhookDispatcher.ensureCallbackKey(store: store, box: box)
            try await WebhookDispatcher.configureKannelServices(kannel, store: store, box: box)
        } catch {
            Output.error("error: \(error)")
            await postgres?.close()
            throw ExitCode.failure
        }
        services.append(.init(service: WebhookDispatcher(store: store, secretBox: box,
                                                        settings: (file.webhooks ?? WebhookSettingsFile()).dispatcher,
                                                        logger: logger, metrics: metrics)))
        let integrations = GatewayIntegrations(webhookStore: store, secretBox: box, kannel: kannel)
        let router = makeGatewayRouter(store: store, runtime: gateway, configuration: api, logger: logger,
                                       integrations: integrations, metrics: metrics, secure: secure)
        let scheme = tls == nil ? "http" : "https"
        let app = Application(
            router: router,
            server: try GatewayTLS.serverBuilder(tls),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "smskit"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                Task { await announceReady(gateway: gateway, scheme: scheme, host: address.host, port: port) }
            },
            logger: logger)
        var lifecycle = ServiceGroupConfiguration(services: services + [.init(service: app)],
                                                  gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // A graceful stop finishes the work in hand, but not forever: with the store gone (PostgreSQL
        // down) a commit would wait for a connection indefinitely. Past the timeout the services are
        // cancelled; a commit in flight then gets PostgresStore.commitGrace more before it is abandoned
        // (what it wrote is either committed or rolled back by the server, as after a crash).
        lifecycle.maximumGracefulShutdownDuration = try shutdownTimeout
            ?? file.shutdownTimeout.map { try SafeDuration.seconds($0, option: "shutdown_timeout") } ?? .seconds(30)
        let group = ServiceGroup(configuration: lifecycle)
        do { try await group.run() } catch {
            await emulated?.shutdown()
            await postgres?.close()
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
        await emulated?.shutdown()
        await postgres?.close()
    }
}

/// The ready line, once the HTTP server listens and every modem is up (or after 60 s with those that are).
private func announceReady(gateway: Gateway, scheme: String, host: String, port: Int) async {
    let deadline = ContinuousClock.now + .seconds(60)
    while !(await gateway.allReady()), ContinuousClock.now < deadline {
        try? await Task.sleep(for: .milliseconds(50))
    }
    struct ModemLine: Encodable { var id: String; var port: String; var number: String? }
    struct Ready: Encodable { var event = "ready"; var url: String; var modems: [ModemLine] }
    let shownHost = host.contains(":") ? "[\(host)]" : host
    let modems = await gateway.modems().map { ModemLine(id: $0.id, port: $0.port, number: $0.number) }
    try? Output.json(Ready(url: "\(scheme)://\(shownHost):\(port)", modems: modems))
}

struct GatewayToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke API tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a bearer token; it is printed once, only its digest is stored.")
        @OptionGroup var data: DataDirOption
        @Option(help: "A unique name for the token.") var name: String = "default"
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let store = try await openStore(data)
            let secret = TokenDigest.generate()
            let record: TokenRecord
            do { record = try await store.createToken(name: name, digest: TokenDigest.digest(secret), now: Date()) } catch {
                await store.close()
                Output.error("error: \(error)")
                throw ExitCode.failure
            }
            await store.close()
            struct Line: Encodable { var id: String; var name: String; var token: String }
            if json { try Output.json(Line(id: record.id, name: record.name, token: secret)) } else {
                print(secret)
                Output.error("token \(record.name) (\(record.id)) created; it is shown only now — keep it safe")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (names and ids, never secrets).")
        @OptionGroup var data: DataDirOption
        @Flag(help: "JSON output.") var json = false
        func run() async throws {
            let store = try await openStore(data)
            let tokens = try await store.tokens()
            await store.close()
            if json { try Output.json(tokens) } else {
                for t in tokens { print("\(t.id)  \(t.name)  \(ISO8601DateFormatter().string(from: t.createdAt))") }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by name or id.")
        @OptionGroup var data: DataDirOption
        @Argument(help: "Token name or id.") var token: String
        func run() async throws {
            let store = try await openStore(data)
            let revoked = try await store.revokeToken(token, now: Date())
            await store.close()
            guard revoked else {
                Output.error("error: no token named or with id \(token.debugDescription)")
                throw ExitCode.failure
            }
            Output.error("revoked \(token)")
        }
    }
}

/// The store a token command works on: PostgreSQL with `--database` (shared by every host), else
/// the data directory's SQLite file.
private func openStore(_ data: DataDirOption) async throws -> TokenStore {
    let file = try data.load()
    do {
        if let url = data.databaseURL(file) {
            var logger = Logger(label: "smskit.gateway.token")
            logger.logLevel = .error
            return TokenStore(store: try await PostgresStore.open(url: url, options: .init(joinCluster: false), logger: logger))
        }
        let dir = data.directory(file)
        try DataDirectory.create(dir)
        return TokenStore(store: try SQLiteStore(path: DataDirectory.databasePath(in: dir), durability: file.durability ?? .full))
    } catch {
        Output.error("error: \(error)")
        throw ExitCode.failure
    }
}

/// A store opened for one token command.
private struct TokenStore: Sendable {
    let store: any GatewayStore
    func createToken(name: String, digest: [UInt8], now: Date) async throws -> TokenRecord {
        try await store.createToken(name: name, digest: digest, now: now)
    }
    func tokens() async throws -> [TokenRecord] { try await store.tokens() }
    func revokeToken(_ nameOrID: String, now: Date) async throws -> Bool { try await store.revokeToken(nameOrID, now: now) }
    func close() async { await (store as? PostgresStore)?.close() }
}

struct GatewayCheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Check a config file (and the TLS files it names) and exit.")
    @Argument(help: "The config file.") var file: String
    func run() async throws {
        do {
            let config = try GatewayConfigFile.load(path: file)
            let unknown = GatewayConfigFile.unknownKeys(inYAML: (try? String(contentsOfFile: file, encoding: .utf8)) ?? "")
            guard unknown.isEmpty else {
                throw GatewayError.configuration("\(file): unknown keys \(unknown.joined(separator: ", ")) "
                    + "(a typo? every key is in deploy/gateway.yaml and docs/gateway.md)")
            }
            _ = try GatewayTLS.load(certificatePath: config.tlsCert, keyPath: config.tlsKey)
        } catch {
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
        print("\(file): ok")
    }
}

struct GatewayPhone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phone", abstract: "Virtual phones of a gateway running with --emulate.", subcommands: [Send.self])

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A virtual phone sends an SMS to one of the gateway's modems.")
        @Option(help: "The gateway's URL.") var url: String = "http://127.0.0.1:8080"
        @Option(help: "API token (or SMSKIT_TOKEN).") var token: String?
        @Option(help: "The phone's number (+1999…).") var from: String = "+19990001"
        @Option(help: "The gateway modem's number.") var to: String = "+15550001"
        @Option(help: "The text.") var text: String

        func run() async throws {
            guard let token = token ?? ProcessInfo.processInfo.environment["SMSKIT_TOKEN"] else {
                throw ValidationError("give --token or set SMSKIT_TOKEN")
            }
            let body = try JSONEncoder().encode(["from": from, "to": to, "text": text])
            let (status, reply) = try await HTTPCall.post(url + "/v1/emulator/phones/send", token: token, body: body)
            guard (200..<300).contains(status) else {
                Output.error("error: HTTP \(status): \(String(decoding: reply, as: UTF8.self))")
                throw ExitCode.failure
            }
            print(String(decoding: reply, as: UTF8.self))
        }
    }
}
