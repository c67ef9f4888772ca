import Foundation
import Testing
@testable import SecureSMS

@Suite struct PersistenceTests {
    static func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "securesms-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func keyFileRoundTripPermissionsAndErrors() throws {
        let dir = try Self.tempDir()
        let path = dir + "/bank.key"
        try KeyStore.save(Fixtures.bank, to: path, passphrase: "correct horse", cost: .minimum)
        #expect(AtomicFile.mode(path) == 0o600)
        #expect(try KeyStore.publicKey(at: path) == Fixtures.bank.publicKey)
        #expect(try KeyStore.load(path, passphrase: "correct horse").publicKey == Fixtures.bank.publicKey)
        #expect(throws: SecureSMSError.wrongPassphrase) { try KeyStore.load(path, passphrase: "wrong") }
        // A modified public key (authenticated as AD) fails like a wrong passphrase; junk is "corrupt".
        var bytes = try #require(try AtomicFile.read(path))
        bytes[40] ^= 1
        try AtomicFile.write(bytes, to: path)
        #expect(throws: SecureSMSError.wrongPassphrase) { try KeyStore.load(path, passphrase: "correct horse") }
        try AtomicFile.write(Array("not a key".utf8), to: path)
        #expect(throws: SecureSMSError.self) { try KeyStore.load(path, passphrase: "correct horse") }
        #expect(throws: SecureSMSError.self) { try KeyStore.load(dir + "/missing.key", passphrase: "x") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(".tmp-") })
    }

    @Test func stateFileIsEncryptedAndBoundToTheIdentity() throws {
        let dir = try Self.tempDir()
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        bank.enrol(Fixtures.client.publicKey, number: "+client", customerID: "c-1")
        do {
            let file = try StateFile(path: dir + "/state", identity: Fixtures.bank)
            try file.save(bank.state)
            #expect(AtomicFile.mode(file.path) == 0o600)
            #expect(file.load() == bank.state)
            let raw = try #require(try AtomicFile.read(file.path))
            #expect(!String(decoding: raw, as: UTF8.self).contains("client"))
            #expect(!String(decoding: raw, as: UTF8.self).contains("c-1"))
        }
        #expect(throws: SecureSMSError.self) { try StateFile(path: dir + "/state", identity: Fixtures.client) }
        #expect(try StateFile(path: dir + "/none", identity: Fixtures.bank).load() == EndpointState())
    }

    /// A restart in the middle of a conversation neither breaks it nor reuses a counter (nonce).
    @Test func restartContinuesWithoutNonceReuse() throws {
        let dir = try Self.tempDir()
        var (client, bank, data) = try AdversaryTests.established()
        _ = bank.receive(data, from: "+client", now: 200)
        let clientFile = try StateFile(path: dir + "/client", identity: Fixtures.client)
        try clientFile.save(client.state)
        let before = try client.send(Array("second".utf8), to: Fixtures.bank.publicKey, number: "+bank", now: 201)
        // Crash after sealing but the state was saved *before* the send: the restored endpoint is behind.
        // The endpoint contract is to save after every call; do that and restart from the saved file.
        try clientFile.save(client.state)
        var restarted = SecureEndpoint(identity: Fixtures.client, state: clientFile.load(), configuration: client.configuration)
        let after = try restarted.send(Array("third".utf8), to: Fixtures.bank.publicKey, number: "+bank", now: 202)
        let c1 = try Frame(bytes: before.step.outbound[0].bytes).counter
        let c2 = try Frame(bytes: after.step.outbound[0].bytes).counter
        #expect(c2 == c1 + 1)
        let got = bank.receive(before.step.outbound[0].bytes, from: "+client", now: 203).messages
            + bank.receive(after.step.outbound[0].bytes, from: "+client", now: 204).messages
        #expect(got.map(\.text) == ["second", "third"])
    }
}

@Suite struct KeyFileHostileCostTests {
    @Test func excessiveArgonCostIsRefusedNotRun() throws {
        let dir = try PersistenceTests.tempDir()
        let path = dir + "/k.key"
        try KeyStore.save(Fixtures.client, to: path, passphrase: "purple monkey dishwasher", cost: .minimum)
        var bytes = try #require(try AtomicFile.read(path))
        for i in 4..<12 { bytes[i] = 0xFF }  // ops = 2^64 - 1
        try AtomicFile.write(bytes, to: path)
        #expect(throws: SecureSMSError.self) { try KeyStore.load(path, passphrase: "purple monkey dishwasher") }
    }
}

/// v2 key and state storage: one process per state file, no symlink games, no empty or weak passphrase.
@Suite struct StorageHardeningTests {
    /// v1: `secure send` and `secure listen` (or two of either) shared one state file and rolled each other
    /// back, reusing keys. v2: the second opener fails at once with an error that says why.
    @Test func aSecondOpenerOfAStateFileFailsClearly() throws {
        let dir = try PersistenceTests.tempDir()
        let first = try StateFile(path: dir + "/s.state", identity: Fixtures.client)
        try first.save(EndpointState())
        #expect {
            try StateFile(path: dir + "/s.state", identity: Fixtures.client)
        } throws: { error in
            "\(error)".contains("locked")
        }
        _ = first
    }

    /// v1 followed a symlink planted at the state path on read and wrote through a predictable temp name.
    @Test func symlinksAreRefusedAndTempNamesAreUnpredictable() throws {
        let dir = try PersistenceTests.tempDir()
        let target = dir + "/elsewhere"
        try AtomicFile.write([1, 2, 3], to: target)
        let link = dir + "/linked.state"
        #expect(symlink(target, link) == 0)
        #expect(throws: SecureSMSError.self) { try AtomicFile.read(link) }
        // A planted file at what v1 would have used as the temp name does not redirect or break the write.
        let planted = dir + "/k.tmp-\(getpid())"
        #expect(symlink(target, planted) == 0)
        try AtomicFile.write([9], to: dir + "/k")
        #expect(try AtomicFile.read(target) == [1, 2, 3])
        #expect(try AtomicFile.read(dir + "/k") == [9])
    }

    @Test func emptyAndWeakPassphrasesAreRefused() throws {
        let dir = try PersistenceTests.tempDir()
        for weak in ["", "short", "aaaaaaaaaaaaaaaa", "Password1234", "abababababababab"] {
            #expect(throws: SecureSMSError.self) { try KeyStore.save(Fixtures.client, to: dir + "/w.key", passphrase: weak, cost: .minimum) }
        }
        try KeyStore.save(Fixtures.client, to: dir + "/ok.key", passphrase: "correct horse battery", cost: .minimum)
        #expect(throws: SecureSMSError.weakPassphrase("the passphrase is empty")) { try KeyStore.load(dir + "/ok.key", passphrase: "") }
        #expect(Sodium.PasswordHashCost.moderate.memory >= 256 << 20)
        #expect(Sodium.PasswordHashCost.moderate.ops >= 3)
    }

    /// The state key is random and wrapped, not derived from the identity alone: two files of one identity
    /// are encrypted under different keys.
    @Test func stateKeysAreRandomPerFile() throws {
        let dir = try PersistenceTests.tempDir()
        do {
            let a = try StateFile(path: dir + "/a", identity: Fixtures.client)
            let b = try StateFile(path: dir + "/b", identity: Fixtures.client)
            try a.save(EndpointState())
            try b.save(EndpointState())
        }
        let ra = try #require(try AtomicFile.read(dir + "/a"))
        let rb = try #require(try AtomicFile.read(dir + "/b"))
        // Move b's body under a's wrapped key: it no longer opens (different state keys).
        let spliced = Array(ra.prefix(4 + 72)) + Array(rb.dropFirst(4 + 72))
        try AtomicFile.write(spliced, to: dir + "/a")
        // Reading it fails as tampering (the file's lock is free again, so this is not the lock refusing).
        #expect {
            try StateFile(path: dir + "/a", identity: Fixtures.client)
        } throws: { error in
            guard case SecureSMSError.corruptKeyFile = error else { return false }
            return true
        }
    }
}
