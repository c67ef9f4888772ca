import Foundation
import Yams

/// The gateway's YAML config file (`smskit gateway --config FILE`). Every key is optional; command
/// line options win over the file. See `docs/gateway.md` for a full sample.
///
/// ```yaml
/// listen: 127.0.0.1:8080
/// data_dir: /var/lib/smskit
/// durability: full            # full (fsync every commit) | normal
/// # database: postgres://smskit@db.internal/smskit   # many hosts on PostgreSQL (default: SQLite in data_dir)
/// # node: rack-a                # this process's name in the cluster (default: the host name)
/// # lease_timeout: 15           # seconds a modem lease lives without a heartbeat
/// # tls_cert: /etc/smskit/tls/cert.pem   # serve the API over HTTPS (both or neither)
/// # tls_key: /etc/smskit/tls/key.pem
/// # identity: /etc/smskit/bank.key        # SecureSMS bank identity: /v1/peers and secure messages (same key on every host)
/// # passphrase_file: /etc/smskit/bank.pass   # else $CREDENTIALS_DIRECTORY/smskit-passphrase or SMSKIT_PASSPHRASE
/// max_segments: 10
/// reassembly_timeout: 600     # seconds
/// retry: { base_delay: 2, max_delay: 300, max_attempts: 8 }
/// modems:
///   - port: /dev/ttyUSB2
///     pin: "1234"
///     number: "+41791234567"
///     rate_per_minute: 20
///     daily_cap: 1000
/// ```
public struct GatewayConfigFile: Sendable, Codable, Equatable {
    public struct ModemEntry: Sendable, Codable, Equatable {
        public var port: String
        public var pin: String?
        public var number: String?
        public var ratePerMinute: Int?
        public var dailyCap: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case port, pin, number
            case ratePerMinute = "rate_per_minute", dailyCap = "daily_cap"
        }
    }

    public struct Retry: Sendable, Codable, Equatable {
        public var baseDelay: Double?
        public var maxDelay: Double?
        public var maxAttempts: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case baseDelay = "base_delay", maxDelay = "max_delay", maxAttempts = "max_attempts"
        }
    }

    public var listen: String?
    public var dataDir: String?
    public var durability: SQLiteStore.Durability?
    public var maxSegments: Int?
    public var reassemblyTimeout: Double?
    public var retry: Retry?
    public var emulate: Int?
    public var modems: [ModemEntry]?
    /// Defaults for every modem not listed with its own limits.
    public var ratePerMinute: Int?
    public var dailyCap: Int?
    /// `postgres://…`: the shared PostgreSQL store (many hosts); absent: SQLite in `data_dir`.
    public var database: String?
    /// Seconds a graceful stop (SIGTERM) may take before work still in hand is cancelled.
    public var shutdownTimeout: Double?
    /// This process's name in the cluster (PostgreSQL only).
    public var node: String?
    /// Seconds a modem lease lives without a heartbeat (PostgreSQL only).
    public var leaseTimeout: Double?
    /// Kannel compatibility: sendsms users and inbound forwarding (``KannelSettings``).
    public var kannel: KannelSettings?
    /// Webhook delivery: timeouts, concurrency, backoff (``WebhookSettingsFile``).
    public var webhooks: WebhookSettingsFile?
    /// The API's TLS certificate chain (PEM); with ``tlsKey`` the API is served over HTTPS (``GatewayTLS``).
    public var tlsCert: String?
    /// The private key (PEM) of ``tlsCert``.
    public var tlsKey: String?
    /// Longest `wait` of `GET /v1/inbox`, in seconds (default 60); a longer one is shortened to it.
    public var maxLongPoll: Double?
    /// A SecureSMS key file (`smskit keys generate`): the bank identity of secure messaging (on PostgreSQL, the same on every host).
    public var identity: String?
    /// The file holding the identity's passphrase (mode 0600).
    public var passphraseFile: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listen, durability, retry, emulate, modems, database, node, kannel, webhooks
        case leaseTimeout = "lease_timeout", maxLongPoll = "max_long_poll", identity, passphraseFile = "passphrase_file"
        case tlsCert = "tls_cert", tlsKey = "tls_key"
        case dataDir = "data_dir", maxSegments = "max_segments", reassemblyTimeout = "reassembly_timeout"
        case ratePerMinute = "rate_per_minute", dailyCap = "daily_cap"
        case shutdownTimeout = "shutdown_timeout"
    }

    public init() {}

    /// The settings of the modem at `port`: its entry's PIN, number and limits when the file lists
    /// that port, the file's defaults otherwise (`pin` when the entry has none).
    public func modemSettings(port: String, pin: String? = nil) -> ModemSettings {
        let entry = modems?.first { $0.port == port }
        return ModemSettings(port: port, pin: entry?.pin ?? pin, number: entry?.number,
                             ratePerMinute: entry?.ratePerMinute ?? ratePerMinute, dailyCap: entry?.dailyCap ?? dailyCap)
    }

    /// Every modem to attach: the ports given on the command line, then the file's entries not among
    /// them, each with its entry's settings (a port on the command line keeps its PIN and limits).
    public func modemSettings(commandLinePorts ports: [String]) -> [ModemSettings] {
        ports.map { modemSettings(port: $0) }
            + (modems ?? []).filter { !ports.contains($0.port) }.map { modemSettings(port: $0.port) }
    }

    /// Reads and checks a config file.
    /// - Throws: ``GatewayError/configuration(_:)`` naming the file and what is wrong.
    public static func load(path: String) throws(GatewayError) -> GatewayConfigFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .configuration("cannot read config file \(path): \(error.localizedDescription)")
        }
        let file: GatewayConfigFile
        do { file = try YAMLDecoder().decode(GatewayConfigFile.self, from: text) } catch {
            throw .configuration("config file \(path) is not valid: \(Self.describe(error))")
        }
        try file.check(path: path)
        return file
    }

    /// Validates ranges and uniqueness.
    public func check(path: String = "config") throws(GatewayError) {
        if let listen { _ = try ListenAddress(parsing: listen) }
        if let maxSegments, !(1...255).contains(maxSegments) { throw .configuration("\(path): max_segments must be 1…255") }
        if let reassemblyTimeout, reassemblyTimeout <= 0 { throw .configuration("\(path): reassembly_timeout must be > 0 seconds") }
        if let shutdownTimeout, !(shutdownTimeout > 0 && shutdownTimeout <= 3600) {
            throw .configuration("\(path): shutdown_timeout must be > 0 and at most 3600 seconds")
        }
        if let emulate, !(0...1024).contains(emulate) { throw .configuration("\(path): emulate must be 0…1024") }
        if let database, !(database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")) {
            throw .configuration("\(path): database must be a postgres://USER@HOST[:PORT]/DATABASE URL")
        }
        if let maxLongPoll, !(maxLongPoll > 0 && maxLongPoll <= 3600) { throw .configuration("\(path): max_long_poll must be > 0 and at most 3600 seconds") }
        if let leaseTimeout, !(1...3600).contains(leaseTimeout) { throw .configuration("\(path): lease_timeout must be 1…3600 seconds") }
        if let r = retry {
            if let b = r.baseDelay, b <= 0 { throw .configuration("\(path): retry.base_delay must be > 0") }
            if let m = r.maxAttempts, m < 1 { throw .configuration("\(path): retry.max_attempts must be ≥ 1") }
        }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw .configuration("\(path): tls_cert and tls_key go together: give both, or neither for plain HTTP")
        }
        try kannel?.check(path: path)
        try webhooks?.check(path: path)
        var ports = Set<String>()
        for m in modems ?? [] {
            guard ports.insert(m.port).inserted else { throw .configuration("\(path): modem port \(m.port) is listed twice") }
            if let r = m.ratePerMinute, r < 1 { throw .configuration("\(path): rate_per_minute of \(m.port) must be ≥ 1") }
            if let c = m.dailyCap, c < 1 { throw .configuration("\(path): daily_cap of \(m.port) must be ≥ 1") }
            if let pin = m.pin, !(4...8).contains(pin.count) || !pin.allSatisfy(\.isNumber) {
                throw .configuration("\(path): the PIN of \(m.port) must be 4–8 digits")
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DecodingError {
            switch e {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
                return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
            case .keyNotFound(let k, let c):
                return "\((c.codingPath + [k]).map(\.stringValue).joined(separator: ".")) is missing"
            @unknown default: return "\(e)"
            }
        }
        return "\(error)"
    }
}

/// `HOST:PORT` for `--listen` (`127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:0`).
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(parsing text: String) throws(GatewayError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw .configuration("listen address \(text.debugDescription) must be HOST:PORT, e.g. 127.0.0.1:8080")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .configuration("listen address \(text.debugDescription) has no host") }
        self.host = host
        self.port = port
    }
}
