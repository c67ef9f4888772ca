import Foundation
import Testing
@testable import SMSPDU

/// One entry of `Resources/pdu-vectors.json` (copied from the shared vectors).
struct Vector: Decodable, CustomTestStringConvertible, Sendable {
    let id: String
    let pdu: String
    let expect: [String: JSONValue]
    var testDescription: String { id }
    var isInvalid: Bool { expect["invalid"] == .bool(true) }
}

/// Minimal JSON value for comparing expectations.
enum JSONValue: Decodable, Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}

enum Fixtures {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let vectors: [Vector] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Resources/pdu-vectors.json")
        guard let data = try? Data(contentsOf: url),
              let v = try? JSONDecoder().decode([Vector].self, from: data) else { return [] }
        return v
    }()

    static var valid: [Vector] { vectors.filter { !$0.isInvalid } }
}

/// Compares the expected fields with a JSON object produced from a summary.
func mismatches(_ expect: [String: JSONValue], _ got: [String: JSONValue]) -> [String] {
    expect.compactMap { key, value in
        got[key] == value ? nil : "\(key): expected \(value), got \(String(describing: got[key]))"
    }
}

func summaryJSON(_ summary: PDUSummary) throws -> [String: JSONValue] {
    let data = try JSONEncoder().encode(summary)
    return try JSONDecoder().decode([String: JSONValue].self, from: data)
}

@Suite struct VectorTests {
    @Test func allVectorsLoaded() {
        #expect(Fixtures.vectors.count == 86)
    }

    @Test(arguments: Fixtures.vectors)
    func vector(_ v: Vector) throws {
        if v.isInvalid {
            #expect(throws: PDUError.self) { _ = try PDU(hex: v.pdu) }
            return
        }
        let summary = try PDUSummary(hex: v.pdu)
        let problems = mismatches(v.expect, try summaryJSON(summary))
        #expect(problems.isEmpty, "\(v.id): \(problems)")
    }

    /// Decoding then encoding a valid vector gives a PDU that decodes to the same value.
    @Test(arguments: Fixtures.valid)
    func reencode(_ v: Vector) throws {
        let pdu = try PDU(hex: v.pdu)
        let (_, bytes) = try pdu.encode()
        let again = try PDU(bytes: bytes)
        #expect(again == pdu)
    }

    /// Every proper prefix of a valid PDU throws a typed error (never traps).
    @Test(arguments: Fixtures.valid)
    func truncationAtEveryOffset(_ v: Vector) throws {
        let bytes = try Hex.decode(v.pdu)
        for n in 0..<bytes.count {
            let prefix = Array(bytes.prefix(n))
            // A status report may legitimately end after TP-ST (TP-PI and the rest are optional).
            if case .statusReport = try PDU(bytes: bytes).tpdu, (try? PDU(bytes: prefix)) != nil { continue }
            #expect(throws: PDUError.self, "\(v.id) cut at \(n)") { _ = try PDU(bytes: prefix) }
        }
    }
}
