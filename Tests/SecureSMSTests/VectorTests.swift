import Foundation
import Testing
@testable import SecureSMS

/// Test vectors for docs/protocol.md §7, generated with fixed keys. Run with SECURESMS_PRINT_VECTORS=1 to print them.
@Suite struct VectorTests {
    static func seeded(_ byte: UInt8) -> @Sendable () throws(SecureSMSError) -> Handshake.Ephemeral {
        { () throws(SecureSMSError) in try Handshake.Ephemeral.generate(seed: [UInt8](repeating: byte, count: 32)) }
    }

    /// The vector transcript: (name, hex) pairs.
    static func transcript() throws -> [(String, String)] {
        let client = try Identity.generate(seed: [UInt8](repeating: 0xC1, count: 32))
        let bank = try Identity.generate(seed: [UInt8](repeating: 0xB0, count: 32))
        var out: [(String, String)] = [
            ("client.secret (seed C1×32)", TestHex.encode(client.secretKey)),
            ("client.public", client.publicKey.hex),
            ("client.fingerprint", client.publicKey.fingerprint),
            ("client.keyID", TestHex.encode(client.publicKey.keyID)),
            ("bank.secret (seed B0×32)", TestHex.encode(bank.secretKey)),
            ("bank.public", bank.publicKey.hex),
            ("bank.fingerprint", bank.publicKey.fingerprint),
        ]
        // Intro (first contact ever), client ephemeral from seed 01×32.
        let clientConfig = EndpointConfiguration(commitOnDelivery: true)
        let bankConfig = EndpointConfiguration(role: .bank, enrolment: EnrolmentPolicy(open: true), commitOnDelivery: true)
        var c1 = SecureEndpoint(identity: client, state: EndpointState(), configuration: clientConfig, ephemerals: seeded(0x01))
        let intro = try c1.send(text: "Balance?", to: bank.publicKey, number: "+100", now: 0)
        out.append(("intro (text \"Balance?\", counter = first 3 bytes of public(seed 01×32))", TestHex.encode(intro.step.outbound[0].bytes)))
        var bi = SecureEndpoint(identity: bank, state: EndpointState(), configuration: bankConfig, ephemerals: seeded(0x04))
        _ = bi.receive(intro.step.outbound[0].bytes, from: "+200", now: 0)
        let introReply = try bi.send(text: "EUR 42.00", to: client.publicKey, number: "+200", now: 0)
        out.append(("reply to intro (text \"EUR 42.00\", e = seed 04×32)", TestHex.encode(introReply.step.outbound[0].bytes)))
        // The upgrade: the client's ack for the reply carries E_c = public(seed 01×32) (its second ephemeral
        // draw from the seeded source); the bank upgrades on it and answers under the upgraded chain.
        _ = c1.receive(introReply.step.outbound[0].bytes, from: "+100", now: 0)
        let upgradeAck = c1.tick(now: 10)
        out.append(("ack 1 client→bank carrying E_c (upgrade, cumulative 1)", TestHex.encode(upgradeAck.outbound[0].bytes)))
        _ = bi.receive(upgradeAck.outbound[0].bytes, from: "+200", now: 10)
        let upgraded = try bi.send(text: "OK", to: client.publicKey, number: "+200", now: 10)
        out.append(("data 1 bank→client under the upgraded chain (text \"OK\")", TestHex.encode(upgraded.step.outbound[0].bytes)))
        // Hello (KK), client ephemeral from seed 02×32, after the bank knows the client.
        var c2 = SecureEndpoint(identity: client, state: EndpointState(), configuration: clientConfig, ephemerals: seeded(0x02))
        c2.pin(bank.publicKey, number: "+100")
        c2.markIntroduced(bank.publicKey)
        let hello = try c2.send(text: "Balance?", to: bank.publicKey, number: "+100", now: 0)
        out.append(("hello (text \"Balance?\", e = seed 02×32)", TestHex.encode(hello.step.outbound[0].bytes)))
        var b = SecureEndpoint(identity: bank, state: EndpointState(), configuration: bankConfig, ephemerals: seeded(0x03))
        b.enrol(client.publicKey, number: "+200", customerID: "c-1")
        _ = b.receive(hello.step.outbound[0].bytes, from: "+200", now: 0)
        let reply = try b.send(text: "EUR 42.00", to: client.publicKey, number: "+200", now: 0)
        out.append(("reply (text \"EUR 42.00\", e = seed 03×32)", TestHex.encode(reply.step.outbound[0].bytes)))
        _ = c2.receive(reply.step.outbound[0].bytes, from: "+100", now: 0)
        let data = try c2.send(Array("transfer 10".utf8), to: bank.publicKey, number: "+100", now: 0)
        out.append(("data 1 client→bank (bytes \"transfer 10\", piggy-backed ack 000001 0000)", TestHex.encode(data.step.outbound[0].bytes)))
        _ = b.receive(data.step.outbound[0].bytes, from: "+200", now: 0)
        let ack = b.tick(now: 100)
        out.append(("ack 1 bank→client (cumulative 2)", TestHex.encode(ack.outbound[0].bytes)))
        return out
    }

    @Test func vectorsAreStable() throws {
        let transcript = try Self.transcript()
        if ProcessInfo.processInfo.environment["SECURESMS_PRINT_VECTORS"] != nil {
            for (name, hex) in transcript { print("\(name)\n    \(hex)") }
        }
        let again = try Self.transcript()
        #expect(transcript.map(\.1) == again.map(\.1))
        let expected = Self.expected
        for (name, hex) in transcript {
            #expect(expected[name] == hex, "vector \(name)")
        }
    }

    static let expected: [String: String] = [
        "client.secret (seed C1×32)":
            "f564179f1d20f7763cec520414d8b9a0f6447f8ca1e1e6aaff76b7cf4c761a42",
        "client.public":
            "6cf251d3cf2a8e08aab09c6ad68eca6d3d7421c948e4e8df0f48718429809f68",
        "client.fingerprint":
            "5RPT-GSHY-P5C6-GYPB-FJS5",
        "client.keyID":
            "dbdb13",
        "bank.secret (seed B0×32)":
            "43cd448997eecce8f96502dc99d8a71536880032cc74f906ba6919ef0747cc8c",
        "bank.public":
            "e76c9deb04699062f797dba170461f423ab308ba33dafcb6bec1e3a6bc7b720b",
        "bank.fingerprint":
            "F4V9-GPYW-V99H-LFVB-SEHU",
        "intro (text \"Balance?\", counter = first 3 bytes of public(seed 01×32))":
            "8c6cf251d3cf2a8e08aab09c6ad68eca6d3d7421c948e4e8df0f48718429809f681b1b58e21b3d13f079cfede676ed8621b2d25b61ca58062a3c89",
        "reply to intro (text \"EUR 42.00\", e = seed 04×32)":
            "94edd03cade80d29de6ea313a74ab369f4732ecb36649066b78b5b2dd664cb04176bb0d3216402fa8bd635f8203d97ecbda61170f77d84551c",
        "ack 1 client→bank carrying E_c (upgrade, cumulative 1)":
            "a00000011b1b58dd50ea14b60da17b790cd02754d970c9bab864ebb3c0f3016fe51d3f57b2937349f5c38a51c5a2a5c6e2c47220cc1e92feb6",
        "data 1 bank→client under the upgraded chain (text \"OK\")":
            "9c000001dd4706653ae76133ff5f2dce74c09b92ec90",
        "hello (text \"Balance?\", e = seed 02×32)":
            "84dbdb1360346e7c911a5f6ba154129174cafe75b294ac3bbd5549632f48cec6266f8410291de89416d2fd55e0992e4c26819bd11b0c157e02d3eb",
        "reply (text \"EUR 42.00\", e = seed 03×32)":
            "9475e270df2952c57ba8367ba8618c178f9fe50db2799d304e74e918d98568614695d4566d1b0c4a25937445250b3c3bf1c1bbea562d149e6a",
        "data 1 client→bank (bytes \"transfer 10\", piggy-backed ack 000001 0000)":
            "9a00000148a39c72d667fc9e9af5bedd7313438ea0900596399d5a238d64c0ba9dfa5f3a",
        "ack 1 bank→client (cumulative 2)":
            "a000000180d27053034df947f5d83a50e3f4138e1b0b4a5606",
    ]
}
