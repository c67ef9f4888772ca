import Foundation
import SMSKitTestSupport
import Testing
@testable import SMSGateway

/// The API over HTTPS (`--tls-cert`/`--tls-key`) with a self-signed certificate made by openssl,
/// and curl, the real outside client, trusting it with `--cacert`.
@Suite("TLS: curl against the real gateway", .serialized, .enabled(if: haveBinary && SelfSignedCertificate.opensslAvailable))
struct GatewayTLSTests {
    @Test(.timeLimit(.minutes(2)))
    func servesTheAPIOverHTTPSAndRefusesPlainHTTP() async throws {
        let certs = try TempDir("tls-certs")
        defer { certs.remove() }
        let cert = try await SelfSignedCertificate(in: certs.path)
        let gateway = try await EmulatedGateway(name: "tls", modems: 1, extra: ["--tls-cert", cert.certificate, "--tls-key", cert.key])
        try await gateway.start()
        defer { Task { await gateway.shutdown() } }
        let http = await gateway.client
        #expect(http.url.hasPrefix("https://127.0.0.1:"))

        let health = try await curl(["--cacert", cert.certificate, http.url + "/health"])
        #expect(health == #"{"status":"ok"}"# + "\n200")
        let modems = try await curl(["--cacert", cert.certificate, "-H", "Authorization: Bearer \(http.token)", http.url + "/v1/modems"])
        #expect(modems.hasSuffix("\n200") && modems.contains(#""number":"+15550001""#))
        let sent = try await curl(["--cacert", cert.certificate, "-H", "Authorization: Bearer \(http.token)",
                                   "-H", "Content-Type: application/json", "--data", #"{"to":"+1999000001","text":"over TLS"}"#,
                                   http.url + "/v1/messages"])
        #expect(sent.hasSuffix("\n202"))
        // TLS 1.1 is refused by the server (alert 70, protocol version; the client is told to allow
        // it at security level 0, so the refusal is the server's); 1.2 and 1.3 both work.
        let hostPort = String(http.url.dropFirst("https://".count))
        let old = try await runCommand(["10", "/usr/bin/openssl", "s_client", "-connect", hostPort, "-tls1_1",
                                        "-cipher", "DEFAULT@SECLEVEL=0"], executable: "/usr/bin/timeout")
        #expect(old.status != 0 && old.stderr.contains("alert protocol version"), "\(old.stderr)")
        #expect(try await curl(["--cacert", cert.certificate, "--tlsv1.2", "--tls-max", "1.2", http.url + "/health"]).hasSuffix("\n200"))
        #expect(try await curl(["--cacert", cert.certificate, "--tlsv1.3", http.url + "/health"]).hasSuffix("\n200"))
        let unauthorized = try await curl(["--cacert", cert.certificate, http.url + "/v1/modems"])
        #expect(unauthorized.hasSuffix("\n401"))

        // Without trusting the certificate, curl refuses it; plain HTTP to the TLS port gets no HTTP answer.
        #expect(try await curl([http.url + "/health"]).hasSuffix("\n000"))
        let plain = http.url.replacingOccurrences(of: "https://", with: "http://")
        #expect(try await curl([plain + "/health"]).hasSuffix("\n000"))
        let plainExit = try await runCommand(["-s", "--max-time", "10", plain + "/health"], executable: "/usr/bin/curl")
        #expect(plainExit.status != 0 && plainExit.stdout.isEmpty)
        // The gateway still serves TLS after the plaintext attempt.
        #expect(try await curl(["--cacert", cert.certificate, http.url + "/health"]).hasSuffix("\n200"))
        await gateway.shutdown()
    }

    @Test(.timeLimit(.minutes(1)))
    func badCertificateOrKeyIsAClearStartUpError() async throws {
        let dir = try TempDir("tls-bad")
        defer { dir.remove() }
        let one = try await SelfSignedCertificate(in: dir.path, name: "one")
        let two = try await SelfSignedCertificate(in: dir.path, name: "two")
        let garbage = dir.path + "/garbage.pem"
        try "not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let base = ["gateway", "--emulate", "1", "--data-dir", dir.path + "/data", "--listen", "127.0.0.1:0"]

        let cases: [(args: [String], says: [String])] = [
            (["--tls-cert", one.certificate, "--tls-key", two.key], ["does not belong", two.key, one.certificate]),
            (["--tls-cert", dir.path + "/missing.crt", "--tls-key", one.key], ["does not exist", "missing.crt", "--tls-cert"]),
            (["--tls-cert", garbage, "--tls-key", one.key], ["not a PEM certificate", garbage]),
            (["--tls-cert", one.certificate, "--tls-key", garbage], ["not an unencrypted PEM private key", garbage]),
            (["--tls-cert", one.certificate], ["--tls-cert (tls_cert) needs --tls-key"]),
        ]
        for c in cases {
            let result = try await runCommand(base + c.args)
            #expect(result.status != 0, "\(c.args)")
            #expect(!result.stdout.contains("ready"), "\(c.args)")
            for text in c.says { #expect(result.stderr.contains(text), "\(c.args): \(result.stderr)") }
        }

        // check-config checks the files the config names.
        let good = dir.path + "/good.yaml", bad = dir.path + "/bad.yaml", half = dir.path + "/half.yaml"
        try "tls_cert: \(one.certificate)\ntls_key: \(one.key)\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "tls_cert: \(one.certificate)\ntls_key: \(two.key)\n".write(toFile: bad, atomically: true, encoding: .utf8)
        try "tls_cert: \(one.certificate)\n".write(toFile: half, atomically: true, encoding: .utf8)
        let ok = try await runCommand(["gateway", "check-config", good])
        #expect(ok.status == 0 && ok.lines == ["\(good): ok"])
        let mismatched = try await runCommand(["gateway", "check-config", bad])
        #expect(mismatched.status != 0 && mismatched.stderr.contains("does not belong"))
        let incomplete = try await runCommand(["gateway", "check-config", half])
        #expect(incomplete.status != 0 && incomplete.stderr.contains("tls_cert and tls_key go together"))
    }
}
