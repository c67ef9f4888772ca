import Foundation

/// The outbox half of the store: webhooks, per-message callbacks and their deliveries.
///
/// A store that implements it writes outbox rows **in the same transaction** as the state change
/// that causes them (a message status change, an inbox message), so an event is never lost and
/// never exists without its cause. After a commit that added deliveries it rings ``OutboxBell/shared``.
/// ``SQLiteStore`` implements it; a store that does not cannot take webhooks or callbacks (the API
/// answers 501 and refuses `status_callback`/`dlr-url`).
public protocol WebhookStore: Sendable {
    /// Stores a webhook (or replaces one with the same id: Kannel services from the config).
    func upsertWebhook(_ webhook: NewWebhook, now: Date) async throws -> WebhookResource
    /// Live webhooks of kind `webhook`, oldest first.
    func webhooks() async throws -> [WebhookResource]
    /// One webhook of any kind (nil: none, or deleted).
    func webhook(id: String) async throws -> WebhookResource?
    /// The sealed secret of a webhook (nil: none).
    func sealedWebhookSecret(id: String) async throws -> [UInt8]?
    /// Deletes a webhook; its pending deliveries are dropped. False when none matched.
    func deleteWebhook(id: String, now: Date) async throws -> Bool
    /// Recent attempts of a webhook's deliveries, newest first.
    func webhookAttempts(webhookID: String, limit: Int) async throws -> [WebhookAttempt]
    /// Pending deliveries due by `now`: the first `perReceiver` (by due time) of each receiver not
    /// in `busy`, at most `limit` in all, oldest due first. Reading marks nothing: the dispatcher
    /// skips the ones it already has in flight.
    func dueDeliveries(now: Date, busy: Set<String>, perReceiver: Int, limit: Int) async throws -> [OutboxDelivery]
    /// Records an attempt and its outcome (delivered, retry at, gave up).
    func recordAttempt(_ result: DeliveryAttemptResult, now: Date) async throws
    /// The earliest time after `now` a pending delivery becomes due (nil: none). Rows already due
    /// are in flight or wait for a busy receiver; the dispatcher is rung when those finish.
    func nextDeliveryDue(after now: Date) async throws -> Date?
    /// Deletes finished deliveries and attempts older than `before`; returns how many deliveries went.
    func pruneOutbox(before: Date) async throws -> Int
}
