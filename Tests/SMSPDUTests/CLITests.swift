import Foundation
import Testing
@testable import SMSPDU

/// Runs the real `smskit` binary (built by `swift build`, next to the test products) on every vector.
@Suite struct CLITests {
    static let binary: URL? = {
        let candidates = [".build/debug/smskit", ".build/release/smskit"].map {
            Fixtures.packageRoot.appendingPathComponent($0)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: Data) {
        guard let binary else { return (-1, Data(), Data()) }
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, o, e)
    }

    @Test(.enabled(if: binary != nil, "smskit binary missing: run `swift build --product smskit` first"))
    func decodeJSONOnEveryVector() throws {
        for v in Fixtures.vectors {
            let (status, out, err) = try CLITests.run(["pdu", "decode", "--json", v.pdu])
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

    @Test(.enabled(if: binary != nil, "smskit binary missing: run `swift build --product smskit` first"))
    func encodeThenDecode() throws {
        let (status, out, _) = try CLITests.run(["pdu", "encode", "--to", "+46708251358", "--text", "hellohello"])
        #expect(status == 0)
        #expect(String(decoding: out, as: UTF8.self) == "22 0001000B916407281553F800000AE8329BFD4697D9EC37\n")
    }
}
