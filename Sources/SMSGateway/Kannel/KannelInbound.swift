import Foundation
import SMSPDU

/// Kannel `sms-service` forwarding of inbound messages (`get-url`/`post-url`): the escape values
/// and `X-Kannel-*` headers of an inbox message.
enum KannelInbound {
    static func values(_ m: InboxMessage) -> KannelEscapeValues {
        var v = KannelEscapeValues()
        if let text = m.text {
            v.text = Array(text.utf8)
            v.coding = 0
        } else if let hex = m.dataHex {
            v.text = (try? Hex.decode(hex)) ?? []
            v.coding = 1
        }
        v.phone = m.from
        v.gateway = m.to
        v.time = m.receivedAt
        v.smscID = m.modem
        v.messageID = m.id
        v.service = "default"
        if let ports = m.ports {
            v.udh = [0x06, 0x05, 0x04, UInt8(ports.dst >> 8), UInt8(ports.dst & 0xFF), UInt8(ports.src >> 8), UInt8(ports.src & 0xFF)]
        }
        return v
    }

    static func headers(_ m: InboxMessage) -> [String: String] {
        [
            "X-Kannel-From": m.from,
            "X-Kannel-To": m.to,
            "X-Kannel-Time": "\(Int64(m.receivedAt.timeIntervalSince1970))",
            "X-Kannel-SMSC": m.modem,
            "X-Kannel-Coding": m.text != nil ? "0" : "1",
        ]
    }
}
