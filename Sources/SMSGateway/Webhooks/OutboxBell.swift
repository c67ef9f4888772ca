/// Rung after every commit that added outbox deliveries, so the ``WebhookDispatcher`` wakes at once
/// instead of polling. One per process: a store rings it from its commit hook, where it has no
/// reference to a dispatcher; a spurious ring only costs the dispatcher one query.
public enum OutboxBell {
    public static let shared = Doorbell()
}
