import ArgumentParser
import Foundation
import SecureSMS
#if canImport(Glibc)
import Glibc
#endif

/// `smskit keys` — create and inspect SecureSMS identity key files.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create and inspect SecureSMS identity keys (passphrase-encrypted files).",
        subcommands: [Generate.self, Show.self]
    )

    /// `smskit keys generate --out FILE`
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate an identity key pair into FILE (mode 0600), encrypted with a passphrase.",
            discussion: """
            The passphrase comes from --passphrase-file, a systemd credential (LoadCredential=smskit-passphrase:FILE), \
            SMSKIT_PASSPHRASE (least safe) or a terminal prompt (not echoed); it needs at least 12 characters. \
            The key is stretched with Argon2id at libsodium's moderate cost (3 passes, 256 MiB).
            """
        )

        @Option(name: .long, help: "Key file to create.")
        var out: String

        @Option(name: .long, help: "Read the passphrase from this file (mode 0600).")
        var passphraseFile: String?

        @Flag(name: .long, help: "Overwrite an existing file.")
        var force = false

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            if FileManager.default.fileExists(atPath: out), !force {
                throw ValidationError("\(out) already exists; pass --force to replace it")
            }
            let passphrase = try Passphrase.obtain(confirm: true, file: passphraseFile)
            let identity = try Identity.generate()
            try KeyStore.save(identity, to: out, passphrase: passphrase)
            try KeyInfo(file: out, key: identity.publicKey).print(json: json)
        }
    }

    /// `smskit keys show FILE`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the public key and fingerprint of a key file (no passphrase needed).")

        @Argument(help: "Key file.")
        var file: String

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @Flag(name: .long, help: "Read a key file that others can read or write (refused by default, as ssh does).")
        var allowOpenKeyFile = false

        func run() async throws {
            try await reportingFailures {
                try KeyFileCheck.verify(file, allowOpenPermissions: allowOpenKeyFile)
                try KeyInfo(file: file, key: KeyStore.publicKey(at: file)).print(json: json)
            }
        }
    }
}

/// What `keys generate` and `keys show` print.
struct KeyInfo: Encodable {
    var file: String
    var publicKey: String
    var fingerprint: String

    init(file: String, key: PublicKey) {
        self.file = file
        self.publicKey = key.hex
        self.fingerprint = key.fingerprint
    }

    enum CodingKeys: String, CodingKey {
        case file, fingerprint
        case publicKey = "public_key"
    }

    func print(json: Bool) throws {
        if json {
            try Output.json(self)
        } else {
            Swift.print("file:        \(file)\npublic key:  \(publicKey)\nfingerprint: \(fingerprint)")
        }
    }
}

/// Passphrase input, safest first: `--passphrase-file FILE` (mode 0600 or stricter), a systemd credential
/// (`LoadCredential=smskit-passphrase:…` → `$CREDENTIALS_DIRECTORY/smskit-passphrase`), `SMSKIT_PASSPHRASE`
/// (least safe: the environment leaks to child processes and `/proc/PID/environ`), then a terminal prompt
/// with echo off. Every path is checked by `PassphrasePolicy` (a new key) or for emptiness (unlocking).
enum Passphrase {
    /// The credential name systemd services pass the passphrase under.
    static let credentialName = "smskit-passphrase"

    static func obtain(confirm: Bool, file: String? = nil) throws -> String {
        let passphrase = try read(confirm: confirm, file: file)
        if confirm {
            try PassphrasePolicy.check(passphrase)
        } else if passphrase.isEmpty {
            throw SecureSMSError.weakPassphrase("the passphrase is empty")
        }
        return passphrase
    }

    private static func read(confirm: Bool, file: String?) throws -> String {
        if let file { return try fromFile(file, what: "--passphrase-file") }
        let env = ProcessInfo.processInfo.environment
        if let dir = env["CREDENTIALS_DIRECTORY"], !dir.isEmpty,
           FileManager.default.fileExists(atPath: dir + "/" + credentialName) {
            return try fromFile(dir + "/" + credentialName, what: "systemd credential \(credentialName)", checkMode: false)
        }
        if let value = env["SMSKIT_PASSPHRASE"] { return value }
        guard isatty(STDIN_FILENO) != 0 else {
            throw ValidationError("no passphrase: pass --passphrase-file FILE, run as a systemd service with "
                                  + "LoadCredential=\(credentialName):FILE, set SMSKIT_PASSPHRASE (least safe), or run on a terminal")
        }
        let first = try prompt("Passphrase: ")
        if confirm {
            guard try prompt("Repeat passphrase: ") == first else { throw ValidationError("passphrases do not match") }
        }
        return first
    }

    /// The file's content without one trailing newline; refuses files others can read (as ssh does).
    private static func fromFile(_ path: String, what: String, checkMode: Bool = true) throws -> String {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw ValidationError("\(what): cannot read \(path)") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ValidationError("\(what): \(path) is not a regular file") }
        if checkMode, st.st_mode & 0o077 != 0 {
            throw ValidationError("\(what): \(path) is readable by others (mode \(String(st.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
            throw ValidationError("\(what): cannot read \(path) as UTF-8")
        }
        if text.hasSuffix("\n") { text.removeLast() }
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }

    private static func prompt(_ text: String) throws -> String {
        Output.write(Data(text.utf8), to: .standardError)
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            Output.write(Data("\n".utf8), to: .standardError)
        }
        guard let line = readLine(strippingNewline: true) else { throw ValidationError("no passphrase entered") }
        return line
    }
}
