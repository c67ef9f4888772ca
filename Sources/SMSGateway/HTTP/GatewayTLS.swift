import Foundation
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// The API's TLS certificate and key (`--tls-cert`/`--tls-key`, or `tls_cert`/`tls_key` in the
/// config file): PEM files, checked before the gateway starts so a bad file is a clear error at
/// start-up (and in `smskit gateway check-config`) instead of a failed handshake later.
///
/// ```swift
/// let tls = try GatewayTLS(certificatePath: "/etc/smskit/tls/cert.pem", keyPath: "/etc/smskit/tls/key.pem")
/// let app = Application(router: router, server: try .tls(.http1(), tlsConfiguration: tls.configuration),
///                       configuration: .init(address: .hostname("0.0.0.0", port: 8443)))
/// ```
public struct GatewayTLS: Sendable {
    /// The certificate chain file (PEM; the server's certificate first, then intermediates).
    public let certificatePath: String
    /// The private key file (PEM, unencrypted).
    public let keyPath: String
    /// A server configuration with the chain and key: TLS 1.2 and 1.3 (NIOSSL's default ciphers), ALPN `http/1.1`.
    public let configuration: TLSConfiguration

    /// Reads, parses and checks the certificate chain and its key.
    /// - Throws: ``GatewayError/configuration(_:)`` naming the file and what to do: unreadable,
    ///   not PEM, no certificate in it, an encrypted or malformed key, or a key that does not belong
    ///   to the certificate.
    public init(certificatePath: String, keyPath: String) throws(GatewayError) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        let certBytes = try Self.read(certificatePath, what: "certificate", option: "--tls-cert (tls_cert)")
        let keyBytes = try Self.read(keyPath, what: "private key", option: "--tls-key (tls_key)")
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMBytes(certBytes) } catch {
            throw .configuration("TLS certificate \(certificatePath) is not a PEM certificate (\(error)); "
                + "give --tls-cert a PEM file that starts with -----BEGIN CERTIFICATE-----")
        }
        guard !chain.isEmpty else {
            throw .configuration("TLS certificate \(certificatePath) holds no certificate; "
                + "give --tls-cert a PEM file that starts with -----BEGIN CERTIFICATE-----")
        }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem) } catch {
            throw .configuration("TLS key \(keyPath) is not an unencrypted PEM private key (\(error)); "
                + "give --tls-key the key the certificate was issued for (decrypt it with `openssl pkey -in KEY -out KEY.pem`)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12  // NIOSSL's server default still admits TLS 1.0
        configuration.applicationProtocols = ["http/1.1"]
        // Building a context loads the chain and key into BoringSSL, which checks that they match.
        do { _ = try NIOSSLContext(configuration: configuration) } catch {
            throw .configuration("TLS key \(keyPath) does not belong to the certificate in \(certificatePath) (\(error)); "
                + "give --tls-key the private key the certificate was issued for")
        }
        self.configuration = configuration
    }

    /// Both paths or neither: the TLS settings from the command line over the config file.
    /// - Returns: nil when neither is given (plain HTTP).
    /// - Throws: ``GatewayError/configuration(_:)`` when only one is given, or a file is bad.
    public static func load(certificatePath: String?, keyPath: String?) throws(GatewayError) -> GatewayTLS? {
        switch (certificatePath, keyPath) {
        case (nil, nil): return nil
        case (let cert?, let key?): return try GatewayTLS(certificatePath: cert, keyPath: key)
        case (nil, _?): throw .configuration("--tls-key (tls_key) needs --tls-cert (tls_cert): give both, or neither for plain HTTP")
        case (_?, nil): throw .configuration("--tls-cert (tls_cert) needs --tls-key (tls_key): give both, or neither for plain HTTP")
        }
    }

    private static func read(_ path: String, what: String, option: String) throws(GatewayError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .configuration("TLS \(what) \(path) does not exist; give \(option) the path of a PEM file")
        }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("TLS \(what) \(path) is not readable by this user; "
                + "make it readable by the gateway's user (e.g. chgrp smskit \(path); chmod 0640 \(path))")
        }
        return Array(data)
    }
}

extension GatewayTLS {
    /// HTTP/1.1 over TLS with this certificate, for `Application(router:server:)`.
    public func serverBuilder() throws -> HTTPServerBuilder {
        try .tls(.http1(), tlsConfiguration: configuration)
    }

    /// HTTP/1.1 over TLS when `tls` is given, else plain HTTP/1.1.
    public static func serverBuilder(_ tls: GatewayTLS?) throws -> HTTPServerBuilder {
        try tls?.serverBuilder() ?? .http1()
    }
}
