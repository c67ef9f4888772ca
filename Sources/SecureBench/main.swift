// SecureBench — SecureSMS v2 figures for docs/benchmarks.md, in a target that needs only SecureSMS (a release
// build takes seconds, not the whole gateway). `smskit bench secure` prints the same figures.
//   swift build -c release --product SecureBench && .build/release/SecureBench [ITERATIONS] [PEERS...]
import Foundation
import GRDB
import SecureSMS
import SecureStateSQLite

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let iterations = arguments.first ?? 100_000
let peerCounts = Array(arguments.dropFirst())
print("seal/open per second, best of 3 alternating rounds, \(iterations) messages each")
print("payload   v2 seal   v2 open   v1 seal   v1 open  SIV seal  SIV open   CP seal   CP open  CP/SIV seal  CP/SIV open")
for size in [20, 113, 500] {
    let s = try SecureBenchmark.throughput(payloadBytes: size, iterations: iterations)
    print(String(format: "%7d  %8.0f  %8.0f  %8.0f  %8.0f  %8.0f  %8.0f  %8.0f  %8.0f  %10.2fx  %10.2fx", s.payloadBytes,
                 s.sealPerSecond, s.openPerSecond, s.v1SealPerSecond, s.v1OpenPerSecond, s.sivSealPerSecond, s.sivOpenPerSecond,
                 s.chachaPolySealPerSecond, s.chachaPolyOpenPerSecond, s.chachaPolySealPerSecond / s.sivSealPerSecond,
                 s.chachaPolyOpenPerSecond / s.sivOpenPerSecond))
    fflush(nil)  // figures survive a timeout
}
if !peerCounts.isEmpty {
    let directory = NSTemporaryDirectory() + "securebench-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    print("\nbank, per message: receive step + commit step + ack step (3 transactions), 1,000 messages from random active peers")
    print("store                     peers   active  set-up s  p50 µs  p99 µs  max µs  msg/s  store bytes")
    func report(_ name: String, _ r: SecureBenchmark.StoreLatency, bytes: Int) {
        let label = name.padding(toLength: 24, withPad: " ", startingAt: 0)
        print(String(format: "%@ %7d  %7d  %8.1f  %6.0f  %6.0f  %6.0f  %5.0f  %11d", label, r.peers, r.active, r.setupSeconds,
                     r.p50Micros, r.p99Micros, r.maxMicros, r.perSecond, bytes))
        fflush(nil)  // figures survive a timeout
    }
    func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
    let bank = try Identity.generate()
    for peers in peerCounts {
        for synchronous in ["FULL", "NORMAL"] {
            let path = directory + "/bank-\(peers)-\(synchronous).sqlite"
            let pool = try DatabasePool(path: path)
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = \(synchronous)") }
            try SQLiteSecureStateStore.prepare(pool)
            let store = try SQLiteSecureStateStore(writer: pool, identity: bank)
            let r = try await SecureBenchmark.storeLatency(store: store, bank: bank, peers: peers, active: min(peers, 1_000))
            report("SQLite WAL sync=\(synchronous)", r, bytes: size(path) + size(path + "-wal"))
            try? FileManager.default.removeItem(atPath: path)
        }
        if peers <= 1_000 {
            let path = directory + "/bank-\(peers).state"
            let file = try StateFile(path: path, identity: bank)
            let r = try await SecureBenchmark.storeLatency(store: file, bank: bank, peers: peers, active: min(peers, 1_000))
            report("whole file (StateFile)", r, bytes: size(path))
        }
    }
}
