import ArgumentParser
import Foundation
import SecureSMS

/// `smskit bench secure` — SecureSMS overhead and segments against plain SMS, libsodium's sealed box and
/// TextSecure's 2014 SMS format, and seal/open operations per second. The bank's per-message latency by
/// number of peers (SQLite store against the whole-file store) is `SecureBench`'s (docs/benchmarks.md).
struct BenchSecureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secure",
        abstract: "Overhead bytes and segments per payload size, and seal/open operations per second."
    )

    @Option(parsing: .upToNextOption, help: "Payload sizes in bytes.") var payloads = SecureBenchmark.standardPayloads
    @Option(help: "Seal/open iterations per payload size.") var iterations = 20_000
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        let overhead: [SecureBenchmark.OverheadRow]
        let throughput: [SecureBenchmark.Throughput]
    }

    func run() throws {
        let table = SecureBenchmark.overheadTable(payloads: payloads)
        let speeds = try payloads.map { try SecureBenchmark.throughput(payloadBytes: $0, iterations: iterations) }
        if json { return try Output.json(Result(overhead: table, throughput: speeds)) }
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
    }
}
