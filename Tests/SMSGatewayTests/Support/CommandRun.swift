import Foundation
import SMSKitTestSupport

/// Runs `executable ARGS` to completion (killed after a minute: a hang fails the test), returning
/// its exit status, stdout and stderr, whatever the status.
func runCommand(_ arguments: [String], executable: String = smskitBinary) async throws -> ProcessResult {
    try await runProcess(executable, arguments, limit: .seconds(60))
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
