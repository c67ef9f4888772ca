import Foundation
import SMSKitTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SMSGateway

@Suite("HTTP API: modem suspend, resume, drain")
struct APIModemControlTests {
    static let modem = ModemResource(id: "860000000000001", port: "/dev/ttyUSB2", number: "+15550001", registered: true,
                                     state: "ready", healthy: true)

    @Test func suspendResumeAndDrainAnswerTheModem() async throws {
        let runtime = FakeRuntime(modems: [Self.modem])
        let harness = try await APIHarness(runtime: runtime)
        try await harness.test { client in
            for (action, state) in [("suspend", "suspended"), ("resume", "ready"), ("drain", "drained"), ("resume", "ready")] {
                let response = try await client.request(.post, "/v1/modems/\(Self.modem.id)/\(action)")
                #expect(response.status == .ok, "\(action)")
                #expect(response.headers[.contentType] == "application/json")
                let body = try response.decode(ModemResource.self)
                #expect(body.id == Self.modem.id && body.state == state, "\(action)")
            }
            // GET /v1/modems shows the hold.
            _ = try await client.request(.post, "/v1/modems/\(Self.modem.id)/suspend")
            let list = try await client.get("/v1/modems").decode(ModemList.self)
            #expect(list.modems.map(\.state) == ["suspended"])
        }
        let actions = await runtime.controls.map { $0.action }
        #expect(actions == [.suspend, .resume, .drain, .resume, .suspend])
    }

    @Test(arguments: ["suspend", "resume", "drain"])
    func unknownModemIs404Problem(action: String) async throws {
        let runtime = FakeRuntime(modems: [Self.modem])
        let harness = try await APIHarness(runtime: runtime)
        try await harness.test { client in
            let response = try await client.request(.post, "/v1/modems/nope/\(action)")
            #expect(response.status == .notFound)
            let problem = try response.problem()
            #expect(problem.type == "urn:smskit:problem:not-found")
            #expect(problem.instance == "/v1/modems/nope/\(action)")
            #expect(problem.detail.contains("nope"))
        }
        #expect(await runtime.controls.isEmpty)
    }

    @Test func controlNeedsTheBearerToken() async throws {
        let runtime = FakeRuntime(modems: [Self.modem])
        let harness = try await APIHarness(runtime: runtime)
        try await harness.test { client in
            for action in ["suspend", "resume", "drain"] {
                let response = try await client.request(.post, "/v1/modems/\(Self.modem.id)/\(action)", auth: .none)
                #expect(response.status == .unauthorized)
                #expect(try response.problem().type == "urn:smskit:problem:unauthorized")
            }
        }
        #expect(await runtime.controls.isEmpty)
    }

    @Test func otherMethodsAre405WithAllow() async throws {
        let harness = try await APIHarness(runtime: FakeRuntime(modems: [Self.modem]))
        try await harness.test { client in
            let response = try await client.request(.get, "/v1/modems/\(Self.modem.id)/suspend")
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(try response.problem().type == "urn:smskit:problem:method-not-allowed")
        }
    }
}
