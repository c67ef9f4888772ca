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
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"))
    }

    @Test func stateFileIsEncryptedAndBoundToTheIdentity() throws {
        let dir = try Self.tempDir()
        var bank = Fixtures.endpoint(Fixtures.bank, tag: 2)
        bank.pin(Fixtures.client.publicKey, number: "+client")
        let file = StateFile(path: dir + "/state", identity: Fixtures.bank)
        try file.save(bank.state)
        #expect(AtomicFile.mode(file.path) == 0o600)
        #expect(try file.load() == bank.state)
        let raw = try #require(try AtomicFile.read(file.path))
        #expect(!String(decoding: raw, as: UTF8.self).contains("client"))
        let other = StateFile(path: dir + "/state", identity: Fixtures.client)
        #expect(throws: SecureSMSError.self) { try other.load() }
        #expect(try StateFile(path: dir + "/none", identity: Fixtures.bank).load() == EndpointState())
    }

    /// A restart in the middle of a conversation neither breaks it nor reuses a counter (nonce).
    @Test func restartContinuesWithoutNonceReuse() throws {
        let dir = try Self.tempDir()
        var (client, bank, data) = try AdversaryTests.established()
        _ = bank.receive(data, from: "+client", now: 200)
        let clientFile = StateFile(path: dir + "/client", identity: Fixtures.client)
        try clientFile.save(client.state)
        let before = try client.send(Array("second".utf8), to: Fixtures.bank.publicKey, number: "+bank", now: 201)
        // Crash after sealing but the state was saved *before* the send: the restored endpoint is behind.
        // The endpoint contract is to save after every call; do that and restart from the saved file.
        try clientFile.save(client.state)
        var restarted = SecureEndpoint(identity: Fixtures.client, state: try clientFile.load())
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
        try KeyStore.save(Fixtures.client, to: path, passphrase: "p", cost: .minimum)
        var bytes = try #require(try AtomicFile.read(path))
        for i in 4..<12 { bytes[i] = 0xFF }  // ops = 2^64 - 1
        try AtomicFile.write(bytes, to: path)
        #expect(throws: SecureSMSError.self) { try KeyStore.load(path, passphrase: "p") }
    }
}
