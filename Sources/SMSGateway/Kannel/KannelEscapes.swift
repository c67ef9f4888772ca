import Foundation

/// The values Kannel's URL escapes stand for, for one message or delivery report
/// (Kannel's `gw/urltrans.c`, `get_pattern`; the user guide's "Parameters (Escape Codes)").
///
/// For a delivery report, `text` is the report's text (Kannel's "SMSC reply"), so `%A`, `%a` and
/// `%b` give it; `phone` is the recipient of the original message, `gateway` its sender.
/// For an inbound message, `phone` is its sender and `gateway` the modem's number.
public struct KannelEscapeValues: Sendable, Equatable {
    /// The message text or report text (bytes, as Kannel keeps them).
    public var text: [UInt8] = []
    /// `%p`/`%q`: the phone's number.
    public var phone: String = ""
    /// `%P`/`%Q`: the gateway-side number.
    public var gateway: String = ""
    /// `%t`/`%T`.
    public var time: Date = Date(timeIntervalSince1970: 0)
    /// `%i`: the smsc-id (the modem id).
    public var smscID: String?
    /// `%I`: the message id.
    public var messageID: String?
    /// `%d`: the delivery report value.
    public var dlr: Int?
    /// `%R`: the dlr-url.
    public var dlrURL: String?
    /// `%F`: the foreign (SMSC) message id: the TP-MR.
    public var foreignID: String?
    /// `%n`: the sendsms-user or service name.
    public var service: String?
    /// `%c`: 0 (7 bit), 1 (8 bit), 2 (UCS-2).
    public var coding: Int = 0
    /// `%C`: the charset; from `coding` when nil.
    public var charset: String?
    /// `%u`: the user data header bytes.
    public var udh: [UInt8] = []
    /// `%m`, `%M`: message class and MWI (Kannel prints -1 when undefined).
    public var mclass: Int = -1
    public var mwi: Int = -1
    /// `%o`, `%B`, `%D`, `%f`: account, billing info, meta-data, SMSC number.
    public var account: String?
    public var billing: String?
    public var metaData: String?
    public var smscNumber: String?
    /// `%v`, `%V`: minutes of validity and deferral left.
    public var validityMinutes: Int?
    public var deferredMinutes: Int?

    public init() {}
}

/// Expands Kannel's `%` escapes in a URL pattern, as `gw/urltrans.c` does: values are URL-encoded
/// with Kannel's rules (space → `+`; letters, digits and `-_.!~*'()` kept; every other byte `%XX`),
/// except `%S` (not encoded, `*` → `~`), `%t` (`YYYY-MM-DD+HH:MM:SS` in UTC) and the numbers.
/// An unknown escape stays as it is; `%%` is a `%`.
public enum KannelEscapes {
    public static func expand(_ pattern: String, _ v: KannelEscapeValues) -> String {
        let p = Array(pattern.utf8)
        let words = v.text.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }).map(Array.init)
        var out: [UInt8] = []
        var nextArg = 1
        var i = 0
        while i < p.count {
            let c = p[i]
            guard c == UInt8(ascii: "%"), i + 1 < p.count else { out.append(c); i += 1; continue }
            let code = p[i + 1]
            i += 2
            switch Character(Unicode.Scalar(code)) {
            case "k": if let w = words.first { out += encode(w) }
            case "s": if nextArg < words.count { out += encode(words[nextArg]); nextArg += 1 }
            case "S":
                if nextArg < words.count { out += words[nextArg].map { $0 == UInt8(ascii: "*") ? UInt8(ascii: "~") : $0 }; nextArg += 1 }
            case "r":
                if nextArg < words.count { out += words[nextArg...].map(encode).joined(separator: [UInt8(ascii: "+")]) }
            case "a": out += words.map(encode).joined(separator: [UInt8(ascii: "+")])
            case "A", "b": out += encode(v.text)
            case "t": out += Array(timeText(v.time).utf8)
            case "T": out += Array("\(Int64(v.time.timeIntervalSince1970))".utf8)
            case "p": out += encode(Array(v.phone.utf8))
            case "P": out += encode(Array(v.gateway.utf8))
            case "q": out += plusForm(v.phone)
            case "Q": out += plusForm(v.gateway)
            case "i": out += encode(Array((v.smscID ?? "").utf8))
            case "I": out += Array((v.messageID ?? "").utf8)
            case "d": out += Array((v.dlr.map { "\($0)" } ?? "-1").utf8)
            case "R": out += encode(Array((v.dlrURL ?? "").utf8))
            case "F": out += encode(Array((v.foreignID ?? "").utf8))
            case "n": out += encode(Array((v.service ?? "").utf8))
            case "c": out += Array("\(v.coding)".utf8)
            case "C": out += Array((v.charset ?? defaultCharset(v.coding)).utf8)
            case "u": out += encode(v.udh)
            case "m": out += Array("\(v.mclass)".utf8)
            case "M": out += Array("\(v.mwi)".utf8)
            case "o": out += encode(Array((v.account ?? "").utf8))
            case "B": out += encode(Array((v.billing ?? "").utf8))
            case "D": out += encode(Array((v.metaData ?? "").utf8))
            case "f": out += encode(Array((v.smscNumber ?? "").utf8))
            case "v": if let m = v.validityMinutes { out += Array("\(m)".utf8) }
            case "V": if let m = v.deferredMinutes { out += Array("\(m)".utf8) }
            case "%": out.append(UInt8(ascii: "%"))
            default: out += [UInt8(ascii: "%"), code]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Kannel's `octstr_url_encode`.
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            if b == 0x20 { out.append(UInt8(ascii: "+")); continue }
            if isSafe(b) { out.append(b); continue }
            out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
        }
        return out
    }

    static func isSafe(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"): return true
        default: return Array("-_.!~*'()".utf8).contains(b)
        }
    }

    /// `%q`/`%Q`: a leading `00` becomes an (encoded) `+`.
    static func plusForm(_ number: String) -> [UInt8] {
        let bytes = Array(number.utf8)
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0") {
            return Array("%2B".utf8) + encode(Array(bytes[2...]))
        }
        return encode(bytes)
    }

    static func timeText(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d+%02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0,
                      c.minute ?? 0, c.second ?? 0)
    }

    static func defaultCharset(_ coding: Int) -> String {
        switch coding {
        case 1: return "8-BIT"
        case 2: return "UTF-16BE"
        default: return "UTF-8"
        }
    }
}
