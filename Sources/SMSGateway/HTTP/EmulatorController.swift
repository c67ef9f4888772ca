import Hummingbird
import Logging

/// `POST /v1/emulator/phones/send` (emulate mode only; 404 otherwise): a virtual phone sends a text
/// to a gateway modem, which then arrives in the inbox like any received SMS.
struct EmulatorController: Sendable {
    let runtime: any GatewayRuntime
    let configuration: APIConfiguration

    var routes: [APIRoute] {
        [APIRoute(.post, "/v1/emulator/phones/send") { try await phoneSend($0, $1) }]
    }

    /// 202 `{"status": "sent"}` once the virtual network took the message.
    func phoneSend(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        guard runtime.isEmulated else { throw HTTPProblem.notEmulating }
        let body = try await JSONBody.decode(PhoneSendRequest.self, from: request, maxBytes: configuration.maxBodyBytes)
        let from = try SendMessageRequest.normalizeNumber(body.from, field: "from")
        let to = try SendMessageRequest.normalizeNumber(body.to, field: "to")
        guard !body.text.isEmpty else { throw GatewayError.invalidField(field: "text", detail: "must not be empty") }
        try await storeCall { try await runtime.phoneSend(from: from, to: to, text: body.text) }
        context.logger.info("emulated phone sent a message", metadata: ["modem_number": "\(to)"])
        return try APIJSON.response(StatusBody(status: "sent"), status: .accepted)
    }
}
