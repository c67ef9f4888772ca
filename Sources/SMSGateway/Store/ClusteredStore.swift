import Foundation
import Logging

/// A ``GatewayStore`` shared by several gateway processes (PostgreSQL, ``PostgresStore``). Beside
/// the store contract it holds per-modem **leases**: a process sends through a modem only while it
/// holds that modem's lease, heartbeats its leases, and rescues the claims of processes whose
/// leases expired (docs/gateway.md, "Many hosts").
///
/// ``Gateway`` runs ``runCluster(sendBell:inboxBell:logger:)`` beside its workers when its store is
/// one of these, and calls ``releaseLeases(now:)`` after its workers stopped.
public protocol ClusteredStore: GatewayStore {
    /// This process's name in the cluster (`--node`), shown in leases.
    var node: String { get }
    /// How long a lease lives without a heartbeat.
    var leaseTimeout: Duration { get }
    /// Heartbeats this process's leases, rescues the claims of processes whose leases expired, and
    /// rings `sendBell`/`inboxBell` when another process announces work (`LISTEN/NOTIFY`). Runs
    /// until cancelled.
    func runCluster(sendBell: Doorbell, inboxBell: Doorbell, logger: Logger) async
    /// When a part last went out through `modem` on any host: a new lease holder waits out the
    /// modem's rate limit from there.
    func lastPartSent(modem: String) async throws -> Date?
    /// Gives up this process's leases (graceful shutdown, after the workers stopped): claims still
    /// open are rescued at once, so other hosts need not wait for the lease timeout.
    func releaseLeases(now: Date) async throws -> RecoverySummary
}
