import Foundation
import SMSKitTestSupport
import Testing

/// A gateway whose PostgreSQL server went away still stops on SIGTERM, within its shutdown timeout plus
/// the commit grace, and exits 0 — it used to wait for a connection forever.
@Suite("Gateway on PostgreSQL: a bounded stop when the server is gone", .enabled(if: postgresTestURL != nil))
struct GatewayPostgresShutdownTests {
    @Test(.timeLimit(.minutes(2))) func sigtermExitsAfterThePostgreSQLServerIsGone() async throws {
        let dir = try TempDir("pg-gone")
        defer { dir.remove() }
        // A server of its own (the shared one must stay up for the other tests).
        let server = try ChildProcess([packageRoot.appendingPathComponent("scripts/pg-throwaway.sh").path],
                                      executable: "/bin/bash", stderr: .file(dir.path + "/pg.log"))
        defer { server.signal(SIGTERM) }
        var serverLines = server.lines.makeAsyncIterator()
        guard let url = await serverLines.next(), url.hasPrefix("postgres://") else {
            server.signal(SIGTERM)
            throw TestFailure("scripts/pg-throwaway.sh printed no URL")
        }
        let gateway = try ChildProcess(["gateway", "--database", url, "--data-dir", dir.path, "--emulate", "1",
                                    "--listen", "127.0.0.1:0", "--shutdown-timeout", "2"],
                                   stderr: .file(dir.path + "/gateway.log"))
        var lines = gateway.lines.makeAsyncIterator()
        let ready = await lines.next() ?? ""
        #expect(ready.contains("\"event\":\"ready\""), "\(ready)")
        // The server goes away (pg_ctl stop -m fast: every connection is terminated, nothing listens).
        server.signal(SIGTERM)
        _ = await server.waitForExit(killingAfter: .seconds(30))
        let start = ContinuousClock.now
        gateway.signal(SIGTERM)
        let status = await gateway.waitForExit(killingAfter: .seconds(60))
        let took = ContinuousClock.now - start
        #expect(status == 0, "exit status \(status); log in \(dir.path)/gateway.log")
        #expect(took < .seconds(20), "the stop took \(took) (shutdown timeout 2 s + commit grace 5 s)")
    }
}
