import Foundation
import SMSKitTestSupport
import Testing
@testable import SMSGateway

/// Kannel's interface driven as an application drives it: `curl` against the real gateway binary
/// (`--emulate`), with `dlr-url` callbacks and `get-url` forwarding to a local receiver, on SQLite
/// and on PostgreSQL.
@Suite("Kannel sendsms: curl against the real gateway", .serialized, .enabled(if: haveBinary))
struct KannelEndToEndTests {
    /// `?a=b&c=d` of a receiver request.
    static func query(_ uri: String) -> [String: String] {
        var out: [String: String] = [:]
        for item in URLComponents(string: "http://x" + uri)?.queryItems ?? [] { out[item.name] = item.value ?? "" }
        return out
    }

    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }

    /// On each backend: SQLite in the data dir, and PostgreSQL (its own schema) when a server is configured.
    @Test(.timeLimit(.minutes(3)), arguments: storeBackends)
    func sendsmsDeliveryReportsAndInboundForwarding(backend: StoreBackend) async throws {
        let receiver = HookReceiver()
        try await receiver.start()
        let config = """
            webhooks: { timeout: 2, backoff_base: 0.2, backoff_cap: 1 }
            kannel:
              users: [{ username: legacy, password: "legacy-pass-1" }]
              services:
                - { name: default, get_url: "\(receiver.url)/mo?from=%p&to=%P&text=%a&kw=%k&smsc=%i&id=%I&t=%T" }
            """
        var extra: [String] = []
        if backend.kind == .postgres, let url = postgresTestURL {
            let schema = "k_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
            extra = ["--database", url + (url.contains("?") ? "&" : "?") + "schema=\(schema)", "--node", schema]
        }
        let gateway = try await EmulatedGateway(name: "kannel-e2e", modems: 2, config: config, extra: extra)
        try await gateway.start()
        let http = await gateway.client
        let base = http.url + "/cgi-bin/sendsms"
        let token = http.token

        // A three-part message with every report value asked for.
        let long = String(repeating: "Kannel apps split nothing. ", count: 12)
        let dlr = "\(receiver.url)/dlr?id=long&status=%d&to=%p&from=%P&smsc=%i&msg=%I&ts=%T&reply=%A"
        let get = try await curl(["\(base)?username=app&password=\(token)&to=%2B1999000001"
                                  + "&from=%2B15550001&text=\(Self.encode(long))&dlr-mask=31&dlr-url=\(Self.encode(dlr))"])
        #expect(get == "0: Accepted for delivery\n202")

        // POST text/plain with X-Kannel headers, a configured Kannel user, one part.
        let post = try await curl(["-X", "POST", "-H", "Content-Type: text/plain",
                                   "-H", "X-Kannel-Username: legacy", "-H", "X-Kannel-Password: legacy-pass-1",
                                   "-H", "X-Kannel-To: +1999000002", "-H", "X-Kannel-DLR-Mask: 3",
                                   "-H", "X-Kannel-DLR-URL: \(receiver.url)/dlr?id=post&status=%d",
                                   "--data-binary", "posted text", base])
        #expect(post == "0: Accepted for delivery\n202")

        // POST as a form (what many scripts send).
        let form = try await curl(["--data", "user=app&pass=\(token)&to=%2B1999000003&text=form+text", base])
        #expect(form == "0: Accepted for delivery\n202")

        // Kannel's refusals.
        #expect(try await curl(["\(base)?username=app&password=wrong&to=%2B1999000001&text=x"])
                == "Authorization failed for sendsms\n403")
        #expect(try await curl(["\(base)?username=other&password=\(token)&to=%2B1999000001&text=x"])
                == "Authorization failed for sendsms\n403")
        #expect(try await curl(["\(base)?username=app&password=\(token)&text=x"])
                == "Missing receiver number, rejected\n400")
        #expect(try await curl(["\(base)?username=app&password=\(token)&to=%2B1999000001&text=x&dlr-mask=99"])
                == "DLR-Mask field misformed, rejected\n400")
        #expect(try await curl(["\(base)?username=app&password=\(token)&to=%2B1999000001&text=x&smsc=nope"])
                == "Not routable. Do not try again.\n403")
        #expect(try await curl(["-X", "POST", "-H", "Content-Type: image/png", "--data-binary", "x", base])
                == "Invalid content-type\n400")

        // The three-part message: 8 once, then exactly one final report, 1 (delivered).
        let longDone = await receiver.wait(timeout: .seconds(60)) { all in
            all.contains { $0.uri.hasPrefix("/dlr?id=long") && Self.query($0.uri)["status"] == "1" }
        }
        #expect(longDone)
        let postDone = await receiver.wait(timeout: .seconds(60)) { all in
            all.contains { $0.uri.hasPrefix("/dlr?id=post") && Self.query($0.uri)["status"] == "1" }
        }
        #expect(postDone)
        let messages = try await http.allMessages()
        let longMessage = try #require(messages.first { $0["segments"] as? Int == 3 })
        #expect(longMessage["status"] as? String == "delivered")
        #expect(messages.count == 3)

        // Callbacks are delivered at least once: a fetch answered after the 2 s timeout on a busy machine
        // is tried again with the same event id. Count each event once.
        func once(_ prefix: String) -> [[String: String]] {
            var seen = Set<String>()
            return receiver.received.filter { $0.uri.hasPrefix(prefix) }
                .filter { seen.insert($0.headers["smskit-event-id"] ?? $0.uri + "#\(seen.count)").inserted }
                .map { Self.query($0.uri) }
        }
        let longReports = once("/dlr?id=long")
        #expect(longReports.map { $0["status"] ?? "" } == ["8", "1"])
        let final = try #require(longReports.last)
        #expect(final["to"] == "+1999000001" && final["from"] == "+15550001" && final["msg"] == longMessage["id"] as? String)
        #expect(final["smsc"] == longMessage["modem"] as? String && final["reply"]?.contains("stat:DELIVRD") == true)
        #expect(abs((Double(final["ts"] ?? "") ?? 0) - Date().timeIntervalSince1970) < 120)
        // dlr-mask 3 on the POSTed message: no 8, one final.
        #expect(once("/dlr?id=post").map { $0["status"] ?? "" } == ["1"])

        // Inbound forwarding with Kannel's escapes.
        let sent = try await http.request("POST", "/v1/emulator/phones/send", json: ["from": "+1999000009", "to": "+15550001", "text": "STATUS please now"])
        #expect(sent.status == 202)
        let moArrived = await receiver.wait(timeout: .seconds(30)) { $0.contains { $0.uri.hasPrefix("/mo?") } }
        #expect(moArrived)
        let mo = try #require(receiver.received.first { $0.uri.hasPrefix("/mo?") })
        let fields = Self.query(mo.uri)
        #expect(mo.method == "GET")
        #expect(fields["from"] == "+1999000009" && fields["to"] == "+15550001" && fields["text"] == "STATUS+please+now")
        #expect(fields["kw"] == "STATUS" && fields["id"]?.hasPrefix("in_") == true && fields["smsc"]?.isEmpty == false)
        #expect(mo.uri.contains("text=STATUS+please+now"))

        // status_callback: every change of one message, signed with the callback secret.
        let key = try await http.request("GET", "/v1/callbacks/secret")
        let secret = Array(try #require(key.json["secret"] as? String).utf8)
        let cb = try await http.request("POST", "/v1/messages", json: ["to": "+1999000004", "text": "with callback",
                                                                       "status_callback": receiver.url + "/cb"])
        #expect(cb.status == 202)
        let cbID = try #require(cb.json["id"] as? String)
        let refused = try await http.request("POST", "/v1/messages", json: ["to": "+1999000004", "text": "x", "status_callback": "file:///etc"])
        #expect(refused.status == 422 && refused.json["field"] as? String == "status_callback")
        let delivered = await receiver.wait(timeout: .seconds(60)) { all in
            all.contains { $0.uri == "/cb" && String(decoding: $0.body, as: UTF8.self).contains(#""status":"delivered""#) }
        }
        #expect(delivered)
        let callbacks = receiver.received.filter { $0.uri == "/cb" }
        #expect(callbacks.allSatisfy { WebhookSignature.verify(header: $0.headers["smskit-signature"] ?? "", body: $0.body, secret: secret) })
        let statuses = callbacks.compactMap { r -> String? in
            let obj = (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any]
            let data = obj?["data"] as? [String: Any]
            #expect(data?["id"] as? String == cbID && obj?["type"] as? String == "message.status")
            return data?["status"] as? String
        }
        // `sent` is skipped when the reports come before the attempt ends (the emulator is that fast).
        #expect(statuses.first == "queued" && statuses.last == "delivered" && statuses.contains("sending"))

        await gateway.shutdown()
        await receiver.stop()
    }
}
