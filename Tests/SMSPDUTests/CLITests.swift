import Foundation
import Testing
import SMSKitTestSupport
@testable import SMSPDU

/// Runs the real `smskit` binary (built by `swift build`, next to the test products) on every vector.
@Suite struct CLITests {
    static let binary: URL? = {
        let candidates = [".build/debug/smskit", ".build/release/smskit"].map {
            Fixtures.packageRoot.appendingPathComponent($0)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Skips a test, saying why, when the binary has not been built.
    static let needsBinary = Testing.ConditionTrait.enabled(if: binary != nil, "smskit binary missing: run `swift build --product smskit` first")

    static func run(_ arguments: [String]) async throws -> (status: Int32, stdout: Data, stderr: Data) {
        guard let binary else { return (-1, Data(), Data()) }
        let r = try await runProcess(binary.path, arguments)
        return (r.status, Data(r.stdoutBytes), Data(r.stderr.utf8))
    }

    @Test(CLITests.needsBinary)
    func decodeJSONOnEveryVector() async throws {
        for v in Fixtures.vectors {
            let (status, out, err) = try await CLITests.run(["pdu", "decode", "--json", v.pdu])
            if v.isInvalid {
                #expect(status != 0, "\(v.id) should fail")
                #expect(out.isEmpty, "\(v.id) printed to stdout")
                let message = String(decoding: err, as: UTF8.self)
                #expect(message.hasPrefix("error: ") && message.filter { $0 == "\n" }.count == 1, "\(v.id): \(message)")
                continue
            }
            #expect(status == 0, "\(v.id): \(String(decoding: err, as: UTF8.self))")
            let got = try JSONDecoder().decode([String: JSONValue].self, from: out)
            let problems = mismatches(v.expect, got)
            #expect(problems.isEmpty, "\(v.id): \(problems)")
        }
    }

    @Test(CLITests.needsBinary)
    func encodeThenDecode() async throws {
        let (status, out, _) = try await CLITests.run(["pdu", "encode", "--to", "+46708251358", "--text", "hellohello"])
        #expect(status == 0)
        #expect(String(decoding: out, as: UTF8.self) == "22 0001000B916407281553F800000AE8329BFD4697D9EC37\n")
    }

    @Test(CLITests.needsBinary)
    func encodeOptionsAndJSON() async throws {
        let text = String(repeating: "ab€", count: 60)
        let (status, out, _) = try await CLITests.run(["pdu", "encode", "--to", "+46708251358", "--text", text, "--smsc", "+4917000000",
                                                 "--report", "--validity", "7d", "--reference", "513", "--ref16", "--json"])
        #expect(status == 0)
        struct Result: Decodable {
            struct Segment: Decodable { let tpdu_length: Int; let pdu: String }
            let encoding: String
            let segments: Int
            let units_left: Int
            let pdus: [Segment]
        }
        let result = try JSONDecoder().decode(Result.self, from: out)
        #expect(result.encoding == "gsm7")
        #expect(result.segments == 2)
        var parts: [PDU] = []
        for segment in result.pdus {
            let pdu = try PDU(hex: segment.pdu)
            #expect(try pdu.encode().tpduLength == segment.tpdu_length)
            #expect(pdu.smsc?.description == "+4917000000")
            guard case let .submit(s) = pdu.tpdu else { Issue.record("not a submit"); continue }
            #expect(s.statusReportRequest)
            #expect(s.validityPeriod == .relative(173))
            #expect(s.userData.header?.concatenation?.reference == 513)
            parts.append(pdu)
        }
        #expect(reassemble(parts) == text)
        #expect(result.units_left == 2 * 152 - 240)

        let (s2, o2, _) = try await CLITests.run(["pdu", "encode", "--to", "123", "--data-hex", "CAFE", "--ports", "2948:9200", "--alphabet", "auto"])
        #expect(s2 == 0)
        let line = String(decoding: o2, as: UTF8.self).split(separator: " ")
        #expect(line.count == 2)
        let pdu = try PDU(hex: String(line[1]).trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(pdu.tpdu.userData?.header?.ports == PortAddressing(destination: 2948, source: 9200, is16Bit: true))
        #expect(pdu.tpdu.userData?.bytes == [0xCA, 0xFE])
    }

    @Test(CLITests.needsBinary)
    func badInputIsOneLineOnStderr() async throws {
        for arguments in [["pdu", "encode", "--to", "+12ab", "--text", "x"],
                          ["pdu", "encode", "--to", "+1", "--text", "x", "--validity", "soon"],
                          ["pdu", "encode", "--to", "+1", "--text", "你", "--alphabet", "gsm7"],
                          ["pdu", "encode", "--to", "+1", "--data-hex", "ABC"],
                          ["pdu", "decode", "zz"]] {
            let (status, out, err) = try await CLITests.run(arguments)
            #expect(status != 0, "\(arguments)")
            #expect(out.isEmpty, "\(arguments)")
            let message = String(decoding: err, as: UTF8.self)
            #expect(message.hasPrefix("error: ") && message.filter { $0 == "\n" }.count == 1, "\(arguments): \(message)")
        }
    }

    @Test(CLITests.needsBinary)
    func readableDecode() async throws {
        let (status, out, _) = try await CLITests.run(["pdu", "decode", "0791447758100650040DD0F334FC1CA6970100008080312170224008D4F29CDE0EA7D9"])
        #expect(status == 0)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.contains("sipgate"))
        #expect(text.contains("Testmail"))
        #expect(text.contains("2008-08-13T12:07:22+01:00"))
    }
}
