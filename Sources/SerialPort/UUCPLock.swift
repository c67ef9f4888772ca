import Foundation
import Glibc

/// A UUCP-style lock file (`/run/lock/LCK..ttyUSB2`) holding the owner's PID as ten ASCII
/// characters and a newline (the FHS format that minicom, ModemManager and lockdev use).
///
/// The device path is resolved through symlinks first, so `/dev/serial/by-id/...` and
/// `/dev/ttyUSB2` share one lock. The name is the path below `/dev/` with every `/` replaced by
/// `_` (`/dev/pts/5` → `LCK..pts_5`), because a lock name must not contain `/`.
/// A lock whose PID is not a live process (or is unreadable) is stale and taken over.
public struct UUCPLock: Sendable {
    /// Full path of the lock file.
    public let path: String

    /// Lock-file name for a device path: `LCK..` + the path below `/dev/` with `/` → `_`.
    ///
    /// ```swift
    /// UUCPLock.lockName(forDevice: "/dev/pts/5") // "LCK..pts_5"
    /// ```
    public static func lockName(forDevice device: String) -> String {
        var name = device
        if name.hasPrefix("/dev/") { name.removeFirst(5) }
        while name.hasPrefix("/") { name.removeFirst() }
        return "LCK.." + name.replacingOccurrences(of: "/", with: "_")
    }

    /// The lock file ``SerialPort`` uses for `device` in `directory`: symlinks are resolved first,
    /// so `/dev/serial/by-id/usb-...-if02-port0` and `/dev/ttyUSB2` name the same lock.
    ///
    /// ```swift
    /// UUCPLock.lockPath(forDevice: "/dev/pts/5", directory: "/run/lock") // "/run/lock/LCK..pts_5"
    /// ```
    public static func lockPath(forDevice device: String, directory: String = "/run/lock") -> String {
        directory + "/" + lockName(forDevice: (device as NSString).resolvingSymlinksInPath)
    }

    /// The live process holding the UUCP lock on `device` in `directory` (this process included),
    /// or nil when there is no lock or it is stale: its PID is not a running process, or the file
    /// is unreadable or garbage (``SerialPort`` would take such a lock over).
    ///
    /// ```swift
    /// if let pid = UUCPLock.holder(of: "/dev/ttyUSB2") { print("in use by process \(pid)") }
    /// ```
    public static func holder(of device: String, directory: String = "/run/lock") -> pid_t? {
        guard let pid = try? readPID(at: lockPath(forDevice: device, directory: directory)), isAlive(pid) else { return nil }
        return pid
    }

    /// The content written to a lock file for `pid`: `%10d\n` (11 bytes).
    public static func content(pid: Int32) -> String {
        let digits = String(pid)
        return String(repeating: " ", count: max(0, 10 - digits.count)) + digits + "\n"
    }

    /// Parses a lock file's PID: ASCII (spaces allowed), or the old 4-byte binary form.
    static func pid(from data: [UInt8]) -> Int32? {
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if let pid = Int32(text), pid > 0 { return pid }
        if data.count == 4 {
            let pid = data.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
            return pid > 0 ? pid : nil
        }
        return nil
    }

    /// Whether `pid` names a running process (`kill(pid, 0)`; `EPERM` still means alive).
    static func isAlive(_ pid: Int32) -> Bool {
        if kill(pid, 0) == 0 { return true }
        return errno == EPERM
    }

    /// Takes the lock for `device` in `directory`, removing a stale lock first.
    /// Returns nil when the policy allows going on without a lock file.
    static func acquire(device: String, directory: String, policy: LockPolicy) throws(SerialPortError) -> UUCPLock? {
        if policy == .disabled { return nil }
        let lockPath = Self.lockPath(forDevice: device, directory: directory)
        let me = getpid()
        for _ in 0..<3 {
            if let holder = try? readPID(at: lockPath) {
                if holder != me && isAlive(holder) { throw .locked(path: device, pid: holder) }
                if holder == me { throw .locked(path: device, pid: holder) }
                unlink(lockPath)  // stale: the owner is gone
            } else if FileManager.default.fileExists(atPath: lockPath) {
                unlink(lockPath)  // unreadable or garbage content: stale
            }
            let result = createExclusively(lockPath: lockPath, content: content(pid: me))
            switch result {
            case 0: return UUCPLock(path: lockPath)
            case EEXIST: continue  // raced with another process; re-check its PID
            default:
                if policy == .bestEffort { return nil }
                throw .lockFailed(lockPath: lockPath, errno: result)
            }
        }
        if let holder = try? readPID(at: lockPath) { throw .locked(path: device, pid: holder) }
        throw .lockFailed(lockPath: lockPath, errno: EEXIST)
    }

    /// Removes the lock file if it still holds this process's PID.
    func release() {
        if let holder = try? Self.readPID(at: path), holder == getpid() { unlink(path) }
    }

    private struct Unreadable: Error {}

    private static func readPID(at path: String) throws -> Int32 {
        guard let data = FileManager.default.contents(atPath: path) else { throw Unreadable() }
        guard let pid = pid(from: Array(data)) else { throw Unreadable() }
        return pid
    }

    /// Writes a temp file and `link(2)`s it to the lock name: atomic, fails with `EEXIST` if held.
    /// Returns 0 on success or an `errno`.
    private static func createExclusively(lockPath: String, content: String) -> Int32 {
        let temp = lockPath + ".tmp\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 { return errno }
        let bytes = Array(content.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let writeErr = written == bytes.count ? 0 : errno
        Glibc.close(fd)
        defer { unlink(temp) }
        if writeErr != 0 { return writeErr == 0 ? EIO : writeErr }
        if link(temp, lockPath) != 0 { return errno }
        return 0
    }
}
