import Foundation
import SerialPort

/// Answers "is this tty in use?" from UUCP lock files (read with `UUCPLock`, the lock `SerialPort`
/// takes) and from other processes' `/proc/<pid>/fd`.
public struct PortOwnership: Sendable {
    /// Directories searched for lock files (`UUCPLock/lockPath(forDevice:directory:)`).
    public var lockDirectories: [String]
    /// Root of the process table (`/proc`); tests may point it elsewhere.
    public var procRoot: String

    /// Defaults to `/run/lock`, `/var/lock` and `/proc`.
    public init(lockDirectories: [String] = ["/run/lock", "/var/lock"], procRoot: String = "/proc") {
        self.lockDirectories = lockDirectories
        self.procRoot = procRoot
    }

    /// True when a live process holds the UUCP lock of `devnode` (this process included: a port
    /// SMSKit itself has open is in use), or another process has it open.
    public func isHeld(_ devnode: String) -> Bool {
        lockOwner(of: devnode) != nil || hasOtherOpener(devnode)
    }

    /// PID of the live process holding the UUCP lock on `devnode` (symlinks resolved, so
    /// `/dev/pts/5` is `LCK..pts_5` and `/dev/smskit/X-at` the lock of the tty it points to), if any.
    /// A stale lock (dead PID, garbage content) does not count, as for `UUCPLock`.
    public func lockOwner(of devnode: String) -> Int32? {
        lockDirectories.lazy.compactMap { UUCPLock.holder(of: devnode, directory: $0) }.first
    }

    /// True when `/proc/<pid>/fd/*` of another process links to `devnode` (or its resolved path).
    public func hasOtherOpener(_ devnode: String) -> Bool {
        let target = (devnode as NSString).resolvingSymlinksInPath
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
