import Foundation
import Glibc
import Testing
import SMSKitTestSupport
import ModemEmulator
import SMSPDU
import SerialPort

/// Issue 14 through the real binary: time options, listen's deletes, signals and locks, key files,
/// messages, unconfirmed sends and the shared reference sequence.
@Suite(.serialized, .enabled(if: cliTestsEnabled, "build smskit first (swift build)"))
struct CLIHardeningTests {
    let home: String
    var env: [String: String] { ["XDG_STATE_HOME": home + "/state", "SMSKIT_PASSPHRASE": "correct horse"] }

    init() throws {
        home = NSTemporaryDirectory() + "smskit-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home + "/state", withIntermediateDirectories: true)
    }

    func generateKey(_ name: String) async throws -> (path: String, publicKey: String) {
        let path = home + "/" + name
        let r = try await runCLI(["keys", "generate", "--out", path, "--json"], environment: env)
        #expect(r.code == 0, "\(r.err)")
        return (path, try jsonObject(try #require(r.out.first))["public_key"] as? String ?? "")
    }

    /// Item 6: these crashed with exit 132 (a Swift conversion trap) on main.
    @Test func hugeTimeValuesAreRefusedNotTrapped() async throws {
        let net = VirtualNetwork(seed: 14, clock: InstantClock())
        let modem = try await net.addModem(number: "+15550001")
        _ = try await net.addModem(number: "+15550002")
        let port = try #require(await modem.portPath)
        let bank = try await generateKey("bank.key")
        let client = try await generateKey("client.key")
        let runs: [[String]] = [
            ["listen", "--port", port, "--timeout", "inf"],
            ["listen", "--port", port, "--timeout", "1e17"],
            ["send", "--port", port, "--to", "+15550002", "--text", "hi", "--report", "--report-timeout", "9223372036854775807"],
            ["secure", "listen", "--port", port, "--key", client.path, "--timeout", "1e11"],
            ["secure", "send", "--port", port, "--key", bank.path, "--peer", client.publicKey, "--to", "+15550002",
             "--text", "hi", "--timeout", "1e11", "--attempts", "1"],
        ]
        for arguments in runs {
            let r = try await runCLI(arguments, environment: env)
            #expect(r.code == 64, "\(arguments): exit \(r.code) \(r.err)")
            #expect(r.err.contains("at most") || r.err.contains("finite"), "\(arguments): \(r.err)")
        }
        await net.shutdown()
    }

    /// Item 7: main stopped at the first failed AT+CMGD after printing.
    @Test func listenGoesOnAfterAFailedDelete() async throws {
        let store = FakeStore()
        for text in ["first", "second"] {
            for pdu in try PDUFactory.deliver(text: text, from: "+41791234567") { _ = store.store(pdu) }
        }
        let fake = try storeModem(store, extra: { c, _ in c == "AT+CMGD=1" ? "\r\n+CMS ERROR: 500\r\n" : nil })
        let r = try await runCLI(["listen", "--port", fake.path, "--json", "--count", "2", "--timeout", "20"], environment: env)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.count == 2)
        #expect(r.err.contains("warning: could not delete"), "\(r.err)")
        #expect(fake.commands.filter { $0 == "AT+CMGD=1" }.count == 3)  // retried, then given up
        #expect(store.indices == [1])
    }

    /// Item 7: SIGTERM to `listen` left its lock file behind on main.
    @Test(.enabled(if: access("/run/lock", W_OK) == 0, "needs a writable /run/lock"))
    func sigtermReleasesTheLockFile() async throws {
        let fake = try FakeModem(script: standardScript())
        let lock = "/run/lock/" + UUCPLock.lockName(forDevice: fake.path)
        let child = try ChildProcess(["listen", "--port", fake.path], environment: env, stderr: .capture)
        await fake.waitFor { $0.contains(.command("AT+CMGL=4")) }
        #expect(FileManager.default.fileExists(atPath: lock))
        child.signal(SIGTERM)
        let code = await child.waitForExit(killingAfter: .seconds(30))
        let err = await child.standardError()
        #expect(code == 128 + SIGTERM, "\(err)")
        #expect(!FileManager.default.fileExists(atPath: lock))
    }

    /// Item 7: open key files loaded without a warning, and `keys show <fifo>` hung, on main.
    @Test func keyFilesMustBePrivateRegularFiles() async throws {
        let key = try await generateKey("id.key")
        #expect(try await runCLI(["keys", "show", key.path], environment: env).code == 0)
        chmod(key.path, 0o644)
        let open = try await runCLI(["keys", "show", key.path], environment: env)
        #expect(open.code == 1 && open.err.hasPrefix("error: ") && open.err.contains("chmod 600"), "\(open.err)")
        #expect(try await runCLI(["keys", "show", key.path, "--allow-open-key-file"], environment: env).code == 0)
        let secure = try await runCLI(["secure", "listen", "--port", "/dev/null", "--key", key.path, "--timeout", "1"], environment: env)
        #expect(secure.code == 1 && secure.err.contains("chmod 600"), "\(secure.err)")
        let fifo = home + "/fifo.key"
        #expect(mkfifo(fifo, 0o600) == 0)
        let started = ContinuousClock.now
        let r = try await runCLI(["keys", "show", fifo], environment: env, limit: 10)
        #expect(ContinuousClock.now - started < .seconds(8), "keys show hung on a FIFO")
        #expect(r.code == 1 && r.err.contains("not a regular file"), "\(r.code) \(r.err)")
    }

    /// Item 8: messages that misled on main.
    @Test func messagesSayWhatHappened() async throws {
        let net = VirtualNetwork(seed: 15, clock: InstantClock())
        let modem = try await net.addModem(number: "+15550001")
        _ = try await net.addModem(number: "+15550002")
        let port = try #require(await modem.portPath)
        let bank = try await generateKey("bank.key")

        let pin = try await runCLI(["info", "--port", port, "--pin", "12"], environment: env)
        #expect(pin.code == 64 && pin.err.contains("4 to 8 digits") && !pin.err.contains("rejected"), "\(pin.err)")

        let zero = String(repeating: "0", count: 64)
        let peer = try await runCLI(["secure", "send", "--port", port, "--key", bank.path, "--peer", zero, "--to", "+15550002",
                                     "--text", "hi", "--timeout", "5", "--attempts", "1"], environment: env)
        #expect(peer.code == 1 && peer.err.hasPrefix("error: "), "\(peer.code) \(peer.err)")
        #expect(peer.err.contains("not a usable X25519 public key") && !peer.err.contains("peer sent"), "\(peer.err)")

        let state = try await runCLI(["secure", "listen", "--port", port, "--key", bank.path, "--state", "/etc/passwd/state",
                                      "--timeout", "1"], environment: env)
        #expect(state.code == 1 && state.err.hasPrefix("error: cannot use the state directory"), "\(state.err)")
        #expect(!state.err.contains("NSCocoaErrorDomain") && !state.err.contains("Error Domain"), "\(state.err)")

        let validity = try await runCLI(["pdu", "encode", "--to", "+41791234567", "--text", "hi", "--validity", "2999-01-01T00:00:00Z"],
                                        environment: env)
        #expect(validity.code != 0 && validity.err.contains("2000–2099"), "\(validity.err)")
        await net.shutdown()
    }

    /// Item 8: the port vanished after the PDU. Main said "it is reopened when it returns" and exit 1.
    @Test func unconfirmedSendSaysTheSMSMayHaveBeenSent() async throws {
        let fake = try FakeModem(script: { input, modem in
            if case .pdu = input { modem.unplug(); return nil }
            return standardScript()(input, modem)
        })
        let r = try await runCLI(["send", "--port", fake.path, "--to", "+41791234567", "--text", "hi", "--json"], environment: env)
        #expect(r.code == 3, "\(r.err)")
        #expect(r.err.contains("may already have been sent") && !r.err.contains("reopened"), "\(r.err)")
        let line = try jsonObject(try #require(r.out.last))
        #expect(line["sent"] as? String == "unconfirmed")
    }

    /// Item 1, sender side: main gave each `smskit send` a random 8-bit reference (a repeat 1 time in 256).
    @Test func consecutiveSendsTakeConsecutiveReferences() async throws {
        let fake = try FakeModem(script: standardScript())
        let text = String(repeating: "templated text ", count: 15)
        for _ in 0..<3 {
            let r = try await runCLI(["send", "--port", fake.path, "--to", "+41791234567", "--text", text], environment: env)
            #expect(r.code == 0, "\(r.err)")
        }
        let refs = fake.received.compactMap { input -> Int? in
            guard case .pdu(let hex) = input, let pdu = try? PDU(hex: hex), case .submit(let s) = pdu.tpdu else { return nil }
            return s.userData.header?.concatenation.map { Int($0.reference) }
        }
        #expect(refs.count == 6)
        let firsts = stride(from: 0, to: refs.count, by: 2).map { refs[$0] }
        #expect(firsts.count == 3 && firsts[1] == (firsts[0] + 1) % 256 && firsts[2] == (firsts[1] + 1) % 256, "\(refs)")
    }
}
