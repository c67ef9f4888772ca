import Foundation

/// One decoded SMS-STATUS-REPORT, reduced to what delivery tracking needs.
struct ReceivedStatusReport: Sendable, Equatable {
    var reference: Int
    var recipient: String
    var status: Int
    var dischargeTime: Date? = nil
}
