import Foundation
import SMSKitTestSupport
import SecureSMS
import Testing
@testable import SMSGateway

/// Polls `body` (a read of the gateway's API) until `done` holds or `timeout` passes; the last value.
private func eventually<T>(_ timeout: Duration, _ body: () async throws -> T, until done: (T) -> Bool) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        let value = try await body()
        if done(value) || ContinuousClock.now > deadline { return value }
        try await Task.sleep(for: .milliseconds(200))
    }
}

@Suite("Gateway secure messaging on many hosts: two real gateways with --identity on one PostgreSQL", .serialized)
struct GatewaySecureClusterTests {
    @Test("a peer enrolled on one host, a client's message received by the other, the reply accepted while the engine's host is killed (kill -9): the survivor takes the engine after the lease timeout, the reply is sealed, reaches the client and is delivered; the inbox has the message once on both hosts",
          .enabled(if: haveBinary, "build smskit first: swift build"),
          .enabled(if: postgresTestURL != nil, "SMSKIT_TEST_POSTGRES_URL is not set: scripts/test.sh starts a throwaway PostgreSQL and sets it"),
          .timeLimit(.minutes(5)))
    func failover() async throws {
        let postgres = try #require(postgresTestURL)
        let keys = try SecureKeys("secure-cluster")
        defer { keys.dir.remove() }
        let lease = 2.0
        let (numberA, numberB, clientNumber) = ("+15550101", "+15550102", "+15550103")
        // The client's modem belongs to no host ("client" is never started): the customer's phone.
        let rig = try await ClusterRig(name: "secure-cluster", postgres: postgres,
                                       layout: [("host-a", [numberA]), ("host-b", [numberB]), ("client", [clientNumber])],
                                       leaseTimeout: lease, seed: 41)
        await rig.setExtraArguments(["--identity", keys.bankKey, "--passphrase-file", keys.passphraseFile])
        try await rig.start("host-a")
        try await rig.start("host-b")
        let observer = try await PostgresStore.open(url: rig.database, options: .init(joinCluster: false), logger: quietLogger)
        let holder = try await eventually(.seconds(20), { try await observer.secureEngineHolder() }, until: { ($0?.expiresIn ?? 0) > 0 })
        let engineHost = try #require(holder?.node)
        let otherHost = engineHost == "host-a" ? "host-b" : "host-a"

        // 1. Enrolled through the host that does NOT run the engine: it waits for the engine's host to confirm.
        let enrolled = try await rig.client(otherHost).request("POST", "/v1/peers", json: [
            "public_key": keys.client.publicKey.hex, "number": clientNumber, "customer_id": "cust-9",
        ])
        #expect(enrolled.status == 201, "\(String(decoding: enrolled.body, as: UTF8.self))")
        let peer = try #require(enrolled.json["id"] as? String)
        #expect(try await rig.client(engineHost).request("GET", "/v1/peers/\(peer)").status == 200, "the peer is shared")

        // 2. The client writes to the modem of the host without the engine; exit 0: acknowledged end to end.
        let bankNumber = otherHost == "host-a" ? numberA : numberB
        let sent = try await runSmskit(keys.sendArguments(port: rig.dir.path + "/links/" + clientNumber, to: bankNumber,
                                                          text: "cluster balance please"), limit: .seconds(120))
        #expect(sent.status == 0, "secure send: \(sent.stderr)")
        for host in ["host-a", "host-b"] {
            let entries = try await rig.client(host).inbox().filter { $0["text"] as? String == "cluster balance please" }
            #expect(entries.count == 1, "\(host): \(entries)")
            let info = entries.first?["secure"] as? [String: Any]
            #expect(info?["peer"] as? String == peer && info?["verified"] as? Bool == true, "\(host): \(entries)")
        }

        // 3. kill -9 the engine's host; the reply is accepted by the survivor at once (committed, 202).
        await rig.kill(engineHost)
        let killedAt = ContinuousClock.now
        let reply = try await rig.client(otherHost).request("POST", "/v1/messages", json: ["secure": ["peer": peer], "text": "balance: 7.00 EUR"])
        #expect(reply.status == 202, "\(String(decoding: reply.body, as: UTF8.self))")
        let messageID = try #require(reply.json["id"] as? String)

        // 4. The survivor takes the engine (next epoch) once the lease lapsed, seals the reply; the client gets it.
        let taken = try await eventually(.seconds(30), { try await observer.secureEngineHolder() },
                                         until: { $0?.node == otherHost && ($0?.expiresIn ?? 0) > 0 })
        #expect(taken?.node == otherHost)
        #expect((taken?.epoch ?? 0) > (holder?.epoch ?? 0), "a takeover is a new epoch")
        let failover = Double((ContinuousClock.now - killedAt).components.seconds)
        #expect(failover <= lease * 2 + 10, "the engine moved \(failover) s after the kill (lease \(lease) s)")
        let received = try await clientReceive(port: rig.dir.path + "/links/" + clientNumber, keys: keys)
        #expect(received?.text == "balance: 7.00 EUR")
        let settled = try await eventually(.seconds(60), { try await rig.client(otherHost).request("GET", "/v1/messages/\(messageID)").json },
                                           until: { $0["status"] as? String == "delivered" })
        #expect(settled["status"] as? String == "delivered", "\(settled)")

        // 5. The dead host restarts: the engine stays where it is, and its API serves the same secure state.
        try await rig.start(engineHost)
        let restarted = try await rig.client(engineHost).request("GET", "/v1/messages/\(messageID)")
        #expect(restarted.json["status"] as? String == "delivered")
        #expect(try await rig.client(engineHost).inbox().filter { $0["text"] as? String == "cluster balance please" }.count == 1)
        await observer.close()
        await rig.shutdown()
    }
}
