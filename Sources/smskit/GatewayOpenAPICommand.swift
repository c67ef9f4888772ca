import ArgumentParser
import SMSGateway

/// `smskit gateway openapi`: prints the API's OpenAPI 3.1 document (what `GET /openapi.json` serves);
/// `smskit gateway openapi > docs/openapi.json` refreshes the repository's copy.
struct GatewayOpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the HTTP API's OpenAPI 3.1 document (JSON) and exit.")

    func run() throws {
        print(OpenAPIDocument.json)
    }
}
