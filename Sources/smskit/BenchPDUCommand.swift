import ArgumentParser
import Foundation
import SMSPDU

/// `smskit bench pdu` — decode and encode throughput over a fixed PDU corpus.
struct BenchPDUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pdu",
        abstract: "PDUs per second: decode (bytes → values, text included) and encode over a corpus.",
        discussion: "The corpus has one PDU per line in hex with the SMSC field. Hex is converted once, before timing, as the Gammu peer harness does (scripts/bench-pdu.sh)."
    )

    @Option(help: "Corpus file: one hex PDU per line.") var corpus = "Benchmarks/pdu-corpus.txt"
    @Option(help: "Passes over the corpus.") var iterations = 2_000
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        let pdus: Int
        let iterations: Int
        let decode_seconds: Double
        let decode_pdus_per_second: Double
        let decode_ns_per_pdu: Double
        let encode_seconds: Double
        let encode_pdus_per_second: Double
        let encode_ns_per_pdu: Double
        let checksum: Int
    }

    func run() throws {
        guard let text = try? String(contentsOfFile: corpus, encoding: .utf8) else {
            throw ValidationError("cannot read corpus \(corpus)")
        }
        let inputs = try text.split(whereSeparator: \.isNewline).filter { !$0.isEmpty }.map { try Hex.decode(String($0)) }
        let decoded = try inputs.map { try PDU(bytes: $0) }
        guard !inputs.isEmpty, iterations > 0 else { throw ValidationError("empty corpus or no iterations") }

        let clock = ContinuousClock()
        var checksum = 0
        let decodeTime = clock.measure {
            for _ in 0..<iterations {
                for bytes in inputs {
                    if let pdu = try? PDU(bytes: bytes) { checksum &+= pdu.tpdu.userData?.text?.utf8.count ?? 1 }
                }
            }
        }
        let encodeTime = clock.measure {
            for _ in 0..<iterations {
                for pdu in decoded {
                    if let out = try? pdu.encode(includeSMSC: true) { checksum &+= out.tpduLength }
                }
            }
        }
        let total = Double(inputs.count * iterations)
        let d = decodeTime.seconds, e = encodeTime.seconds
        let result = Result(pdus: inputs.count, iterations: iterations,
                            decode_seconds: d, decode_pdus_per_second: (total / d).rounded(), decode_ns_per_pdu: d * 1e9 / total,
                            encode_seconds: e, encode_pdus_per_second: (total / e).rounded(), encode_ns_per_pdu: e * 1e9 / total,
                            checksum: checksum)
        if json { try Output.json(result) } else {
            print("corpus \(result.pdus) PDUs x \(iterations) passes")
            print("decode: \(Int(result.decode_pdus_per_second)) PDUs/s (\(String(format: "%.0f", result.decode_ns_per_pdu)) ns/PDU)")
            print("encode: \(Int(result.encode_pdus_per_second)) PDUs/s (\(String(format: "%.0f", result.encode_ns_per_pdu)) ns/PDU)")
        }
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
