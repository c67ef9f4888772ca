import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SecureSMS
import Testing
@testable import SMSGateway

/// `/v1/peers` and `"secure"` messages at the router: validation, problem+json, and what is stored.
@Suite("HTTP API: secure peers and secure messages")
struct APISecurePeersTests {
    static let invalid = "urn:smskit:problem:invalid-field"
    /// The bank identity and two customer keys, from fixed seeds.
    static func bank() throws -> Identity { try Identity.generate(seed: [UInt8](repeating: 7, count: 32)) }
    static func customer(_ n: UInt8) throws -> PublicKey { try Identity.generate(seed: [UInt8](repeating: n, count: 32)).publicKey }

    /// A harness with secure messaging over its store (the engine's state in memory).
    static func secure(_ harness: APIHarness) async throws -> SecureMessaging {
        try await SecureMessaging(identity: try bank(), stateStore: nil, store: harness.store, sendBell: Doorbell(),
                            inboxBell: Doorbell(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    }

    @Test("POST /v1/peers enrols a key: 201 with Location, the key as `smskit keys show` prints it, its fingerprint; GET and the list show it")
    func enrol() async throws {
        let harness = try await APIHarness()
        let key = try Self.customer(1)
        try await harness.test(secure: try await Self.secure(harness)) { client in
            // Upper-case hex and a number with spaces are accepted and normalised.
            let created = try await client.post("/v1/peers", #"{"public_key":"\#(key.hex.uppercased())","number":"+1 555 0003","customer_id":"c-42"}"#)
            #expect(created.status == .created)
            let peer = try created.decode(PeerResource.self)
            #expect(peer.id.hasPrefix("peer_"))
            #expect(created.headers[.location] == "/v1/peers/\(peer.id)")
            #expect(peer.publicKey == key.hex)
            #expect(peer.fingerprint == key.fingerprint)
            #expect(peer.number == "+15550003")
            #expect(peer.customerID == "c-42")
            let object = try created.object()
            #expect(Set(object.keys) == ["id", "public_key", "fingerprint", "number", "customer_id", "created_at"])

            let got = try await client.get("/v1/peers/\(peer.id)")
            #expect(got.status == .ok)
            #expect(try got.decode(PeerResource.self).publicKey == key.hex)
            let page = try await client.get("/v1/peers")
            #expect(try page.decode(PeerPage.self).peers.map(\.id) == [peer.id])
        }
        #expect(try await harness.store.peer(publicKey: key.hex)?.state == "enrolled", "marked enrolled once the engine has it")
    }

    @Test("the same key twice is 409 peer-exists naming the first peer, in any letter case; nothing more is stored")
    func duplicate() async throws {
        let harness = try await APIHarness()
        let key = try Self.customer(2)
        try await harness.test(secure: try await Self.secure(harness)) { client in
            let first = try await client.post("/v1/peers", #"{"public_key":"\#(key.hex)","number":"+15550003"}"#)
            let id = try first.decode(PeerResource.self).id
            let again = try await client.post("/v1/peers", #"{"public_key":"\#(key.hex.uppercased())","number":"+15550004"}"#)
            #expect(again.status == .conflict)
            let problem = try again.problem()
            #expect(problem.type == "urn:smskit:problem:peer-exists")
            #expect(problem.detail.contains(id))
            #expect(problem.detail.contains("DELETE /v1/peers/\(id)"))
            #expect(try await client.get("/v1/peers").decode(PeerPage.self).peers.count == 1)
        }
    }

    struct BadPeer: Sendable, CustomTestStringConvertible {
        var json: String
        var status: Int
        var field: String?
        var testDescription: String { "\(status) \(field ?? "-"): \(json.prefix(70))" }
    }

    static let zeros = String(repeating: "0", count: 64)

    static func badPeers() throws -> [BadPeer] {
        let good = try customer(3).hex
        let own = try bank().publicKey.hex
        return [
            .init(json: #"{"public_key":"abc","number":"+15550003"}"#, status: 422, field: "public_key"),
            .init(json: #"{"public_key":"\#(good.dropLast())","number":"+15550003"}"#, status: 422, field: "public_key"),
            .init(json: #"{"public_key":"\#(good.dropLast())x","number":"+15550003"}"#, status: 422, field: "public_key"),
            .init(json: #"{"public_key":"\#(zeros)","number":"+15550003"}"#, status: 422, field: "public_key"),
            .init(json: #"{"public_key":"\#(own)","number":"+15550003"}"#, status: 422, field: "public_key"),
            .init(json: #"{"public_key":"\#(good)","number":"call me"}"#, status: 422, field: "number"),
            .init(json: #"{"public_key":"\#(good)","number":"12"}"#, status: 422, field: "number"),
            .init(json: #"{"public_key":"\#(good)","number":"+15550003","customer_id":""}"#, status: 422, field: "customer_id"),
            .init(json: #"{"public_key":"\#(good)","number":"+15550003","customer_id":"\#(String(repeating: "c", count: 129))"}"#, status: 422, field: "customer_id"),
            .init(json: #"{"number":"+15550003"}"#, status: 422, field: "public_key"),
            .init(json: #"{"public_key":"\#(good)"}"#, status: 422, field: "number"),
            .init(json: #"{"public_key":5,"number":"+15550003"}"#, status: 400, field: "public_key"),
            .init(json: "not json", status: 400, field: nil),
        ]
    }

    @Test("bad enrolments answer problem+json naming the field and store nothing", arguments: try badPeers())
    func badEnrolment(_ bad: BadPeer) async throws {
        let harness = try await APIHarness()
        try await harness.test(secure: try await Self.secure(harness)) { client in
            let reply = try await client.post("/v1/peers", bad.json)
            #expect(Int(reply.status.code) == bad.status)
            let problem = try reply.problem()
            #expect(problem.field == bad.field)
            if bad.status == 422 { #expect(problem.type == Self.invalid) }
            #expect(try await client.get("/v1/peers").decode(PeerPage.self).peers.isEmpty)
        }
    }

    @Test("DELETE /v1/peers/{id} revokes and removes the peer: 204, then 404; the key can be enrolled again")
    func delete() async throws {
        let harness = try await APIHarness()
        let key = try Self.customer(4)
        try await harness.test(secure: try await Self.secure(harness)) { client in
            let id = try await client.post("/v1/peers", #"{"public_key":"\#(key.hex)","number":"+15550003"}"#).decode(PeerResource.self).id
            let deleted = try await client.request(.delete, "/v1/peers/\(id)")
            #expect(deleted.status == .noContent)
            #expect(try await client.get("/v1/peers/\(id)").problem().type == "urn:smskit:problem:not-found")
            #expect(try await client.request(.delete, "/v1/peers/\(id)").status == .notFound)
            // A message for it is refused: the peer is gone.
            let message = try await client.post("/v1/messages", #"{"secure":{"peer":"\#(id)"},"text":"hi"}"#)
            #expect(try message.problem().field == "secure.peer")
            let again = try await client.post("/v1/peers", #"{"public_key":"\#(key.hex)","number":"+15550003"}"#)
            #expect(again.status == .created)
            #expect(try again.decode(PeerResource.self).id != id)
        }
    }

    @Test("POST /v1/messages with secure: 202 queued for sealing, to the peer's number, listed; frames and bad fields refused")
    func secureMessage() async throws {
        let harness = try await APIHarness()
        let key = try Self.customer(5)
        try await harness.test(secure: try await Self.secure(harness)) { client in
            let peer = try await client.post("/v1/peers", #"{"public_key":"\#(key.hex)","number":"+15550003"}"#).decode(PeerResource.self)
            let accepted = try await client.post("/v1/messages", #"{"secure":{"peer":"\#(peer.id)"},"text":"your code is 4711"}"#,
                                                 idempotencyKey: "k1")
            #expect(accepted.status == .accepted)
            let message = try accepted.decode(MessageResource.self)
            #expect(message.status == .queued)
            #expect(message.to == "+15550003")
            #expect(message.secure == SecureMessageInfo(peer: peer.id, state: "pending"))
            #expect(message.text == "your code is 4711")
            // The same Idempotency-Key and body: the first message again.
            let replay = try await client.post("/v1/messages", #"{"secure":{"peer":"\#(peer.id)"},"text":"your code is 4711"}"#,
                                               idempotencyKey: "k1")
            #expect(replay.headers[.idempotentReplayed] == "true")
            #expect(try replay.decode(MessageResource.self).id == message.id)
            let listed = try await client.get("/v1/messages").decode(MessagePage.self).messages
            #expect(listed.map(\.id) == [message.id])

            for (json, field) in [
                (#"{"secure":{"peer":"peer_nope"},"text":"hi"}"#, "secure.peer"),
                (#"{"secure":{"peer":"\#(peer.id)"},"text":"hi","ports":{"dst":1,"src":1}}"#, "ports"),
                (#"{"secure":{"peer":"\#(peer.id)"},"text":"hi","to":"+15550009"}"#, "to"),
                (#"{"secure":{"peer":"\#(peer.id)"},"text":"hi","validity":600}"#, "validity"),
                (#"{"secure":{"peer":"\#(peer.id)"}}"#, "text"),
                (#"{"secure":{"peer":"\#(peer.id)"},"data_hex":"0g"}"#, "data_hex"),
                (#"{"secure":{},"text":"hi"}"#, "secure.peer"),
            ] {
                let reply = try await client.post("/v1/messages", json)
                #expect(reply.status == .unprocessableContent, "\(json)")
                #expect(try reply.problem().field == field, "\(json)")
            }
        }
        #expect(try await harness.messageCount() == 1)
    }

    @Test("the secure inbox is unique on (key, session, sequence): a message the engine reports again after a crash is stored once")
    func inboxIsIdempotent() async throws {
        let harness = try await APIHarness()
        let key = try Self.customer(7).hex
        let record = SecureInboxRecord(peer: nil, publicKey: key, from: "+15550003", modem: "m1", to: "+15550001", text: "pay 10",
                                       dataHex: nil, session: 3, sequence: 1, verified: true, replayProtected: true, customerID: nil)
        let first = try await harness.store.insertSecureInbox(record, now: Date())
        #expect(first?.secure == SecureInboxInfo(peer: nil, publicKey: key, verified: true, replayProtected: true, customerID: nil))
        #expect(try await harness.store.insertSecureInbox(record, now: Date()) == nil)
        var next = record
        next.sequence = 2
        #expect(try await harness.store.insertSecureInbox(next, now: Date()) != nil, "the next message of the session is new")
        #expect(try await harness.store.inbox(after: 0, limit: 10).map(\.text) == ["pay 10", "pay 10"])
    }

    @Test("without --identity the secure endpoints answer 404 secure-not-configured (not served in this mode) and say how to turn it on")
    func notConfigured() async throws {
        let harness = try await APIHarness()
        try await harness.test { client in
            let key = try Self.customer(6).hex
            for reply in [try await client.post("/v1/peers", #"{"public_key":"\#(key)","number":"+15550003"}"#),
                          try await client.get("/v1/peers"), try await client.get("/v1/peers/peer_x"),
                          try await client.request(.delete, "/v1/peers/peer_x"),
                          try await client.post("/v1/messages", #"{"secure":{"peer":"peer_x"},"text":"hi"}"#)] {
                #expect(reply.status == .notFound)
                let problem = try reply.problem()
                #expect(problem.type == "urn:smskit:problem:secure-not-configured")
                #expect(problem.detail.contains("--identity"))
            }
        }
        #expect(try await harness.messageCount() == 0)
    }
}
