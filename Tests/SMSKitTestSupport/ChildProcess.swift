import Foundation
internal import CTestSpawn
#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests: spawned with `posix_spawn`, its stdout as an async stream of lines,
/// stdin for commands, stderr to a file, to `/dev/null` or captured, and an awaitable exit.
///
/// Every blocking call (`read`, `waitpid`) runs on a plain thread of its own, never on a
/// cooperative one, so a test awaiting a child never starves the tasks it is waiting for. Foundation's
/// `readabilityHandler` is not used: on Linux it sometimes misses the end of file
/// (swift-corelibs-foundation#3275), which hung end-to-end tests waiting for a child's last line.
/// The child gets only its three standard descriptors: the pipes are `O_CLOEXEC` and every other
/// descriptor of the test process (PTY masters, sockets, other children's pipes) is closed in it,
/// so one child cannot hold another's pipe open.
public final class ChildProcess: Sendable {
    /// Where the child's standard error goes.
    public enum StandardError: Sendable {
        case discard
        /// Appended to this file (created if absent): the binaries' logs, kept for diagnosis.
        case file(String)
        /// Kept in memory; read it with ``standardError()`` after the exit.
        case capture
    }

    /// What happens to the child's standard output.
    public enum StandardOutput: Sendable {
        /// Streamed as ``lines``.
        case lines
        /// Kept in memory as bytes; read it with ``standardOutput()`` (``lines`` stays empty).
        case capture
    }

    /// The child's stdout, line by line (without the newline); finishes at end of file.
    public let lines: AsyncStream<String>
    /// The process id.
    public let pid: Int32
    private let input: Int32
    private let exit = Once<Int32>()
    private let captured = Once<String>()
    private let capturedOutput = Once<[UInt8]>()

    /// Starts `executable` with `arguments`.
    /// - Parameters:
    ///   - environment: Variables set (or replaced) on top of this process's environment.
    ///   - stdout: Streamed as lines, or captured as bytes.
    ///   - stderr: Where standard error goes.
    public init(_ arguments: [String], executable: String = smskitBinary, environment: [String: String] = [:],
                stdout: StandardOutput = .lines, stderr: StandardError = .discard) throws {
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        guard smskit_test_pipe_cloexec(&stdinPipe) == 0 else { throw TestFailure("pipe2: \(String(cString: strerror(errno)))") }
        guard smskit_test_pipe_cloexec(&stdoutPipe) == 0 else {
            stdinPipe.forEach { close($0) }
            throw TestFailure("pipe2: \(String(cString: strerror(errno)))")
        }
        var errorFD: Int32 = -1
        switch stderr {
        case .discard: errorFD = open("/dev/null", O_WRONLY | O_CLOEXEC)
        case .file(let path): errorFD = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        case .capture:
            if smskit_test_pipe_cloexec(&stderrPipe) == 0 { errorFD = stderrPipe[1] }
        }
        guard errorFD >= 0 else {
            (stdinPipe + stdoutPipe).forEach { close($0) }
            throw TestFailure("cannot open the child's stderr (\(stderr)): \(String(cString: strerror(errno)))")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorFD, 2)
        smskit_test_spawn_closefrom(&actions, 3)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        // The child starts with no blocked signals and default dispositions: a test process may block or
        // ignore some (the Swift runtime's threads, SIGPIPE), and a shell cannot trap a signal it
        // inherited as ignored — a script would then never stop on SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        close(stdinPipe[0]); close(stdoutPipe[1]); close(errorFD)
        guard rc == 0 else {
            close(stdinPipe[1]); close(stdoutPipe[0])
            if stderrPipe[0] >= 0 { close(stderrPipe[0]) }
            throw TestFailure("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        let spawned = child
        pid = spawned
        input = stdinPipe[1]
        let (stream, continuation) = AsyncStream<String>.makeStream()
        lines = stream

        let out = stdoutPipe[0]
        switch stdout {
        case .lines:
            capturedOutput.set([])
            Thread.detachNewThread {
                var partial: [UInt8] = []
                readToEnd(out) { chunk in
                    partial += chunk
                    while let nl = partial.firstIndex(of: UInt8(ascii: "\n")) {
                        continuation.yield(String(decoding: partial[..<nl], as: UTF8.self))
                        partial.removeSubrange(...nl)
                    }
                }
                if !partial.isEmpty { continuation.yield(String(decoding: partial, as: UTF8.self)) }
                continuation.finish()
            }
        case .capture:
            continuation.finish()
            let capturedOutput = capturedOutput
            Thread.detachNewThread {
                var all: [UInt8] = []
                readToEnd(out) { all += $0 }
                capturedOutput.set(all)
            }
        }
        if case .capture = stderr {
            let err = stderrPipe[0], captured = captured
            Thread.detachNewThread {
                var all: [UInt8] = []
                readToEnd(err) { all += $0 }
                captured.set(String(decoding: all, as: UTF8.self))
            }
        } else {
            captured.set("")
        }
        let exit = exit
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(spawned, &status, 0) < 0 && errno == EINTR {}
            // The shell's convention: the exit code, or 128 + the signal that ended it.
            let signal = status & 0x7F
            exit.set(signal != 0 ? 128 + signal : (status >> 8) & 0xFF)
        }
    }

    deinit { close(input) }

    /// Writes one line to the child's stdin (ignored once the child has gone).
    public func send(_ line: String) {
        write(Array((line + "\n").utf8))
    }

    /// Writes bytes to the child's stdin (ignored once the child has gone).
    public func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }

    /// Closes the child's stdin (it sees end of file).
    public func closeInput() {
        // dup2 of /dev/null over the write end closes the pipe while keeping the descriptor
        // number owned until deinit (no reuse race with other threads opening files).
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        if null >= 0 { dup2(null, input); close(null) }
    }

    /// Sends `sig` to the child.
    public func signal(_ sig: Int32) { kill(pid, sig) }

    /// The exit code once the child has ended: its status, or 128 + the signal that killed it.
    public func waitForExit() async -> Int32 { await exit.value }

    /// The child's stderr, once it has closed it (only with `.capture`; empty otherwise).
    public func standardError() async -> String { await captured.value }

    /// The child's stdout bytes, once it has closed it (only with `stdout: .capture`; empty otherwise).
    public func standardOutput() async -> [UInt8] { await capturedOutput.value }

    /// Waits for the exit, killing the child with SIGKILL if it has not ended within `limit`
    /// (a hung child is then a failed assertion, not a stuck suite).
    public func waitForExit(killingAfter limit: Duration) async -> Int32 {
        let pid = pid
        let guardTask = Task {
            try await Task.sleep(for: limit)
            kill(pid, SIGKILL)
        }
        defer { guardTask.cancel() }
        return await waitForExit()
    }
}

/// What ``runProcess(_:_:environment:input:limit:)`` returns.
public struct ProcessResult: Sendable {
    /// The exit code (128 + signal when a signal ended it).
    public var status: Int32
    /// stdout as it was written.
    public var stdoutBytes: [UInt8]
    public var stderr: String
    /// stdout as UTF-8 text.
    public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    /// stdout's non-empty lines.
    public var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs a program to its end and returns its exit code and output. A child still running after
/// `limit` is killed (its status is then 137): a hang fails the test instead of stalling the suite.
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                       input: String? = nil, limit: Duration = .seconds(120)) async throws -> ProcessResult {
    let child = try ChildProcess(arguments, executable: executable, environment: environment, stdout: .capture,
                                 stderr: .capture)
    if let input { child.write(Array(input.utf8)) }
    child.closeInput()
    let status = await child.waitForExit(killingAfter: limit)
    return ProcessResult(status: status, stdoutBytes: await child.standardOutput(), stderr: await child.standardError())
}

/// Runs `smskit ARGS` to its end.
public func runSmskit(_ arguments: [String], environment: [String: String] = [:], input: String? = nil,
                      limit: Duration = .seconds(120)) async throws -> ProcessResult {
    try await runProcess(smskitBinary, arguments, environment: environment, input: input, limit: limit)
}

/// Reads a descriptor to its end on the calling (plain) thread, then closes it.
private func readToEnd(_ fd: Int32, _ chunk: ([UInt8]) -> Void) {
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n > 0 { chunk(Array(buffer[0..<n])) } else if n < 0 && errno == EINTR { continue } else { break }
    }
    close(fd)
}

/// A value set once from any thread and awaited by any number of tasks.
final class Once<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?
    private var waiters: [CheckedContinuation<Value, Never>] = []

    func set(_ value: Value) {
        let ready: [CheckedContinuation<Value, Never>] = lock.withLock {
            guard stored == nil else { return [] }
            stored = value
            defer { waiters.removeAll() }
            return waiters
        }
        for w in ready { w.resume(returning: value) }
    }

    var value: Value {
        get async {
            await withCheckedContinuation { c in
                let now: Value? = lock.withLock {
                    if let stored { return stored }
                    waiters.append(c)
                    return nil
                }
                if let now { c.resume(returning: now) }
            }
        }
    }
}
