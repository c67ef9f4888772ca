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
}
