import Foundation
import SMSPDU

/// Kannel's `/cgi-bin/sendsms` request, parsed from CGI arguments (GET query, form body) or a
/// `text/plain` body with `X-Kannel-*` headers, as `gw/smsbox.c` reads it. Errors carry Kannel's
/// reply texts.
public struct KannelSendSMS: Sendable, Equatable {
    public var username: String?
    public var password: String?
    public var from: String?
    public var to: [String]
    public var text: [UInt8]
    public var charset: String?
    public var coding: Int?
    public var udh: [UInt8]?
    public var mclass: Int?
    public var validity: Int?
    public var deferred: Int?
    public var priority: Int?
    public var dlrMask: Int?
    public var dlrURL: String?
    public var smsc: String?
    public var account: String?
    public var binfo: String?
    public var metaData: String?

    /// A refusal with Kannel's status and text.
    public struct Refusal: Error, Sendable, Equatable {
        public var status: Int
        public var text: String
        public init(_ status: Int, _ text: String) { self.status = status; self.text = text }
        static func field(_ name: String) -> Refusal { Refusal(400, "\(name) field misformed, rejected") }
    }

    /// Parses CGI arguments (names are matched as Kannel does: exact, lower case).
    public init(arguments: [String: [UInt8]]) throws(Refusal) {
        func string(_ names: String...) -> String? {
            for n in names { if let v = arguments[n] { return String(decoding: v, as: UTF8.self) } }
            return nil
        }
        func int(_ names: String..., field: String) throws(Refusal) -> Int? {
            for n in names {
                guard let v = arguments[n] else { continue }
                guard let i = Int(String(decoding: v, as: UTF8.self).trimmingCharacters(in: .whitespaces)) else { throw .field(field) }
                return i
            }
            return nil
        }
        username = string("username", "user")
        password = string("password", "pass")
        from = string("from")
        guard let to = string("to") else { throw Refusal(400, "Missing receiver number, rejected") }
        guard !to.isEmpty else { throw Refusal(400, "Empty receiver number not allowed, rejected") }
        self.to = to.split(separator: " ").map(String.init)
        guard !self.to.isEmpty else { throw Refusal(400, "Empty receiver number not allowed, rejected") }
        text = arguments["text"] ?? []
        charset = string("charset")
        udh = arguments["udh"]
        smsc = string("smsc")
        account = string("account")
        binfo = string("binfo")
        metaData = string("meta-data")
        dlrURL = string("dlr-url", "dlrurl")
        dlrMask = try int("dlr-mask", "dlrmask", field: "DLR-Mask")
        mclass = try int("mclass", field: "MClass")
        coding = try int("coding", field: "Coding")
        validity = try int("validity", field: "Validity")
        deferred = try int("deferred", field: "Deferred")
        priority = try int("priority", field: "Priority")
        try check()
    }

    /// Ranges, as `smsbox_req_handle` checks them.
    func check() throws(Refusal) {
        if let m = dlrMask, !(0...31).contains(m) { throw .field("DLR-Mask") }
        if let m = mclass, !(0...3).contains(m) { throw .field("MClass") }
        if let c = coding, !(0...2).contains(c) { throw .field("Coding") }
        if let v = validity, v < 0 { throw .field("Validity") }
        if let d = deferred, d < 0 { throw .field("Deferred") }
        if let p = priority, !(0...3).contains(p) { throw .field("Priority") }
        if let url = dlrURL, !url.isEmpty {
            do { _ = try Self.validatePattern(url, field: "dlr-url") } catch { throw Refusal(400, "DLR-URL field misformed, rejected") }
        }
        if let udh, !udh.isEmpty {
            guard udh.count <= 140 else { throw Refusal(400, "UDH field is too long, rejected") }
            guard Int(udh[0]) + 1 == udh.count else { throw Refusal(400, "UDH field misformed, rejected") }
        }
    }

    /// Validates a URL pattern that may hold `%` escapes (`%d`, `%p`…): checked with each escape replaced.
    static func validatePattern(_ pattern: String, field: String) throws(GatewayError) -> String {
        var probe = ""
        var escape = false
        for ch in pattern {
            if escape { probe += "0"; escape = false } else if ch == "%" { escape = true } else { probe.append(ch) }
        }
        _ = try WebhookURL.validate(probe, field: field)
        return pattern
    }

    /// The message content: text decoded with `charset` (UTF-8 by default, UTF-16BE for coding 2),
    /// or the raw bytes for coding 1.
    public func content() throws(Refusal) -> (text: String?, data: [UInt8]?) {
        if coding == 1 { return (nil, text) }
        let name = (charset ?? (coding == 2 ? "UTF-16BE" : "UTF-8")).uppercased()
        let encoding: String.Encoding
        switch name {
        case "UTF-8", "UTF8": encoding = .utf8
        case "UTF-16BE", "UCS-2", "UCS2", "UCS-2BE", "UTF-16": encoding = .utf16BigEndian
        case "ISO-8859-1", "LATIN1", "ISO8859-1": encoding = .isoLatin1
        case "WINDOWS-1252", "CP1252": encoding = .windowsCP1252
        case "US-ASCII", "ASCII": encoding = .ascii
        default: throw Refusal(400, "Charset or body misformed, rejected")
        }
        guard let decoded = String(bytes: text, encoding: encoding) else { throw Refusal(400, "Charset or body misformed, rejected") }
        return (decoded, nil)
    }

    /// Application ports from the UDH (IE 5: 16-bit, IE 4: 8-bit); other IEs are ignored.
    public func ports() throws(Refusal) -> Ports? {
        guard let udh, udh.count > 1 else { return nil }
        var i = 1
        var found: Ports?
        while i + 1 < udh.count {
            let iei = udh[i], len = Int(udh[i + 1])
            guard i + 2 + len <= udh.count else { throw Refusal(400, "UDH field misformed, rejected") }
            let value = Array(udh[(i + 2)..<(i + 2 + len)])
            if iei == 0x05, len == 4 {
                found = Ports(dst: Int(value[0]) << 8 | Int(value[1]), src: Int(value[2]) << 8 | Int(value[3]))
            } else if iei == 0x04, len == 2 {
                found = Ports(dst: Int(value[0]), src: Int(value[1]))
            }
            i += 2 + len
        }
        return found
    }

    /// CGI arguments of a query string or form body: `+` is a space, `%XX` a byte; the first value of a name wins.
    public static func arguments(_ query: String) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(decoding: decode(Array(kv[0].utf8)), as: UTF8.self)
            let value = kv.count > 1 ? decode(Array(kv[1].utf8)) : []
            if out[name] == nil { out[name] = value }
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "+") { out.append(0x20); i += 1; continue }
            if b == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo); i += 3; continue
            }
            out.append(b); i += 1
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The CGI arguments `X-Kannel-*` headers stand for (a `text/plain` POST).
    public static let headerArguments: [(header: String, argument: String)] = [
        ("X-Kannel-Username", "username"), ("X-Kannel-Password", "password"), ("X-Kannel-From", "from"),
        ("X-Kannel-To", "to"), ("X-Kannel-SMSC", "smsc"), ("X-Kannel-UDH", "udh"), ("X-Kannel-DLR-URL", "dlr-url"),
        ("X-Kannel-DLR-Mask", "dlr-mask"), ("X-Kannel-Account", "account"), ("X-Kannel-BInfo", "binfo"),
        ("X-Kannel-Coding", "coding"), ("X-Kannel-MClass", "mclass"), ("X-Kannel-Validity", "validity"),
        ("X-Kannel-Deferred", "deferred"), ("X-Kannel-Priority", "priority"), ("X-Kannel-Meta-Data", "meta-data"),
    ]
}
