import Foundation
import SMSPDU
@testable import SMSGateway

/// A fresh SQLite store in its own temp directory.
func makeStore(_ name: String = #function) throws -> (SQLiteStore, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smskit-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("gateway.sqlite").path
    return (try SQLiteStore(path: path), path)
}

func newMessage(to: String = "+15550100", text: String = "hello", from: String? = nil, report: Bool = true,
                guarantee: DeliveryGuarantee? = nil, priority: Int? = nil, validity: Int? = nil,
                sendAt: Date? = nil) throws -> NewMessage {
    try SendMessageRequest(to: to, text: text, from: from, report: report, validity: validity, sendAt: sendAt,
                           priority: priority, guarantee: guarantee).validate(limits: .init())
}

/// SMS-DELIVER TPDUs (hex, no SMSC field) for `text` from `sender`, with an 8-bit concat reference.
func deliverTPDUs(_ text: String, from sender: String, reference: UInt8, second: Int = 0) throws -> [String] {
    let plan = try SegmentPlanner.plan(text: text, options: SegmentationOptions(reference: .eightBit(reference)))
    let scts = ServiceCentreTimestamp(year: 2026, month: 12, day: 2, hour: 4, minute: 0, second: second, offsetQuarterHours: 0)
    return try plan.submitPDUs(to: try Address("+15550001")).map { submit in
        let deliver = DeliverPDU(submit: submit, originator: try Address(sender), serviceCentreTimestamp: scts)
        return Hex.encode(try PDU(smsc: nil, tpdu: .deliver(deliver)).encode(includeSMSC: false).1)
    }
}

func inboundRecord(_ tpdu: String, modem: String = "modem-a", sender: String, reference: Int?, total: Int,
                   sequence: Int) -> InboundPartRecord {
    InboundPartRecord(modem: modem, modemNumber: "+15550001", sender: sender, tpduHex: tpdu, reference: reference,
                      total: total, sequence: sequence, timestamp: nil)
}
