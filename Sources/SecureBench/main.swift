// SecureBench — SecureSMS v2 figures for docs/benchmarks.md, in a target that needs only SecureSMS (a release
// build takes seconds, not the whole gateway). `smskit bench secure` prints the same figures.
//   swift build -c release --product SecureBench && .build/release/SecureBench [ITERATIONS] [PEERS...]
import Foundation
import SecureSMS

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
    print("\nbank, per message: receive + commit + ack (engine), then save the whole state (StateFile, fsync)")
    print("  peers   state bytes  engine p50 µs  engine p99 µs  total p50 µs  total p99 µs")
    for peers in peerCounts {
        let r = try SecureBenchmark.storeLatency(peers: peers, directory: directory)
        print(String(format: "%7d  %12d  %13.0f  %13.0f  %12.0f  %12.0f", r.peers, r.stateBytes, r.engineP50Micros,
                     r.engineP99Micros, r.totalP50Micros, r.totalP99Micros))
        fflush(nil)
    }
}
