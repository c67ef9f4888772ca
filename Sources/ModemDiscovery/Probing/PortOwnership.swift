import Foundation

/// Answers "does another process hold this tty?" from UUCP lock files and `/proc/<pid>/fd`.
public struct PortOwnership: Sendable {
    /// Directories searched for `LCK..<name>` files.
    public var lockDirectories: [String]
    /// Root of the process table (`/proc`); tests may point it elsewhere.
    public var procRoot: String

    /// Defaults to `/run/lock`, `/var/lock` and `/proc`.
    public init(lockDirectories: [String] = ["/run/lock", "/var/lock"], procRoot: String = "/proc") {
        self.lockDirectories = lockDirectories
        self.procRoot = procRoot
    }

    /// True when a live process other than this one locks or has `devnode` open.
    public func isHeld(_ devnode: String) -> Bool {
        lockOwner(of: devnode) != nil || hasOtherOpener(devnode)
    }

    /// PID of a live process holding a UUCP lock `LCK..ttyUSB0` on the port, if any. A stale lock
    /// (dead PID) does not count; an unreadable PID counts as held and is reported as -1.
    public func lockOwner(of devnode: String) -> Int32? {
        let name = "LCK.." + (devnode.split(separator: "/").last.map(String.init) ?? devnode)
        for directory in lockDirectories {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
            guard let pid = Self.lockPID(data) else { return -1 }
            if pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM) { return pid }
        }
        return nil
    }

    /// The PID in a lock file: ASCII (HDB style, "     1234\n") or, rarely, a binary 4-byte integer.
    static func lockPID(_ data: Data) -> Int32? {
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if let pid = Int32(text), pid > 0 { return pid }
        // Four bytes that are not all printable ASCII: a binary (Kermit/C-Kermit style) PID.
        guard data.count == 4, !data.allSatisfy({ (0x20...0x7e).contains($0) }) else { return nil }
        let pid = data.reversed().reduce(Int32(0)) { ($0 << 8) | Int32($1) }
        return pid > 0 ? pid : nil
    }

    /// True when `/proc/<pid>/fd/*` of another process links to `devnode` (or its resolved path).
    public func hasOtherOpener(_ devnode: String) -> Bool {
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: devnode)).map {
            $0.hasPrefix("/") ? $0 : (devnode as NSString).deletingLastPathComponent + "/" + $0
        } ?? devnode
        let me = String(getpid())
        guard let pids = try? FileManager.default.contentsOfDirectory(atPath: procRoot) else { return false }
        for pid in pids where pid != me && pid.allSatisfy(\.isNumber) {
            let fdDirectory = procRoot + "/" + pid + "/fd"
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: fdDirectory) else { continue }
            for fd in fds {
                if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: fdDirectory + "/" + fd),
                   link == devnode || link == target {
                    return true
                }
            }
        }
        return false
    }
}
