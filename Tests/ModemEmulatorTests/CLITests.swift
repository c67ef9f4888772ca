import Foundation
import Testing
import SMSKitTestSupport
@testable import ModemEmulator

/// Collects a child's stdout lines and lets tests await a count of them.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [String] = []
    private var ended = false
    private var waiters: [(count: Int, continuation: CheckedContinuation<[String], Never>)] = []

    init(_ lines: AsyncStream<String>) {
        Task {
            for await line in lines { self.lock.withLock { self.received.append(line); self.serve() } }
            self.lock.withLock { self.ended = true; self.serve() }
        }
    }

    private func serve() {
        waiters.removeAll { waiter in
            guard received.count >= waiter.count || ended else { return false }
            waiter.continuation.resume(returning: received)
            return true
        }
    }

    /// Waits until `count` lines (or end of file) have arrived; returns every line so far.
    func lines(count: Int) async -> [String] {
        await withCheckedContinuation { continuation in
            lock.withLock {
                waiters.append((count, continuation))
                serve()
            }
        }
    }
}

@Suite("smskit emulator binary")
struct CLITests {
    @Test("Prints one JSON line per modem, the ports speak AT, SIGTERM exits cleanly and removes the links",
          .enabled(if: haveBinary, "build smskit first: swift build"))
    func binary() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smskit-cli-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try ChildProcess(["emulator", "--modem", "+15550001", "--modem", "+15550002", "--seed", "5",
                                        "--faults", "noise=0", "--link-dir", directory])
        let lines = LineCollector(process.lines)
        let printed = await lines.lines(count: 2)
        #expect(printed.count == 2)
        struct PortLine: Decodable { var number: String; var port: String; var link: String? }
        let ports = try printed.map { try JSONDecoder().decode(PortLine.self, from: Data($0.utf8)) }
        #expect(ports.map(\.number) == ["+15550001", "+15550002"])
        #expect(ports.allSatisfy { $0.port.hasPrefix("/dev/pts/") })
        #expect(ports.first?.link == directory + "/+15550001")

        let client = try ATClient(path: ports[0].port)
        #expect(try await client.command("AT+CGMI") == "AT+CGMI\r\r\nSMSKit\r\n\r\nOK\r\n")
        let linked = try ATClient(path: directory + "/+15550002")
        #expect(try await linked.command("ATE0") == "ATE0\r\r\nOK\r\n")

        process.signal(SIGTERM)
        #expect(await process.waitForExit(killingAfter: .seconds(30)) == 0, "a clean exit, not 128 + signal")
        try await client.waitForHangUp()
        client.close()
        linked.close()
        #expect(!FileManager.default.fileExists(atPath: directory + "/+15550001"))
    }

    @Test("--control: a send command answers ok and reaches the modem; modem → phone prints phone.part and phone.message; bad JSON gets an error line; EOF on stdin keeps it running",
          .enabled(if: haveBinary, "build smskit first: swift build"))
    func control() async throws {
        let process = try ChildProcess(["emulator", "--control", "--phone-prefix", "+1999", "--modem", "+15550001"])
        let lines = LineCollector(process.lines)
        func send(_ line: String) { process.send(line) }
        func object(_ line: String) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }

        let port = try object(try #require(await lines.lines(count: 1).first))
        #expect(port["number"] as? String == "+15550001")
        let path = try #require(port["port"] as? String)

        send(#"{"cmd":"send","from":"+19990001","to":"+15550001","text":"hello gateway"}"#)
        let ok = try object(try #require(await lines.lines(count: 2).last))
        #expect(ok["event"] as? String == "ok")
        #expect(ok["cmd"] as? String == "send")
        #expect(ok["parts"] as? Int == 1)
        #expect((ok["submissions"] as? [Int])?.count == 1)

        let client = try ATClient(path: path)
        defer { client.close() }
        try await client.setUp("ATE0", "AT+CMGF=1")
        let listing = try await client.command("AT+CMGL=\"ALL\"")
        #expect(listing.contains("\"+19990001\""))
        #expect(listing.contains("\r\nhello gateway\r\n"))

        try await client.setUp("AT+CMGF=0")
        #expect(try await sendPDU(client, to: "+19990002", text: "to a phone").contains("+CMGS: 0"))
        let events = try await lines.lines(count: 4).suffix(2).map(object)
        #expect(events.first?["event"] as? String == "phone.part")
        #expect(events.first?["to"] as? String == "+19990002")
        #expect(events.first?["from"] as? String == "+15550001")
        #expect(events.first?["duplicate"] as? Bool == false)
        #expect(events.first?["seq"] as? Int == 1 && events.first?["total"] as? Int == 1)
        #expect(events.last?["event"] as? String == "phone.message")
        #expect(events.last?["text"] as? String == "to a phone")
        #expect(events.last?["submissions"] as? [Int] == [2])

        send("this is not json")
        let error = try object(try #require(await lines.lines(count: 5).last))
        #expect(error["event"] as? String == "error")
        send(#"{"cmd":"stats"}"#)
        let stats = try object(try #require(await lines.lines(count: 6).last))
        #expect(stats["event"] as? String == "stats")
        #expect((stats["phones"] as? [String: Any])?["messages"] as? Int == 1)
        #expect((stats["modems"] as? [[String: Any]])?.first?["number"] as? String == "+15550001")

        process.closeInput()  // EOF: the emulator keeps running
        #expect(try await client.command("AT") == "\r\nOK\r\n")
        process.signal(SIGTERM)
        #expect(await process.waitForExit(killingAfter: .seconds(30)) == 0)
    }
}
