import CSodium

/// Secret bytes in `sodium_malloc` memory (guard pages, `mlock`ed, not in core dumps where the OS allows),
/// read-only between uses and zeroed by `sodium_free` when the last reference goes.
///
/// Example: `let key = SecretBytes(try Sodium.random(32)); try key.withBytes { try Sodium.x25519(secret: $0, public: pk) }`.
public final class SecretBytes: @unchecked Sendable {
    // Safety: the buffer is written once in `init` and only read afterwards (mprotect'ed read-only).
    private let pointer: UnsafeMutableRawPointer?
    /// Number of bytes.
    public let count: Int

    /// Copies `bytes` into guarded memory and wipes the caller's copy.
    public init(_ bytes: [UInt8]) {
        var source = bytes
        _ = Sodium.ready
        count = source.count
        pointer = sodium_malloc(max(source.count, 1))
        if let pointer {
            source.withUnsafeBytes { if let base = $0.baseAddress { pointer.copyMemory(from: base, byteCount: $0.count) } }
            _ = sodium_mprotect_readonly(pointer)
        }
        Sodium.wipe(&source)
    }

    deinit {
        if let pointer { sodium_free(pointer) }
    }

    /// Runs `body` with a temporary copy of the bytes (wiped afterwards). The copy is what libsodium's
    /// array-based wrappers need; it lives only for the call.
    public func withBytes<T, E: Error>(_ body: ([UInt8]) throws(E) -> T) throws(E) -> T {
        var copy = [UInt8](repeating: 0, count: count)
        if let pointer, count > 0 {
            copy.withUnsafeMutableBytes { $0.baseAddress?.copyMemory(from: pointer, byteCount: count) }
        }
        defer { Sodium.wipe(&copy) }
        return try body(copy)
    }
}
