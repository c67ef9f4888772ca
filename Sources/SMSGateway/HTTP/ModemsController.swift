import Hummingbird

/// `GET /v1/modems`: every modem with live health, from the runtime; and the operator's commands
/// `POST /v1/modems/{id}/suspend`, `…/resume`, `…/drain` (``ModemControlAction``), each answering
/// the modem resource as it is now.
struct ModemsController: Sendable {
    let runtime: any GatewayRuntime

    var routes: [APIRoute] {
        [APIRoute(.get, "/v1/modems") { _, _ in try APIJSON.response(ModemList(modems: await runtime.modems())) }]
            + ModemControlAction.allCases.map { action in
                APIRoute(.post, RouterPath("/v1/modems/{id}/\(action.rawValue)")) { _, context in
                    try await control(action, context)
                }
            }
    }

    /// Applies `action` to the modem named in the path: 200 with the modem, 404 when there is none.
    func control(_ action: ModemControlAction, _ context: GatewayRequestContext) async throws -> Response {
        let raw = context.parameters.get("id") ?? ""
        guard (1...128).contains(raw.utf8.count) else { throw GatewayError.notFound(kind: "modem", id: String(raw.prefix(128))) }
        let modem = try await runtime.controlModem(id: raw, action: action)
        return try APIJSON.response(modem)
    }
}
