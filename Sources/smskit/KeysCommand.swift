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
            discussion: "The passphrase comes from SMSKIT_PASSPHRASE or is asked for on the terminal (not echoed)."
        )

        @Option(name: .long, help: "Key file to create.")
        var out: String

        @Flag(name: .long, help: "Overwrite an existing file.")
        var force = false

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            if FileManager.default.fileExists(atPath: out), !force {
                throw ValidationError("\(out) already exists; pass --force to replace it")
            }
            let passphrase = try Passphrase.obtain(confirm: true)
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

/// Passphrase input: `SMSKIT_PASSPHRASE`, else a terminal prompt with echo off.
enum Passphrase {
    static func obtain(confirm: Bool) throws -> String {
        if let env = ProcessInfo.processInfo.environment["SMSKIT_PASSPHRASE"] { return env }
        guard isatty(STDIN_FILENO) != 0 else {
            throw ValidationError("no passphrase: set SMSKIT_PASSPHRASE or run on a terminal")
        }
        let first = try prompt("Passphrase: ")
        if confirm {
            guard try prompt("Repeat passphrase: ") == first else { throw ValidationError("passphrases do not match") }
        }
        guard !first.isEmpty else { throw ValidationError("empty passphrase") }
        return first
    }

    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw ValidationError("no passphrase entered") }
        return line
    }
}
