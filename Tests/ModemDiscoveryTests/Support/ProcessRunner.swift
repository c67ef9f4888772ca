import Foundation
import SMSKitTestSupport

/// Runs a child process to completion and captures its output (for CLI and tool tests), through the
/// shared ``runProcess(_:_:environment:input:limit:)`` (reads and waits on plain threads, never on
/// cooperative ones).
enum ProcessRunner {
    typealias Result = ProcessResult

    /// Runs `executable` with `arguments`; a child still running after `timeout` seconds is killed
    /// (status 137, a failure guard only).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    timeout: Double = 60) async throws -> ProcessResult {
        try await runProcess(executable, arguments, environment: environment, limit: .seconds(timeout))
    }
}
