import Foundation

/// The outbox half of the store: webhooks, per-message callbacks and their deliveries.
///
/// A store that implements it writes outbox rows **in the same transaction** as the state change
/// that causes them (a message status change, an inbox message), so an event is never lost and
/// never exists without its cause. After a commit that added deliveries it rings ``OutboxBell/shared``.
/// ``SQLiteStore`` (one dispatcher per store: the data directory's lock) and ``PostgresStore`` (one
/// dispatcher per host, many hosts per database) implement it.
///
/// Delivery is at least once with a stable event id. A store shared by several hosts **claims** the
/// rows ``dueDeliveries(now:busy:perReceiver:limit:lease:)`` returns (`FOR UPDATE SKIP LOCKED` and a
/// lease on the database's clock), so no two hosts run one attempt at the same time and a host that
/// dies mid-attempt holds its rows only until the lease lapses.
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
    /// in `busy`, at most `limit` in all, oldest due first. A delivery is due only when every earlier
    /// pending delivery with its ordering key to the same receiver is finished.
    ///
    /// On a single-host store reading marks nothing (the dispatcher skips the ones it already has in
    /// flight). A shared store claims the rows it returns for `lease` — no other caller gets them
    /// until the attempt is recorded, the rows are released, or the lease lapses (a dead host) — so
    /// `lease` must exceed one attempt's deadline.
    func dueDeliveries(now: Date, busy: Set<String>, perReceiver: Int, limit: Int, lease: Duration) async throws -> [OutboxDelivery]
    /// Gives back claimed deliveries this caller will not attempt now (over its bounds, or cancelled
    /// by a shutdown), so any host may take them at once. A single-host store has nothing to release.
    func releaseDeliveries(_ ids: [Int64]) async throws
    /// Records an attempt and its outcome (delivered, retry at, gave up). On a shared store only
    /// the holder of the delivery's claim records it; a late record from a host whose lease lapsed
    /// (another host took the delivery) changes nothing.
    func recordAttempt(_ result: DeliveryAttemptResult, now: Date) async throws
    /// The earliest time after `now` a pending delivery becomes due (nil: none). Rows already due
    /// are in flight or wait for a busy receiver; the dispatcher is rung when those finish.
    func nextDeliveryDue(after now: Date) async throws -> Date?
    /// Deletes finished deliveries and attempts older than `before`; returns how many deliveries went.
    func pruneOutbox(before: Date) async throws -> Int
}

extension WebhookStore {
    /// The lease ``dueDeliveries(now:busy:perReceiver:limit:)`` takes: well above the dispatcher's
    /// default attempt deadline (10 s).
    public static var defaultDeliveryLease: Duration { .seconds(60) }

    /// ``dueDeliveries(now:busy:perReceiver:limit:lease:)`` with ``defaultDeliveryLease``.
    public func dueDeliveries(now: Date, busy: Set<String>, perReceiver: Int, limit: Int) async throws -> [OutboxDelivery] {
        try await dueDeliveries(now: now, busy: busy, perReceiver: perReceiver, limit: limit, lease: Self.defaultDeliveryLease)
    }
}
