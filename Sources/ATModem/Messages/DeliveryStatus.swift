import Foundation

/// The state of one part or of a whole message as status reports say (TS 23.040 §9.2.3.15).
public enum DeliveryStatus: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Delivered to the recipient.
    case delivered
    /// The SMSC is still trying (temporary error, TP-ST 0x20–0x3F).
    case pending(status: Int)
    /// Will not be delivered (permanent error, or temporary error after which the SMSC gave up).
    case failed(status: Int)

    /// Classifies a TP-ST value.
    public init(tpStatus st: Int) {
        switch st {
        case 0x00...0x1F: self = .delivered
        case 0x20...0x3F: self = .pending(status: st)
        default: self = .failed(status: st)
        }
    }

    /// Whether no further report is expected.
    public var isFinal: Bool { if case .pending = self { return false } else { return true } }

    /// `delivered`, `pending` or `failed` (the CLI's `"delivery"` value).
    public var name: String {
        switch self {
        case .delivered: return "delivered"
        case .pending: return "pending"
        case .failed: return "failed"
        }
    }

    public var description: String {
        switch self {
        case .delivered: return "delivered"
        case .pending(let s): return "pending (TP-ST 0x\(String(s, radix: 16)))"
        case .failed(let s): return "failed (TP-ST 0x\(String(s, radix: 16)))"
        }
    }
}
