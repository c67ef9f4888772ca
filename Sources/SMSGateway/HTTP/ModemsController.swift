import Hummingbird

/// `GET /v1/modems`: every modem with live health, from the runtime.
struct ModemsController: Sendable {
    let runtime: any GatewayRuntime

    var routes: [APIRoute] {
        [APIRoute(.get, "/v1/modems") { _, _ in try APIJSON.response(ModemList(modems: await runtime.modems())) }]
    }
}
