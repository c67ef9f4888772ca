import Foundation
import Testing
@testable import ModemEmulator

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `smskit` binary (`swift build` puts it in `.build/debug`).
let smskitBinary = packageRoot.appendingPathComponent(".build/debug/smskit").path

/// Collects a pipe's output and lets tests await lines.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""
    private var ended = false
    private var waiters: [(count: Int, continuation: CheckedContinuation<[String], Never>)] = []

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.withLock {
                self.buffer += String(decoding: data, as: UTF8.self)
                self.serve(eof: data.isEmpty)
            }
            if data.isEmpty { handle.readabilityHandler = nil }
        }
    }

    private var lines: [String] { buffer.split(separator: "\n").map(String.init) }

    private func serve(eof: Bool) {
        ended = ended || eof
        let complete = buffer.hasSuffix("\n") ? lines : Array(lines.dropLast())
        waiters.removeAll { waiter in
            guard complete.count >= waiter.count || ended else { return false }
            waiter.continuation.resume(returning: complete)
            return true
        }
    }

    /// Waits until `count` complete lines (or end of file) have arrived.
    func lines(count: Int) async -> [String] {
        await withCheckedContinuation { continuation in
            lock.withLock {
                waiters.append((count, continuation))
                serve(eof: false)
            }
        }
    }
}

@Suite("smskit emulator binary")
struct CLITests {
    @Test("Prints one JSON line per modem, the ports speak AT, SIGTERM exits cleanly and removes the links",
          .enabled(if: FileManager.default.isExecutableFile(atPath: smskitBinary), "build smskit first: swift build"))
    func binary() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smskit-cli-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: smskitBinary)
        process.arguments = ["emulator", "--modem", "+15550001", "--modem", "+15550002", "--seed", "5",
                             "--faults", "noise=0", "--link-dir", directory]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exited = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
        let lines = LineCollector(output.fileHandleForReading)
        try process.run()
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

        process.terminate()  // SIGTERM
        var iterator = exited.stream.makeAsyncIterator()
        let status = await iterator.next()
        #expect(status == 0)
        #expect(process.terminationReason == .exit)
        try await client.waitForHangUp()
        client.close()
        linked.close()
        #expect(!FileManager.default.fileExists(atPath: directory + "/+15550001"))
    }

    @Test("--control: a send command answers ok and reaches the modem; modem → phone prints phone.part and phone.message; bad JSON gets an error line; EOF on stdin keeps it running",
          .enabled(if: FileManager.default.isExecutableFile(atPath: smskitBinary), "build smskit first: swift build"))
    func control() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: smskitBinary)
        process.arguments = ["emulator", "--control", "--phone-prefix", "+1999", "--modem", "+15550001"]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        let exited = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
        let lines = LineCollector(output.fileHandleForReading)
        try process.run()
        func send(_ line: String) { input.fileHandleForWriting.write(Data((line + "\n").utf8)) }
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

        try input.fileHandleForWriting.close()  // EOF: the emulator keeps running
        #expect(try await client.command("AT") == "\r\nOK\r\n")
        process.terminate()
        var iterator = exited.stream.makeAsyncIterator()
        #expect(await iterator.next() == 0)
    }
}
