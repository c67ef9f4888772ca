import SMSPDU
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement: write a temporary file (mode 0600) in the same directory, fsync it,
/// rename it over the target, fsync the directory. Readers see the old or the new content, never a mix.
///
/// The temporary file has an unpredictable name and is created with `O_CREAT | O_EXCL | O_NOFOLLOW`, so a
/// planted file or symlink makes the write fail instead of redirecting it; reads refuse symlinks too.
enum AtomicFile {
    /// Atomically replaces `path` with `bytes`, readable and writable by the owner only.
    static func write(_ bytes: [UInt8], to path: String) throws(SecureSMSError) {
        let directory = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) : "."
        let temp = path + ".tmp-" + Hex.encode((try? Sodium.random(8)) ?? [], lowercase: true)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io("cannot create \(temp): \(errnoText())") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buf in
                Glibc.write(fd, buf.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let why = errnoText()
                close(fd)
                unlink(temp)
                throw .io("cannot write \(temp): \(why)")
            }
            written += n
        }
        guard fchmod(fd, 0o600) == 0, fsync(fd) == 0 else {
            let why = errnoText()
            close(fd)
            unlink(temp)
            throw .io("cannot sync \(temp): \(why)")
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let why = errnoText()
            unlink(temp)
            throw .io("cannot replace \(path): \(why)")
        }
        let dirfd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }

    /// Reads the whole file, or nil if it does not exist.
    static func read(_ path: String) throws(SecureSMSError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw .io("\(path) is a symbolic link; refusing to follow it") }
            throw .io("cannot open \(path): \(errnoText())")
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("cannot read \(path): \(errnoText())")
            }
            if n == 0 { break }
            out += buffer.prefix(n)
            if out.count > 64 << 20 { throw .io("\(path) is larger than 64 MiB") }
        }
        return out
    }

    /// The permission bits of `path`.
    static func mode(_ path: String) -> UInt32? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt32(st.st_mode) & 0o777
    }

    /// Takes an exclusive `flock` on `path` (created 0600, never through a symlink) for as long as the
    /// returned descriptor stays open; fails at once if another process holds it.
    static func lock(_ path: String) throws(SecureSMSError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io("cannot open lock file \(path): \(errnoText())") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .io("\(path) is locked: another smskit process uses this state; stop it first "
                      + "(one process per state, e.g. run `secure send` and `secure listen` with different --state)")
        }
        return fd
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
