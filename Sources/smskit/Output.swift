import ArgumentParser
import Foundation

/// Shared output helpers for the CLI: JSON on stdout, one-line errors on stderr.
enum Output {
    /// Encodes `value` as one line of JSON (sorted keys, no escaped slashes) and prints it.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        write(data + Data([0x0A]))
    }

    /// Prints one line to standard error.
    static func error(_ message: String) {
        write(Data((message + "\n").utf8), to: .standardError)
    }

    /// Writes to stdout (or `handle`). A reader that went away (EPIPE, a closed descriptor) loses the
    /// bytes but never ends the process: `FileHandle.write(_:)` traps on such an error, so a
    /// gateway whose log or ready-line reader died would have crashed.
    static func write(_ data: Data, to handle: FileHandle = .standardOutput) {
        try? handle.write(contentsOf: data)
    }
}

/// Runs a command body so that any failure ends as one `error: …` line on stderr and exit 1, as every
/// command prints it (argument-parser's own `Error:` is kept for usage errors before `run`).
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch let error as ValidationError {
        Output.error("error: \(error.message)")
        throw ExitCode.failure
    } catch let error as CustomStringConvertible & Error {
        Output.error("error: \(error.description)")
        throw ExitCode.failure
    } catch {
        Output.error("error: \(error.localizedDescription)")
        throw ExitCode.failure
    }
}
