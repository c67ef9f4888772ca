/// What the webhook and Kannel endpoints need besides the core API: the outbox store, the box
/// that seals webhook secrets (the dispatcher opens them with the same key), and the Kannel settings.
public struct GatewayIntegrations: Sendable {
    public var webhookStore: any WebhookStore
    public var secretBox: SecretBox
    public var kannel: KannelSettings
    public init(webhookStore: any WebhookStore, secretBox: SecretBox, kannel: KannelSettings = .init()) {
        self.webhookStore = webhookStore; self.secretBox = secretBox; self.kannel = kannel
    }
}
