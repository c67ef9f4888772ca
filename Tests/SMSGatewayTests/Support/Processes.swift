import Foundation
import SMSKitTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Runs `smskit ARGS` to completion and returns its stdout; a non-zero exit is a failure.
func smskitOutput(_ arguments: [String]) async throws -> String {
    let result = try await runSmskit(arguments)
    guard result.status == 0 else {
        throw TestFailure("smskit \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
    }
    return result.stdout
}

/// A small HTTP client for the gateway API (URLSession), decoding JSON into dictionaries.
struct GatewayHTTP: Sendable {
    var url: String
    var token: String

    struct Reply: @unchecked Sendable {
        var status: Int
        var json: [String: Any]
        var body: Data
        /// Response headers, names in lower case.
        var headers: [String: String] = [:]
    }

    func request(_ method: String, _ path: String, json: Any? = nil, body: Data? = nil, headers: [String: String] = [:],
                 timeout: TimeInterval = 30) async throws -> Reply {
        guard let u = URL(string: url + path) else { throw TestFailure("bad URL \(url + path)") }
        var r = URLRequest(url: u, timeoutInterval: timeout)
        r.httpMethod = method
        if let json {
            r.httpBody = try JSONSerialization.data(withJSONObject: json)
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            r.httpBody = body
        }
        if !token.isEmpty { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: r)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        var headers: [String: String] = [:]
        for (name, value) in (response as? HTTPURLResponse)?.allHeaderFields ?? [:] {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        return Reply(status: status, json: object, body: data, headers: headers)
    }

    /// Every message, paging through `GET /v1/messages`.
    func allMessages(status: String? = nil) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var after: String?
        while true {
            var path = "/v1/messages?limit=500"
            if let status { path += "&status=\(status)" }
            if let after { path += "&after=\(after)" }
            let page = try await request("GET", path)
            let messages = page.json["messages"] as? [[String: Any]] ?? []
            all += messages
            guard messages.count == 500, let last = messages.last?["id"] as? String else { return all }
            after = last
        }
    }

    /// The whole inbox.
    func inbox() async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var after: Int64 = 0
        while true {
            let page = try await request("GET", "/v1/inbox?after=\(after)&limit=500")
            let messages = page.json["messages"] as? [[String: Any]] ?? []
            all += messages
            guard let next = (page.json["next"] as? NSNumber)?.int64Value, !messages.isEmpty else { return all }
            after = next
        }
    }
}

