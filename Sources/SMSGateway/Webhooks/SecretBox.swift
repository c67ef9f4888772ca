import CSodium
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Seals webhook secrets before they reach the store: XSalsa20-Poly1305 (libsodium
/// `crypto_secretbox_easy`, NaCl's secretbox) under a 32-byte key kept in its own file
/// (`webhook.key` in the data directory, mode 0600). The database — and its backups, or a
/// PostgreSQL server on another host — holds only `nonce ‖ ciphertext`; signing needs the key file.
public struct SecretBox: Sendable {
    private let key: [UInt8]

    /// A box with a fresh random key that lives only in memory (tests, throwaway stores).
    public static func ephemeral() -> SecretBox {
        _ = sodium_init()
        var key = [UInt8](repeating: 0, count: crypto_secretbox_keybytes())
        randombytes_buf(&key, key.count)
        return SecretBox(key: key)
    }

    /// Reads the key file at `path`, creating it (0600) with a random key when it is missing. A new
    /// key is written to a temporary file and linked into place, so a process that starts at the
    /// same moment on the same directory (gateway hosts sharing one on PostgreSQL) either creates the
    /// key or reads the complete one the other created, never a half-written file.
    /// - Throws: ``GatewayError/configuration(_:)`` when it cannot be read or written, has the wrong
    ///   size, or can be read by others than its owner.
    public static func loadOrCreate(path: String) throws(GatewayError) -> SecretBox {
        if FileManager.default.fileExists(atPath: path) { return try load(path: path) }
        let box = ephemeral()
        let temporary = path + ".new-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .configuration("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        defer { unlink(temporary) }
        let written = box.key.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == box.key.count, synced else { throw .configuration("cannot write \(temporary)") }
        guard link(temporary, path) == 0 else {
            let reason = errno
            if reason == EEXIST { return try load(path: path) }  // another process created it first
            throw .configuration("cannot create \(path): \(String(cString: strerror(reason)))")
        }
        return box
    }

    /// Reads an existing key file.
    private static func load(path: String) throws(GatewayError) -> SecretBox {
        let size = crypto_secretbox_keybytes()
        var info = stat()
        guard stat(path, &info) == 0 else { throw .configuration("cannot stat \(path)") }
        guard info.st_mode & 0o077 == 0 else {
            throw .configuration("\(path) can be read by others; chmod 600 it (it protects the webhook secrets)")
        }
        guard let data = FileManager.default.contents(atPath: path), data.count == size else {
            throw .configuration("\(path) is not a \(size)-byte key; restore it from a backup (without it, webhooks cannot be signed)")
        }
        return SecretBox(key: Array(data))
    }

    init(key: [UInt8]) { self.key = key }

    /// `nonce ‖ secretbox(plaintext)`.
    public func seal(_ plaintext: [UInt8]) -> [UInt8] {
        _ = sodium_init()
        var nonce = [UInt8](repeating: 0, count: crypto_secretbox_noncebytes())
        randombytes_buf(&nonce, nonce.count)
        var out = [UInt8](repeating: 0, count: plaintext.count + crypto_secretbox_macbytes())
        _ = crypto_secretbox_easy(&out, plaintext, UInt64(plaintext.count), nonce, key)
        return nonce + out
    }

    /// The plaintext of a sealed value; nil when it was sealed under another key or altered.
    public func open(_ sealed: [UInt8]) -> [UInt8]? {
        let n = crypto_secretbox_noncebytes(), mac = crypto_secretbox_macbytes()
        guard sealed.count >= n + mac else { return nil }
        let nonce = Array(sealed[..<n])
        let box = Array(sealed[n...])
        var out = [UInt8](repeating: 0, count: box.count - mac)
        let ok = crypto_secretbox_open_easy(&out, box, UInt64(box.count), nonce, key)
        return ok == 0 ? out : nil
    }
}
