import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Minimal JSON POST for the CLI's client commands (`smskit gateway phone send`).
enum HTTPCall {
    static func post(_ url: String, token: String, body: Data) async throws -> (Int, Data) {
        guard let u = URL(string: url) else { throw ValidationError("not a URL: \(url)") }
        var request = URLRequest(url: u)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}
