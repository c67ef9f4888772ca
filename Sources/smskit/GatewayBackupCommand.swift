import ArgumentParser
import Foundation
import SMSGateway

/// `smskit gateway backup`: an online, consistent copy of the SQLite store while the gateway runs.
struct GatewayBackup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the gateway's SQLite database while it runs (SQLite online backup).",
        discussion: """
            Writes a consistent snapshot of DATA_DIR/gateway.sqlite (every commit up to now, the WAL included) to FILE: \
            one self-contained SQLite file, checked, fsynced, mode 0600, replaced atomically. DATA_DIR/webhook.key is \
            copied beside it as FILE.webhook.key. The gateway keeps running. On PostgreSQL (--database) use pg_dump.
            """)

    @OptionGroup var data: DataDirOption
    @Option(help: "The backup file to write.") var to: String
    @Flag(help: "JSON output.") var json = false

    func run() async throws {
        let file = try data.load()
        if data.databaseURL(file) != nil {
            Output.error("error: the gateway's store is PostgreSQL (--database); back it up with the server's tools: "
                + "pg_dump --format=custom --file=smskit.dump DATABASE (and restore with pg_restore); "
                + "`smskit gateway backup` copies the SQLite store only")
            throw ExitCode.failure
        }
        let dir = data.directory(file)
        let summary: SQLiteBackup.Summary
        do { summary = try SQLiteBackup.backup(databasePath: DataDirectory.databasePath(in: dir), to: to) } catch {
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
        if json { try Output.json(summary) } else {
            print("backed up \(dir) to \(summary.path): \(summary.messages) messages, \(summary.inbox) inbox messages, "
                  + "schema \(summary.schemaVersion), \(summary.bytes) bytes"
                  + (summary.webhookKey ? "; webhook key in \(SQLiteBackup.webhookKeyPath(forBackup: summary.path))" : ""))
        }
    }
}

/// `smskit gateway restore`: installs a backup as a stopped gateway's database.
struct GatewayRestore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into a data directory (the gateway on it must be stopped).",
        discussion: """
            Verifies FILE (integrity_check and a schema this smskit knows), then makes it DATA_DIR/gateway.sqlite. \
            Refuses while a gateway holds DATA_DIR (its gateway.lock). The previous database and WAL are moved to \
            DATA_DIR/pre-restore-<unix time>/, not deleted. FILE.webhook.key, if present, becomes DATA_DIR/webhook.key.
            """)

    @OptionGroup var data: DataDirOption
    @Option(help: "The backup file (from smskit gateway backup).") var from: String
    @Flag(help: "JSON output.") var json = false

    func run() async throws {
        let file = try data.load()
        if data.databaseURL(file) != nil {
            Output.error("error: the gateway's store is PostgreSQL (--database); restore it with pg_restore")
            throw ExitCode.failure
        }
        let dir = data.directory(file)
        let restored: SQLiteBackup.Restored
        do {
            let lock = try DataDirectory.open(dir)
            defer { lock.release() }
            restored = try SQLiteBackup.restore(from: from, into: lock)
        } catch {
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
        if json { try Output.json(restored) } else {
            print("restored \(from) into \(dir): \(restored.backup.messages) messages, \(restored.backup.inbox) inbox messages, "
                  + "schema \(restored.backup.schemaVersion)" + (restored.previous.map { "; the previous database is in \($0)" } ?? ""))
        }
    }
}
