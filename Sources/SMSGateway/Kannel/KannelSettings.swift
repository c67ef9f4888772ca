import Foundation

/// Kannel compatibility settings (`kannel:` in the config file).
///
/// ```yaml
/// kannel:
///   users:                       # optional sendsms-users besides API tokens
///     - { username: playsms, password: "s3cret" }
///   services:                    # inbound forwarding, as Kannel's sms-service
///     - { name: default, get_url: "http://app.example/mo?from=%p&to=%P&text=%a" }
///     - { name: archive, post_url: "http://archive.example/mo" }
/// ```
public struct KannelSettings: Sendable, Codable, Equatable {
    /// A configured sendsms-user (the password is compared in constant time).
    public struct User: Sendable, Codable, Equatable {
        public var username: String
        public var password: String
        enum CodingKeys: String, CodingKey, CaseIterable { case username, password }
        public init(username: String, password: String) { self.username = username; self.password = password }
    }

    /// An sms-service that forwards every inbound message.
    public struct Service: Sendable, Codable, Equatable {
        public var name: String
        public var getURL: String?
        public var postURL: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, getURL = "get_url", postURL = "post_url" }
        public init(name: String, getURL: String? = nil, postURL: String? = nil) {
            self.name = name; self.getURL = getURL; self.postURL = postURL
        }
    }

    public var users: [User]?
    public var services: [Service]?
    enum CodingKeys: String, CodingKey, CaseIterable { case users, services }

    public init(users: [User]? = nil, services: [Service]? = nil) { self.users = users; self.services = services }

    /// Checks names and URLs.
    public func check(path: String = "config") throws(GatewayError) {
        var names = Set<String>()
        for s in services ?? [] {
            guard !s.name.isEmpty, names.insert(s.name).inserted else {
                throw .configuration("\(path): kannel.services need unique, non-empty names (\(s.name.debugDescription))")
            }
            guard (s.getURL == nil) != (s.postURL == nil), let url = s.getURL ?? s.postURL else {
                throw .configuration("\(path): kannel service \(s.name) needs exactly one of get_url and post_url")
            }
            do { _ = try KannelSendSMS.validatePattern(url, field: "get_url") } catch {
                throw .configuration("\(path): kannel service \(s.name): \(error.description)")
            }
        }
        for u in users ?? [] where u.username.isEmpty || u.password.count < 8 {
            throw .configuration("\(path): kannel user \(u.username.debugDescription) needs a name and a password of at least 8 characters")
        }
    }

    /// The outbox id of a service's row.
    static func webhookID(_ service: Service) -> String { "kannel:" + service.name }
}

/// Webhook delivery settings (`webhooks:` in the config file).
///
/// ```yaml
/// webhooks:
///   timeout: 10          # seconds per attempt
///   per_receiver: 4      # deliveries in flight to one receiver
///   backoff_base: 1      # seconds after the first failure, doubling
///   backoff_cap: 3600    # longest wait between attempts
///   give_up_after: 259200   # seconds since the event (3 days)
/// ```
public struct WebhookSettingsFile: Sendable, Codable, Equatable {
    public var timeout: Double?
    public var perReceiver: Int?
    public var backoffBase: Double?
    public var backoffCap: Double?
    public var giveUpAfter: Double?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case timeout, perReceiver = "per_receiver", backoffBase = "backoff_base", backoffCap = "backoff_cap",
             giveUpAfter = "give_up_after"
    }
    public init() {}

    public func check(path: String = "config") throws(GatewayError) {
        if let t = timeout, !(0.1...300).contains(t) { throw .configuration("\(path): webhooks.timeout must be 0.1…300 seconds") }
        if let p = perReceiver, !(1...64).contains(p) { throw .configuration("\(path): webhooks.per_receiver must be 1…64") }
        if let b = backoffBase, b <= 0 { throw .configuration("\(path): webhooks.backoff_base must be > 0") }
        if let c = backoffCap, c <= 0 { throw .configuration("\(path): webhooks.backoff_cap must be > 0") }
        if let g = giveUpAfter, g <= 0 { throw .configuration("\(path): webhooks.give_up_after must be > 0") }
    }

    /// The dispatcher settings these values give.
    public var dispatcher: WebhookDispatcher.Settings {
        let defaults = WebhookBackoff()
        return WebhookDispatcher.Settings(
            backoff: WebhookBackoff(base: backoffBase ?? defaults.base, cap: backoffCap ?? defaults.cap,
                                    giveUpAfter: giveUpAfter ?? defaults.giveUpAfter),
            timeout: .milliseconds(Int64((timeout ?? 10) * 1000)), perReceiver: perReceiver ?? 4)
    }
}
