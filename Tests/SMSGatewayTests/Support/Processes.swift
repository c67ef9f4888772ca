import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The package root and the built binary.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
let smskitBinary = packageRoot.appendingPathComponent(".build/debug/smskit").path
let haveBinary = FileManager.default.isExecutableFile(atPath: smskitBinary)

/// A child process with its stdout as an async stream of lines, stdin for commands, and an
/// awaitable exit. Nothing here blocks a cooperative thread (stdout is read by a thread of its own).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let lines: AsyncStream<String>
    private let lineContinuation: AsyncStream<String>.Continuation
    private let input = Pipe()
    private let lock = NSLock()
    private var exitWaiters: [CheckedContinuation<Int32, Never>] = []
    private var exitStatus: Int32?
    /// Reads the child's stdout into ``lines``.
    private var reader: Thread?

    /// - Parameter stdout: A file for the child's stdout instead of ``lines`` (which then ends at once):
    ///   for children that print a lot.
    init(_ arguments: [String], stderr: String? = nil, executable: String = smskitBinary, directory: String? = nil,
         stdout: String? = nil) throws {
        (lines, lineContinuation) = AsyncStream<String>.makeStream()
        process.executableURL = URL(fileURLWithPath: executable)
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.arguments = arguments
        let output = Pipe()
        if let stdout {
            _ = FileManager.default.createFile(atPath: stdout, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: stdout)
            lineContinuation.finish()
        } else {
            process.standardOutput = output
        }
        process.standardInput = input
        if let stderr {
            _ = FileManager.default.createFile(atPath: stderr, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: stderr)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        process.terminationHandler = { [weak self] p in
            guard let self else { return }
            let waiters: [CheckedContinuation<Int32, Never>] = self.lock.withLock {
                self.exitStatus = p.terminationStatus
                defer { self.exitWaiters.removeAll() }
                return self.exitWaiters
            }
            for w in waiters { w.resume(returning: p.terminationStatus) }
        }
        try process.run()
        if stdout == nil {
            // A blocking read on a thread of its own until EOF: FileHandle's readabilityHandler
            // sometimes never delivered the end of a short-lived child's output, and the
            // `for await line in lines` of a test waited forever.
            let fd = output.fileHandleForReading.fileDescriptor
            let continuation = lineContinuation
            reader = Thread {
                var buffer = [UInt8](repeating: 0, count: 65_536)
                var partial: [UInt8] = []
                while true {
                    let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                    if n < 0, errno == EINTR { continue }
                    if n <= 0 { break }
                    partial.append(contentsOf: buffer[0..<n])
                    while let nl = partial.firstIndex(of: UInt8(ascii: "\n")) {
                        continuation.yield(String(decoding: partial[..<nl], as: UTF8.self))
                        partial.removeSubrange(...nl)
                    }
                }
                if !partial.isEmpty { continuation.yield(String(decoding: partial, as: UTF8.self)) }
                continuation.finish()
                withExtendedLifetime(output) {}
            }
            reader?.start()
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// Writes one line to stdin.
    func send(_ line: String) {
        try? input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    func waitForExit() async -> Int32 {
        await withCheckedContinuation { c in
            let done: Int32? = lock.withLock {
                if let s = exitStatus { return s }
                exitWaiters.append(c)
                return nil
            }
            if let done { c.resume(returning: done) }
        }
    }
}

/// Runs `smskit ARGS` to completion and returns its stdout.
func runSmskit(_ arguments: [String]) async throws -> String {
    let child = try ChildProcess(arguments)
    var out: [String] = []
    for await line in child.lines { out.append(line) }
    let status = await child.waitForExit()
    guard status == 0 else { throw TestFailure("smskit \(arguments.joined(separator: " ")) exited \(status)") }
    return out.joined(separator: "\n")
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A temp directory removed at the end of the test (kept, and its path printed, when
/// `SMSKIT_KEEP_TEST_DIRS` is set: the logs of the binaries are in it).
final class TempDir: @unchecked Sendable {
    let path: String
    init(_ name: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("smskit-\(name)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func remove() {
        if ProcessInfo.processInfo.environment["SMSKIT_KEEP_TEST_DIRS"] != nil {
            print("kept test directory \(path)")
            return
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A small HTTP client for the gateway API (URLSession), decoding JSON into dictionaries.
struct GatewayHTTP: Sendable {
    var url: String
    var token: String

    struct Reply: @unchecked Sendable {
        var status: Int
        var json: [String: Any]
        var body: Data
    }

    func request(_ method: String, _ path: String, json: Any? = nil, body: Data? = nil, headers: [String: String] = [:],
                 timeout: TimeInterval = 30) async throws -> Reply {
        guard let u = URL(string: url + path) else { throw TestFailure("bad URL \(url + path)") }
        var r = URLRequest(url: u, timeoutInterval: timeout)
        r.httpMethod = method
        if let json {
            r.httpBody = try JSONSerialization.data(withJSONObject: json)
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            r.httpBody = body
        }
        if !token.isEmpty { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: r)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Reply(status: status, json: object, body: data)
    }

    /// Every message, paging through `GET /v1/messages`.
    func allMessages(status: String? = nil) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var after: String?
        while true {
            var path = "/v1/messages?limit=500"
            if let status { path += "&status=\(status)" }
            if let after { path += "&after=\(after)" }
            let page = try await request("GET", path)
            let messages = page.json["messages"] as? [[String: Any]] ?? []
            all += messages
            guard messages.count == 500, let last = messages.last?["id"] as? String else { return all }
            after = last
        }
    }

    /// The whole inbox.
    func inbox() async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var after: Int64 = 0
        while true {
            let page = try await request("GET", "/v1/inbox?after=\(after)&limit=500")
            let messages = page.json["messages"] as? [[String: Any]] ?? []
            all += messages
            guard let next = (page.json["next"] as? NSNumber)?.int64Value, !messages.isEmpty else { return all }
            after = next
        }
    }
}

