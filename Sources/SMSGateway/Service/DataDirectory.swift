import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The gateway's data directory: created `0700`, holding `gateway.sqlite` (and its WAL) and
/// `gateway.lock`, an exclusive `flock` so two gateways never share one directory.
public final class DataDirectory: Sendable {
    public let path: String
    private let lockFD: Int32

    /// The database file in `dir`.
    public static func databasePath(in dir: String) -> String { (dir as NSString).appendingPathComponent("gateway.sqlite") }

    /// Creates `dir` (mode 0700) if it is missing.
    public static func create(_ dir: String) throws(GatewayError) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            guard isDir.boolValue else { throw .configuration("data dir \(dir) exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .configuration("cannot create data dir \(dir): \(error.localizedDescription)")
        }
    }

    /// Creates the directory if needed and takes its lock.
    /// - Throws: ``GatewayError/configuration(_:)`` when another gateway holds the lock.
    public static func open(_ dir: String) throws(GatewayError) -> DataDirectory {
        try create(dir)
        let lockPath = (dir as NSString).appendingPathComponent("gateway.lock")
        let fd = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .configuration("cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .configuration("another gateway is running on \(dir) (\(lockPath) is locked); stop it or use another --data-dir")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        return DataDirectory(path: dir, lockFD: fd)
    }

    private init(path: String, lockFD: Int32) {
        self.path = path
        self.lockFD = lockFD
    }

    /// The database file.
    public var databasePath: String { Self.databasePath(in: path) }

    /// Releases the lock (also released by the kernel when the process dies, even by `kill -9`).
    public func release() { close(lockFD) }
}
