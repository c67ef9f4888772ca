import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SMSPDU

/// Kannel's `/cgi-bin/sendsms` (GET, and POST as a form or as `text/plain` with `X-Kannel-*`
/// headers), answered with Kannel's status codes and texts (`gw/smsbox.c`), not problem+json.
/// Authentication is Kannel's: `username`/`password`, where the password is an API token and the
/// username that token's name (or a configured `kannel.users` entry); both compared in constant time.
struct KannelController: Sendable {
    let store: any GatewayStore
    let runtime: any GatewayRuntime
    let integrations: GatewayIntegrations?
    let configuration: APIConfiguration

    var routes: [APIRoute] {
        [
            APIRoute(.get, "/cgi-bin/sendsms", authenticated: false) { try await sendsms($0, $1) },
            APIRoute(.post, "/cgi-bin/sendsms", authenticated: false) { try await sendsms($0, $1) },
        ]
    }

    func sendsms(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        do {
            let ids = try await handle(request, context)
            var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
            if let name = HTTPField.Name("X-SMSKit-Message-Ids") { headers[name] = ids.joined(separator: " ") }
            return Self.reply(202, "0: Accepted for delivery", headers: headers)
        } catch let refusal as KannelSendSMS.Refusal {
            context.logger.info("sendsms refused", metadata: ["status": "\(refusal.status)", "reply": "\(refusal.text)"])
            return Self.reply(refusal.status, refusal.text)
        }
    }

    static func reply(_ status: Int, _ text: String, headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]) -> Response {
        Response(status: HTTPResponse.Status(code: status), headers: headers,
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private func handle(_ request: Request, _ context: GatewayRequestContext) async throws -> [String] {
        guard let integrations else { throw KannelSendSMS.Refusal(503, "Temporal failure, try again later.") }
        var arguments = KannelSendSMS.arguments(request.uri.query ?? "")
        if request.method == .post {
            let body: [UInt8]
            do { body = try await JSONBody.read(request, maxBytes: configuration.maxBodyBytes) } catch {
                throw KannelSendSMS.Refusal(413, "Request body too large, rejected")
            }
            let type = (request.headers[.contentType] ?? "").split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            } ?? ""
            switch type {
            case "application/x-www-form-urlencoded":
                arguments.merge(KannelSendSMS.arguments(String(decoding: body, as: UTF8.self))) { _, body in body }
            case "text/plain", "application/octet-stream":
                for (header, argument) in KannelSendSMS.headerArguments {
                    guard let name = HTTPField.Name(header), let value = request.headers[name] else { continue }
                    let trimmed = value.trimmingCharacters(in: .whitespaces)
                    if argument == "udh" {
                        arguments[argument] = (try? Hex.decode(trimmed)) ?? KannelSendSMS.decode(Array(trimmed.utf8))
                    } else {
                        arguments[argument] = Array(trimmed.utf8)
                    }
                }
                arguments["text"] = body
                if arguments["coding"] == nil { arguments["coding"] = Array((type == "text/plain" ? "0" : "1").utf8) }
                if arguments["charset"] == nil, type == "text/plain",
                   let cs = Self.charset(request.headers[.contentType]) { arguments["charset"] = Array(cs.utf8) }
            default:
                throw KannelSendSMS.Refusal(400, "Invalid content-type")
            }
        }
        let parsed: KannelSendSMS
        do { parsed = try KannelSendSMS(arguments: arguments) } catch let refusal {
            // Kannel authorises before it looks at the fields.
            if !(await authorise(KannelSendSMS.credentials(arguments), integrations)) {
                throw KannelSendSMS.Refusal(403, "Authorization failed for sendsms")
            }
            throw refusal
        }
        guard await authorise((parsed.username, parsed.password), integrations) else {
            throw KannelSendSMS.Refusal(403, "Authorization failed for sendsms")
        }
        var pin: String?
        if let smsc = parsed.smsc, !smsc.isEmpty {
            let modems = await runtime.modems()
            guard modems.contains(where: { $0.id == smsc || $0.number == smsc }) else {
                throw KannelSendSMS.Refusal(403, "Not routable. Do not try again.")
            }
            pin = smsc
        }
        let content = try parsed.content()
        let ports = try parsed.ports()
        let now = configuration.now()
        let mask = parsed.dlrMask ?? 0
        var values: [String: String] = ["service": parsed.username ?? "", "coding": "\(parsed.coding ?? (content.data != nil ? 1 : 0))"]
        values["from"] = parsed.from
        values["smsc"] = parsed.smsc
        values["charset"] = parsed.charset
        values["mclass"] = parsed.mclass.map { "\($0)" }
        values["account"] = parsed.account
        values["binfo"] = parsed.binfo
        values["meta-data"] = parsed.metaData
        let callback = (parsed.dlrURL?.isEmpty == false && mask != 0)
            ? MessageCallback(kind: .kannelDLR, url: parsed.dlrURL ?? "", dlrMask: mask, context: values) : nil
        var messages: [NewMessage] = []
        for to in parsed.to {
            let body = SendMessageRequest(
                to: to, text: content.text, dataHex: content.data.map { Hex.encode($0) }, ports: ports, from: pin,
                report: mask & (KannelDLR.success | KannelDLR.fail | KannelDLR.buffered) != 0,
                validity: parsed.validity.map { max(60, $0 * 60) }, sendAt: parsed.deferred.map { now.addingTimeInterval(Double($0) * 60) },
                priority: parsed.priority, metadata: ["kannel_user": parsed.username ?? ""])
            do {
                var message = try body.validate(limits: configuration.limits, now: now)
                message.callback = callback
                messages.append(message)
            } catch {
                throw KannelSendSMS.Refusal(400, "\(error.description), rejected")
            }
        }
        var ids: [String] = []
        for message in messages {
            do {
                let accepted = try await store.accept(message, idempotency: nil, now: now)
                ids.append(accepted.message.id)
            } catch {
                context.logger.error("sendsms could not store a message", metadata: ["error": "\(error)", "stored": "\(ids.count)"])
                throw KannelSendSMS.Refusal(503, "Temporal failure, try again later.")
            }
        }
        await runtime.messageAccepted()
        context.logger.info("sendsms accepted", metadata: ["messages": "\(ids.joined(separator: ","))"])
        return ids
    }

    /// The `charset` parameter of a Content-Type.
    static func charset(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        for param in contentType.split(separator: ";").dropFirst() {
            let kv = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2, kv[0].lowercased() == "charset" { return kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    /// A configured user (username and password both equal), or an API token whose name is the username.
    private func authorise(_ credentials: (String?, String?), _ integrations: GatewayIntegrations) async -> Bool {
        guard let username = credentials.0, let password = credentials.1, !username.isEmpty, !password.isEmpty else { return false }
        let user = TokenDigest.digest(username), pass = TokenDigest.digest(password)
        var matched = false
        for u in integrations.kannel.users ?? [] {
            // Every entry is compared, so the time does not tell which name exists.
            let nameOK = TokenDigest.equal(TokenDigest.digest(u.username), user)
            let passOK = TokenDigest.equal(TokenDigest.digest(u.password), pass)
            if nameOK && passOK { matched = true }
        }
        if matched { return true }
        guard let record = try? await store.token(digest: pass) else { return false }
        return TokenDigest.equal(TokenDigest.digest(record.name), user)
    }
}

extension KannelSendSMS {
    /// `username|user` and `password|pass` of raw arguments.
    static func credentials(_ arguments: [String: [UInt8]]) -> (String?, String?) {
        let user = (arguments["username"] ?? arguments["user"]).map { String(decoding: $0, as: UTF8.self) }
        let pass = (arguments["password"] ?? arguments["pass"]).map { String(decoding: $0, as: UTF8.self) }
        return (user, pass)
    }
}
