import Foundation

/// Kannel's delivery report values (`gw/dlr.h`), as `dlr-mask` bits and as `%d`.
///
/// How a message's life maps to them (docs/gateway.md, "Kannel"):
/// - `8` (`DLR_SMSC_SUCCESS`) once, when every part was accepted by the SMSC (`sent`, or before the
///   final value when the reports came before the attempt ended);
/// - `4` (`DLR_BUFFERED`) once, when a status report says the SMSC is still trying;
/// - exactly **one** final value per message, however many parts it has: `1` (`DLR_SUCCESS`) when
///   every part was delivered, `2` (`DLR_FAIL`) when it is `undelivered`, `expired` or `canceled`,
///   or `failed` after it reached the network, `16` (`DLR_SMSC_FAIL`) when it `failed` because the
///   SMSC or modem rejected it.
public enum KannelDLR {
    public static let success = 1
    public static let fail = 2
    public static let buffered = 4
    public static let smscSuccess = 8
    public static let smscFail = 16
    /// The final values: one of them is sent per message, never two.
    public static let finalBits = success | fail | smscFail

    /// The value a message status change stands for (nil: none; `queued`, `sending`, `unknown`…).
    public static func value(for status: MessageStatus, errorCode: String?) -> Int? {
        switch status {
        case .delivered: return success
        case .undelivered, .expired, .canceled: return fail
        case .failed:
            let rejected: Set<String> = ["smsc_rejected", "invalid_recipient", "encoding", "rejected", "retries_exhausted"]
            return rejected.contains(errorCode ?? "") ? smscFail : fail
        case .sent: return smscSuccess
        case .scheduled, .queued, .sending, .unknown: return nil
        }
    }

    /// The report's text (`%A`), in the style of SMPP receipts Kannel passes on.
    public static func replyText(value: Int, messageID: String, errorDetail: String?) -> String {
        switch value {
        case success: return "id:\(messageID) stat:DELIVRD err:000"
        case fail: return "id:\(messageID) stat:UNDELIV err:\(errorDetail.map { String($0.prefix(60)) } ?? "000")"
        case buffered: return "id:\(messageID) stat:ENROUTE err:000"
        case smscSuccess: return "ACK/"
        case smscFail: return "NACK/\(errorDetail.map { String($0.prefix(60)) } ?? "")"
        default: return ""
        }
    }
}

extension KannelDLR {
    /// One `dlr-url` fetch for `value`: the URL with Kannel's escapes expanded from the message and
    /// the sendsms request's stored context (JSON), and its outbox event id (`…-8` for the SMSC's
    /// acceptance, so it never collides with the final report's). Both stores write it the same way.
    static func fetch(value: Int, pattern: String, contextJSON: String, resource: MessageResource, eventID: String,
                      now: Date) -> (url: String, eventID: String) {
        let context = (try? JSONDecoder().decode([String: String].self, from: Data(contextJSON.utf8))) ?? [:]
        var v = KannelEscapeValues()
        v.text = Array(replyText(value: value, messageID: resource.id, errorDetail: resource.error?.detail).utf8)
        v.phone = resource.to
        v.gateway = context["from"] ?? resource.from ?? ""
        v.time = now
        v.smscID = resource.modem ?? context["smsc"]
        v.messageID = resource.id
        v.dlr = value
        v.dlrURL = pattern
        v.foreignID = resource.parts.last(where: { $0.reference != nil })?.reference.map { "\($0)" }
        v.service = context["service"]
        v.coding = context["coding"].flatMap { Int($0) } ?? 0
        v.charset = context["charset"]
        v.mclass = context["mclass"].flatMap { Int($0) } ?? -1
        v.account = context["account"]
        v.billing = context["binfo"]
        v.metaData = context["meta-data"]
        return (KannelEscapes.expand(pattern, v), value == smscSuccess ? eventID + "-8" : eventID)
    }
}
