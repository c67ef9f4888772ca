import CSodium
import Foundation
import SMSPDU

/// The `SMSKit-Signature` header, as Stripe signs webhooks: `t=<unix seconds>,v1=<hex HMAC-SHA256>`
/// where the MAC is HMAC-SHA256 (RFC 2104, FIPS 180-4; libsodium `crypto_auth_hmacsha256`) under the
/// webhook's secret over the bytes `"<t>." + body`. The timestamp is signed, so a receiver can refuse
/// replays older than a few minutes; each attempt is signed anew with its own `t`.
public enum WebhookSignature {
    /// The header name.
    public static let header = "SMSKit-Signature"

    /// HMAC-SHA256 of `message` under `key` (any key length, RFC 2104).
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        _ = sodium_init()
        var state = crypto_auth_hmacsha256_state()
        var out = [UInt8](repeating: 0, count: crypto_auth_hmacsha256_bytes())
        _ = crypto_auth_hmacsha256_init(&state, key, key.count)
        _ = crypto_auth_hmacsha256_update(&state, message, UInt64(message.count))
        _ = crypto_auth_hmacsha256_final(&state, &out)
        return out
    }

    /// The header value for `body` signed at `timestamp` (unix seconds).
    public static func sign(body: [UInt8], secret: [UInt8], timestamp: Int64) -> String {
        let mac = hmacSHA256(key: secret, message: Array("\(timestamp).".utf8) + body)
        return "t=\(timestamp),v1=\(Hex.encode(mac).lowercased())"
    }

    /// Whether `header` carries a valid `v1` signature of `body` (compared in constant time) with a
    /// timestamp within `tolerance` seconds of `now` (nil: any age). What a receiver does.
    public static func verify(header: String, body: [UInt8], secret: [UInt8], now: Date? = nil,
                              tolerance: TimeInterval = 300) -> Bool {
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) }
            if pair[0] == "v1", let mac = try? Hex.decode(pair[1]) { signatures.append(mac) }
        }
        guard let t = timestamp, !signatures.isEmpty else { return false }
        if let now, abs(now.timeIntervalSince1970 - Double(t)) > tolerance { return false }
        let expected = hmacSHA256(key: secret, message: Array("\(t).".utf8) + body)
        return signatures.contains { TokenDigest.equal($0, expected) }
    }

    /// A new webhook secret: `whsec_` and 64 hex digits (32 random bytes).
    public static func generateSecret() -> String {
        _ = sodium_init()
        var bytes = [UInt8](repeating: 0, count: 32)
        randombytes_buf(&bytes, bytes.count)
        return "whsec_" + Hex.encode(bytes).lowercased()
    }
}
