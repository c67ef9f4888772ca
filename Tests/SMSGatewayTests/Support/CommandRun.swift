import Foundation

/// The outcome of a finished command: its exit status and what it printed.
struct CommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable ARGS` to completion (nothing blocks a cooperative thread), returning its exit
/// status, stdout and stderr, whatever the status.
func runCommand(_ arguments: [String], executable: String = smskitBinary) async throws -> CommandResult {
    let dir = try TempDir("cmd")
    defer { dir.remove() }
    let child = try ChildProcess(arguments, stderr: dir.path + "/stderr", executable: executable)
    var out: [String] = []
    for await line in child.lines { out.append(line) }
    let status = await child.waitForExit()
    let err = (try? String(contentsOfFile: dir.path + "/stderr", encoding: .utf8)) ?? ""
    return CommandResult(status: status, stdout: out.joined(separator: "\n"), stderr: err)
}

/// A self-signed P-256 certificate for `localhost` and `127.0.0.1` (SAN), made by `openssl req`.
struct SelfSignedCertificate: Sendable {
    let certificate: String
    let key: String

    static var opensslAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") }

    /// Writes `NAME.crt` and `NAME.key` into `directory`.
    init(in directory: String, name: String = "server") async throws {
        certificate = directory + "/\(name).crt"
        key = directory + "/\(name).key"
        let result = try await runCommand(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                           "-days", "1", "-subj", "/CN=localhost",
                                           "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                                           "-keyout", key, "-out", certificate], executable: "/usr/bin/openssl")
        guard result.status == 0 else { throw TestFailure("openssl req failed: \(result.stderr)") }
    }
}
