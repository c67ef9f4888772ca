import Foundation
import Testing
@testable import SecureSMS

@Suite struct BenchmarkTests {
    @Test func tableHasTheIssueFiguresAndBeatsTheAlternatives() throws {
        let rows = SecureBenchmark.overheadTable()
        func row(_ scheme: String, _ size: Int) throws -> SecureBenchmark.OverheadRow {
            try #require(rows.first { $0.scheme == scheme && $0.payloadBytes == size })
        }
        #expect(try row("securesms-data", 113).segments == 1)
        #expect(try row("securesms-data", 113).overheadBytes == 20)
        #expect(try row("securesms-hello", 20).overheadBytes == 52)
        #expect(try row("securesms-data", 500).segments == 4)
        #expect(SecureBenchmark.textSecure(63).segments == 1)
        #expect(SecureBenchmark.textSecure(64).segments == 2)
        for size in SecureBenchmark.standardPayloads {
            #expect(try row("securesms-data", size).segments <= row("sealed-box", size).segments)
            #expect(try row("securesms-data", size).segments <= row("textsecure-2014", size).segments)
        }
    }

    @Test func throughputIsMeasured() throws {
        let t = try SecureBenchmark.throughput(payloadBytes: 100, iterations: 500)
        #expect(t.sealPerSecond > 0)
        #expect(t.openPerSecond > 0)
    }
}

/// `SECURESMS_PRINT_BENCH=1 swift test -c release --filter BenchmarkReport` prints the issue-6 figures.
@Suite struct BenchmarkReport {
    @Test func printFigures() throws {
        guard ProcessInfo.processInfo.environment["SECURESMS_PRINT_BENCH"] != nil else { return }
        print("scheme                payload segments overhead wire")
        for row in SecureBenchmark.overheadTable() {
            let name = row.scheme.padding(toLength: 22, withPad: " ", startingAt: 0)
            print("\(name)\(row.payloadBytes)\t\(row.segments)\t\(row.overheadBytes)\t\(row.wireBytes)")
        }
        for size in [20, 113, 500] {
            let t = try SecureBenchmark.throughput(payloadBytes: size, iterations: 100_000)
            print("throughput payload=\(size): seal \(Int(t.sealPerSecond))/s open \(Int(t.openPerSecond))/s")
        }
    }
}
