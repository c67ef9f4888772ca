import ArgumentParser
import Foundation
import Logging
import SMSGateway

/// `smskit bench claims` — the PostgreSQL store's claim path under contention: H processes' worth
/// of stores (each its own connection pool and lease holder) with W send workers each take M
/// queued messages through claim → sending → sent → done, on one fresh schema.
struct BenchClaimsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "Claim latency (p50/p99) and store-level throughput of the PostgreSQL store under contention.",
        discussion: "Used by scripts/bench-postgres.sh. Creates (and leaves) a schema bench_claims_<random> in the database.")

    @Option(help: "PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE).") var database: String
    @Option(help: "Stores (hosts) on the schema.") var hosts = 3
    @Option(help: "Send workers (modems) per host.") var workers = 4
    @Option(help: "Messages to accept, then claim.") var messages = 3000
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        let hosts: Int
        let workers_per_host: Int
        let messages: Int
        let accept_per_s: Double
        let claimed: Int
        let sent_per_s: Double
        let claim_p50_ms: Double
        let claim_p99_ms: Double
        let claim_max_ms: Double
        let empty_claims: Int
    }

    func validate() throws {
        guard (1...16).contains(hosts), (1...64).contains(workers), (1...200_000).contains(messages) else {
            throw ValidationError("--hosts 1…16, --workers 1…64, --messages 1…200000")
        }
    }

    func run() async throws {
        var logger = Logger(label: "smskit.bench.claims")
        logger.logLevel = .error
        let schema = "bench_claims_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        var stores: [PostgresStore] = []
        for h in 0..<hosts {
            stores.append(try await PostgresStore.open(url: database, options: .init(node: "\(schema)-\(h)", maxConnections: workers + 4,
                                                                                     schema: schema), logger: logger))
        }
        let clock = ContinuousClock()
        let count = messages
        let acceptTime = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let per = (count + 63) / 64
                for c in 0..<64 where c * per < count {
                    let store = stores[c % stores.count]
                    group.addTask {
                        for i in (c * per)..<min(count, (c + 1) * per) {
                            let request = SendMessageRequest(to: "+1999" + String(format: "%07d", i), text: "bench \(i)")
                            _ = try await store.accept(try request.validate(limits: .init()), idempotency: nil, now: Date())
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let workers = self.workers
        let start = clock.now
        let outcomes = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for (h, store) in stores.enumerated() {
                for w in 0..<workers {
                    let modem = ModemClaim(id: "bench-\(h)-\(w)", number: nil)
                    group.addTask {
                        var latencies: [Double] = []
                        var empty = 0
                        var emptyInARow = 0
                        while true {
                            let t0 = clock.now
                            let claimed = try await store.claim(modem: modem, now: Date())
                            let d = (clock.now - t0).components
                            guard let c = claimed else {
                                empty += 1
                                emptyInARow += 1
                                if emptyInARow > 3 { break }
                                continue
                            }
                            emptyInARow = 0
                            latencies.append(Double(d.seconds) * 1e3 + Double(d.attoseconds) / 1e15)
                            try await store.partSending(messageID: c.id, seq: 1, modem: modem.id, now: Date())
                            try await store.partSent(messageID: c.id, seq: 1, reference: latencies.count & 0xFF, now: Date())
                            _ = try await store.finishAttempt(messageID: c.id, outcome: .done, now: Date())
                        }
                        return (latencies, empty)
                    }
                }
            }
            return try await group.reduce(into: ([Double](), 0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        let elapsed = (clock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        let acceptSeconds = Double(acceptTime.components.seconds) + Double(acceptTime.components.attoseconds) / 1e18
        let sorted = outcomes.0.sorted()
        func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        let result = Result(hosts: hosts, workers_per_host: workers, messages: count, accept_per_s: Double(count) / acceptSeconds,
                            claimed: sorted.count, sent_per_s: Double(sorted.count) / seconds, claim_p50_ms: pct(0.5),
                            claim_p99_ms: pct(0.99), claim_max_ms: sorted.last ?? 0, empty_claims: outcomes.1)
        for s in stores { await s.close() }
        if json {
            let data = try JSONEncoder().encode(result)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(hosts) hosts × \(workers) workers, \(count) messages: accept \(Int(result.accept_per_s))/s; "
                  + "claimed \(result.claimed) at \(Int(result.sent_per_s))/s; claim p50 \(String(format: "%.2f", result.claim_p50_ms)) ms, "
                  + "p99 \(String(format: "%.2f", result.claim_p99_ms)) ms")
        }
        guard result.claimed == count else { throw ValidationError("claimed \(result.claimed) of \(count) messages") }
    }
}
