import ArgumentParser
import Foundation
import SecureSMS

/// `smskit bench secure` — SecureSMS overhead and segments against plain SMS, libsodium's sealed box and
/// TextSecure's 2014 SMS format, and seal/open operations per second.
struct BenchSecureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secure",
        abstract: "Overhead bytes and segments per payload size, and seal/open operations per second."
    )

    @Option(parsing: .upToNextOption, help: "Payload sizes in bytes.") var payloads = SecureBenchmark.standardPayloads
    @Option(help: "Seal/open iterations per payload size.") var iterations = 20_000
    @Option(parsing: .upToNextOption, help: "Peer counts for the per-message store latency (bank side); empty to skip.")
    var storePeers: [Int] = []
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        let overhead: [SecureBenchmark.OverheadRow]
        let throughput: [SecureBenchmark.Throughput]
        let store: [SecureBenchmark.StoreLatency]
    }

    func run() throws {
        let table = SecureBenchmark.overheadTable(payloads: payloads)
        let speeds = try payloads.map { try SecureBenchmark.throughput(payloadBytes: $0, iterations: iterations) }
        let directory = NSTemporaryDirectory() + "smskit-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try storePeers.map { try SecureBenchmark.storeLatency(peers: $0, directory: directory) }
        if json { return try Output.json(Result(overhead: table, throughput: speeds, store: store)) }
        print("payload  scheme                      SMS  overhead  on-air")
        for row in table {
            let scheme = row.scheme.padding(toLength: 26, withPad: " ", startingAt: 0)
            print(String(format: "%7d  %@  %3d  %8d  %6d", row.payloadBytes, scheme, row.segments, row.overheadBytes, row.wireBytes))
        }
        print("\nper second (best of 3 alternating rounds)  v2 = chain step + SIV + frame; v1 = chain step + ChaCha20-Poly1305 + frame")
        print("payload   v2 seal   v2 open   v1 seal   v1 open  SIV seal  SIV open   CP seal   CP open  CP/SIV seal  CP/SIV open")
        for s in speeds {
            print(String(format: "%7d  %8.0f  %8.0f  %8.0f  %8.0f  %8.0f  %8.0f  %8.0f  %8.0f  %10.2fx  %10.2fx", s.payloadBytes,
                         s.sealPerSecond, s.openPerSecond, s.v1SealPerSecond, s.v1OpenPerSecond, s.sivSealPerSecond,
                         s.sivOpenPerSecond, s.chachaPolySealPerSecond, s.chachaPolyOpenPerSecond,
                         s.chachaPolySealPerSecond / max(s.sivSealPerSecond, 1), s.chachaPolyOpenPerSecond / max(s.sivOpenPerSecond, 1)))
        }
        if !store.isEmpty {
            print("\nbank, per message: receive + commit + ack (engine), then save the whole state (StateFile, fsync)")
            print("  peers   state bytes  engine p50 µs  engine p99 µs  total p50 µs  total p99 µs")
            for r in store {
                print(String(format: "%7d  %12d  %13.0f  %13.0f  %12.0f  %12.0f", r.peers, r.stateBytes, r.engineP50Micros,
                             r.engineP99Micros, r.totalP50Micros, r.totalP99Micros))
            }
        }
    }
}
