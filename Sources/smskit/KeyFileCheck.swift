import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks a key file before it is read, as ssh does for private keys: it must be a regular file (a FIFO
/// or device would hang or never end), and readable or writable by its owner only, unless the user
/// overrides with `--allow-open-key-file`.
enum KeyFileCheck {
    /// Throws a `ValidationError` that says what is wrong and how to fix it.
    static func verify(_ path: String, allowOpenPermissions: Bool) throws {
        // O_NONBLOCK: opening a FIFO with no writer must not block; fstat then says what it is.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            throw ValidationError("cannot open key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw ValidationError("cannot stat key file \(path): \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw ValidationError("key file \(path) is not a regular file (a FIFO, device or directory); give the file `smskit keys generate` wrote")
        }
        let mode = st.st_mode & 0o777
        if mode & 0o077 != 0, !allowOpenPermissions {
            throw ValidationError(String(format: "key file %@ has mode %04o: others can read or change it. Run `chmod 600 %@` (or pass --allow-open-key-file)", path, mode, path))
        }
    }
}
