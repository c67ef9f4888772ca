import Foundation
import SMSPDU

/// Builds the PDU lines a modem prints, for scripted tests.
enum PDUFactory {
    static let smsc = "07919730071111F1"

    /// SMS-DELIVER lines (SMSC field + TPDU, hex) for `text` from `sender`, split like a real sender.
    static func deliver(text: String, from sender: String, reference: UInt8 = 7, second: Int = 0) throws -> [String] {
        let plan = try SegmentPlanner.plan(text: text, options: SegmentationOptions(reference: .eightBit(reference)))
        return try plan.segments.map { ud in
            let d = DeliverPDU(originator: try Address(sender), dataCodingScheme: plan.dataCodingScheme,
                               serviceCentreTimestamp: ServiceCentreTimestamp(year: 2026, month: 11, day: 23, hour: 14,
                                                                              minute: 0, second: second, offsetQuarterHours: 4),
                               userData: ud)
            return try PDU(smsc: try Address("+79031711111"), tpdu: .deliver(d)).hex()
        }
    }

    /// An SMS-STATUS-REPORT line for `reference` to `recipient` with TP-ST `status`.
    static func statusReport(reference: UInt8, recipient: String, status: UInt8) throws -> String {
        let ts = ServiceCentreTimestamp(year: 2026, month: 11, day: 23, hour: 14, minute: 0, second: 1, offsetQuarterHours: 4)
        let r = StatusReportPDU(messageReference: reference, recipient: try Address(recipient), serviceCentreTimestamp: ts,
                                dischargeTime: ts, status: status)
        return try PDU(smsc: nil, tpdu: .statusReport(r)).hex()
    }

    /// TPDU length of a PDU line (what `+CMT: ,<len>` prints).
    static func tpduLength(_ hex: String) -> Int {
        let smscLength = Int(hex.prefix(2), radix: 16) ?? 0
        return hex.count / 2 - 1 - smscLength
    }
}

/// A modem SIM store for scripted tests: `+CMGR`, `+CMGL`, `+CMGD` over slots.
final class FakeStore: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Int: String] = [:]
    private var nextIndex = 1

    /// Stores a PDU and returns its index.
    func store(_ pdu: String) -> Int {
        lock.withLock {
            let i = nextIndex
            nextIndex += 1
            slots[i] = pdu
            return i
        }
    }

    var indices: [Int] { lock.withLock { slots.keys.sorted() } }

    /// Answers storage commands; nil for others.
    func answer(_ c: String) -> String? {
        lock.withLock {
            if let i = c.hasPrefix("AT+CMGR=") ? Int(c.dropFirst(8)) : nil {
                guard let pdu = slots[i] else { return "\r\n+CMS ERROR: 321\r\n" }
                return "\r\n+CMGR: 0,,\(PDUFactory.tpduLength(pdu))\r\n\(pdu)\r\n\r\nOK\r\n"
            }
            if let i = c.hasPrefix("AT+CMGD=") ? Int(c.dropFirst(8)) : nil {
                return slots.removeValue(forKey: i) == nil ? "\r\n+CMS ERROR: 321\r\n" : "\r\nOK\r\n"
            }
            if c == "AT+CMGL=4" {
                let lines = slots.sorted { $0.key < $1.key }.map { "+CMGL: \($0.key),0,,\(PDUFactory.tpduLength($0.value))\r\n\($0.value)\r\n" }
                return "\r\n" + lines.joined() + "\r\nOK\r\n"
            }
            return nil
        }
    }
}
