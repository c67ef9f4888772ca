import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Backup and restore of the SQLite store while the gateway runs (`smskit gateway backup|restore`).
///
/// A backup is SQLite's online backup (`sqlite3_backup_*`, through GRDB's `backup(to:)`) of the
/// live WAL database, taken in one step under one read transaction: a consistent snapshot of every
/// commit up to that moment, while the gateway keeps accepting and sending. The copy is turned into
/// a single self-contained file (rollback journal, no `-wal`), checked (`PRAGMA integrity_check`),
/// fsynced, created `0600` and renamed into place, so a backup file is either complete or absent.
/// The data directory's `webhook.key` (which seals webhook secrets) is copied beside it as
/// `FILE.webhook.key`.
///
/// ```swift
/// let summary = try SQLiteBackup.backup(databasePath: "/var/lib/smskit/gateway.sqlite", to: "/backup/smskit.sqlite")
/// // later, with the gateway stopped:
/// let dir = try DataDirectory.open("/var/lib/smskit")   // refuses while a gateway runs there
/// try SQLiteBackup.restore(from: "/backup/smskit.sqlite", into: dir)
/// ```
public enum SQLiteBackup {
    /// What a backup file holds.
    public struct Summary: Sendable, Codable, Equatable {
        /// The backup file.
        public var path: String
        /// Its size in bytes.
        public var bytes: Int64
        /// The last schema migration applied in it (the schema version).
        public var schemaVersion: String
        /// Outbound messages in it.
        public var messages: Int
        /// Inbox (received) messages in it.
        public var inbox: Int
        /// Whether a `webhook.key` was copied beside it (`PATH.webhook.key`).
        public var webhookKey: Bool

        enum CodingKeys: String, CodingKey {
            case path, bytes, messages, inbox
            case schemaVersion = "schema_version", webhookKey = "webhook_key"
        }
    }

    /// What ``restore(from:into:)`` did.
    public struct Restored: Sendable, Codable, Equatable {
        /// The backup that was installed.
        public var backup: Summary
        /// Where the data directory's previous database (and WAL) were moved, if there was one.
        public var previous: String?
    }

    /// The file beside a backup that holds the data directory's `webhook.key`.
    public static func webhookKeyPath(forBackup path: String) -> String { path + ".webhook.key" }

    /// Takes an online backup of the database at `databasePath` into `destination` (replaced
    /// atomically if it exists), and copies the data directory's `webhook.key` beside it.
    /// - Throws: ``GatewayError/configuration(_:)`` naming the file and what to do.
    public static func backup(databasePath: String, to destination: String) throws(GatewayError) -> Summary {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw .configuration("no gateway database at \(databasePath); check --data-dir")
        }
        let temporary = destination + ".partial-\(getpid())"
        try createPrivateFile(temporary)
        do {
            var sourceConfig = Configuration()
            sourceConfig.busyMode = .timeout(10)
            // A plain connection on the live WAL file: it reads a snapshot, writes nothing, and
            // never blocks the gateway's writer (WAL readers and the writer run side by side).
            let source = try DatabaseQueue(path: databasePath, configuration: sourceConfig)
            let copy = try DatabaseQueue(path: temporary)
            try source.backup(to: copy)  // one step (-1 pages): one consistent snapshot
            try source.close()
            try copy.writeWithoutTransaction { db in
                // One self-contained file: a rollback journal instead of the WAL mode the copy inherited.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
            }
            try copy.close()
        } catch {
            unlink(temporary)
            throw .configuration("backup of \(databasePath) to \(destination) failed: \(error)")
        }
        var summary: Summary
        do {
            summary = try check(temporary, name: destination)
        } catch {
            unlink(temporary)
            throw error
        }
        try fsyncFile(temporary)
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .configuration("cannot move the backup into place at \(destination): \(reason)")
        }
        try fsyncDirectory(of: destination)

        let key = ((databasePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("webhook.key")
        if FileManager.default.fileExists(atPath: key) {
            try copyPrivate(key, to: webhookKeyPath(forBackup: destination))
            summary.webhookKey = true
        }
        return summary
    }

    /// Checks a backup file: an SQLite database that passes `PRAGMA integrity_check`, with a
    /// gateway schema this version of smskit knows (an older one is migrated at start).
    /// - Throws: ``GatewayError/configuration(_:)`` saying what is wrong with it.
    public static func verify(_ path: String) throws(GatewayError) -> Summary {
        var summary = try check(path, name: path)
        summary.webhookKey = FileManager.default.fileExists(atPath: webhookKeyPath(forBackup: path))
        return summary
    }

    /// Installs a verified backup as the database of `directory`, whose lock the caller holds (so
    /// no gateway runs there). The previous database, with its WAL, is moved to
    /// `pre-restore-<unix time>/` in the directory (kept, not deleted), as is a previous `webhook.key`
    /// when the backup has one beside it.
    /// - Throws: ``GatewayError/configuration(_:)``: the backup is unusable, or a file operation failed
    ///   (the data directory is then left as it was, or with its previous files in `pre-restore-…`).
    @discardableResult
    public static func restore(from backup: String, into directory: DataDirectory) throws(GatewayError) -> Restored {
        let summary = try verify(backup)
        let target = directory.databasePath
        let staging = target + ".restoring"
        unlink(staging)
        try copyPrivate(backup, to: staging)
        do { _ = try check(staging, name: staging) } catch {
            unlink(staging)
            throw error
        }

        let fm = FileManager.default
        let stamp = Int(Date().timeIntervalSince1970)
        let aside = (directory.path as NSString).appendingPathComponent("pre-restore-\(stamp)")
        let keyName = "webhook.key"
        let backupKey = webhookKeyPath(forBackup: backup)
        var moved: [String] = ["gateway.sqlite", "gateway.sqlite-wal", "gateway.sqlite-shm"]
        if fm.fileExists(atPath: backupKey) { moved.append(keyName) }
        moved = moved.filter { fm.fileExists(atPath: (directory.path as NSString).appendingPathComponent($0)) }
        var previous: String?
        if !moved.isEmpty {
            do { try fm.createDirectory(atPath: aside, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700]) } catch {
                unlink(staging)
                throw .configuration("cannot create \(aside) for the previous database: \(error.localizedDescription)")
            }
            // The database and its WAL move together, so what is kept is still consistent.
            for name in moved {
                let from = (directory.path as NSString).appendingPathComponent(name)
                guard rename(from, (aside as NSString).appendingPathComponent(name)) == 0 else {
                    let reason = String(cString: strerror(errno))
                    unlink(staging)
                    throw .configuration("cannot move \(from) aside to \(aside): \(reason); move the files back from \(aside) before retrying")
                }
            }
            previous = aside
        }
        guard rename(staging, target) == 0 else {
            throw .configuration("cannot move the restored database into place at \(target): \(String(cString: strerror(errno))); "
                + "the previous files are in \(aside)")
        }
        if fm.fileExists(atPath: backupKey) {
            try copyPrivate(backupKey, to: (directory.path as NSString).appendingPathComponent(keyName))
        }
        try fsyncDirectory(of: target)
        return Restored(backup: summary, previous: previous)
    }

    // MARK: - Checks

    private static func check(_ path: String, name: String) throws(GatewayError) -> Summary {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .configuration("backup \(name) does not exist or is not readable")
        }
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
        do {
            var config = Configuration()
            config.readonly = true
            let db = try DatabaseQueue(path: path, configuration: config)
            defer { try? db.close() }
            return try db.read { db throws(GatewayError) -> Summary in
                let integrity: [String]
                do { integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check") } catch {
                    throw .configuration("backup \(name) is not an SQLite database (\(error)); give a file made by `smskit gateway backup`")
                }
                guard integrity == ["ok"] else {
                    throw .configuration("backup \(name) is damaged (integrity_check: \(integrity.prefix(3).joined(separator: "; "))); "
                        + "use another backup")
                }
                let migrator = Schema.migrator
                let applied: [String]
                let superseded: Bool
                do {
                    applied = try migrator.appliedMigrations(db)
                    superseded = try migrator.hasBeenSuperseded(db)
                } catch {
                    throw .configuration("backup \(name) has no readable schema version (\(error)); give a file made by `smskit gateway backup`")
                }
                guard let version = applied.last else {
                    throw .configuration("backup \(name) is not a gateway database (no schema migrations); "
                        + "give a file made by `smskit gateway backup`")
                }
                guard !superseded else {
                    let unknown = Set((try? migrator.appliedIdentifiers(db)) ?? []).subtracting(migrator.migrations)
                    throw .configuration("backup \(name) has a newer schema than this smskit knows (\(unknown.sorted().joined(separator: ", "))); "
                        + "restore it with the smskit version that made it")
                }
                do {
                    let messages = try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") ?? 0
                    let inbox = try Int.fetchOne(db, sql: "SELECT count(*) FROM inbox") ?? 0
                    return Summary(path: name, bytes: bytes, schemaVersion: version, messages: messages, inbox: inbox, webhookKey: false)
                } catch {
                    throw .configuration("backup \(name) lacks the gateway's tables (\(error)); give a file made by `smskit gateway backup`")
                }
            }
        } catch let error as GatewayError {
            throw error
        } catch {
            throw .configuration("backup \(name) cannot be opened as an SQLite database (\(error)); give a file made by `smskit gateway backup`")
        }
    }

    // MARK: - Files

    private static func createPrivateFile(_ path: String) throws(GatewayError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .configuration("cannot create \(path): \(String(cString: strerror(errno)))") }
        close(fd)
    }

    /// Copies `from` to a new `0600` file `to` (replacing it atomically), fsynced.
    private static func copyPrivate(_ from: String, to: String) throws(GatewayError) {
        let temporary = to + ".partial-\(getpid())"
        unlink(temporary)
        do { try FileManager.default.copyItem(atPath: from, toPath: temporary) } catch {
            throw .configuration("cannot copy \(from) to \(temporary): \(error.localizedDescription)")
        }
        guard chmod(temporary, 0o600) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .configuration("cannot make \(temporary) private (0600): \(reason)")
        }
        do { try fsyncFile(temporary) } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, to) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .configuration("cannot move \(temporary) to \(to): \(reason)")
        }
    }

    private static func fsyncFile(_ path: String) throws(GatewayError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .configuration("cannot open \(path) to fsync it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .configuration("fsync of \(path) failed: \(String(cString: strerror(errno)))") }
    }

    private static func fsyncDirectory(of path: String) throws(GatewayError) {
        let dir = (path as NSString).deletingLastPathComponent
        try fsyncFile(dir.isEmpty ? "." : dir)
    }
}
