import CSodium
import SMSPDU

/// API bearer tokens: 32 random bytes, shown once as `smsk_<hex>`; the store keeps only their
/// BLAKE2b-256 digest, and lookups compare digests in constant time (`sodium_memcmp`).
public enum TokenDigest {
    /// A new token (`smsk_` and 64 hex digits).
    public static func generate() -> String {
        _ = sodium_init()
        var bytes = [UInt8](repeating: 0, count: 32)
        randombytes_buf(&bytes, bytes.count)
        return "smsk_" + hex(bytes)
    }

    /// The digest the store keeps for `token`.
    public static func digest(_ token: String) -> [UInt8] {
        digest(bytes: Array(token.utf8))
    }

    /// BLAKE2b-256 of `bytes` (libsodium `crypto_generichash`).
    public static func digest(bytes: [UInt8]) -> [UInt8] {
        _ = sodium_init()
        var out = [UInt8](repeating: 0, count: 32)
        _ = bytes.withUnsafeBufferPointer { input in
            crypto_generichash(&out, out.count, input.baseAddress, UInt64(input.count), nil, 0)
        }
        return out
    }

    /// Lower-case hex of a digest (for request digests and logs of ids, never of secrets).
    public static func hex(_ bytes: [UInt8]) -> String {
        Hex.encode(bytes, lowercase: true)
    }

    /// Constant-time equality of two digests.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count, !a.isEmpty else { return false }
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                guard let xb = x.baseAddress, let yb = y.baseAddress else { return false }
                return sodium_memcmp(xb, yb, x.count) == 0
            }
        }
    }
}
