import Foundation
import ModemEmulator
import SMSPDU

/// The JSON lines `smskit emulator` prints (keys are written sorted and in snake_case; see docs/emulator.md).
enum EmulatorLines {
    /// A modem's port, once it can be opened: `{"link":…,"number":…,"port":…}` (`link` with `--link-dir`).
    struct Port: Encodable {
        var number: String
        var port: String
        var link: String?
    }

    /// A part delivered to a phone:
    /// `{"duplicate":false,"event":"phone.part","from":…,"ref":R,"seq":1,"submission":N,"to":…,"total":2}`
    /// (`ref` only for concatenated parts).
    struct PhonePart: Encodable {
        var event = "phone.part"
        var to: String
        var from: String
        var submission: UInt64
        var seq: Int
        var total: Int
        var ref: UInt16?
        var duplicate: Bool

        init(_ delivery: PhoneDelivery) {
            to = delivery.to
            from = delivery.from
            submission = delivery.submission
            seq = delivery.part?.sequence ?? 1
            total = delivery.part?.total ?? 1
            ref = delivery.part?.reference
            duplicate = delivery.duplicate
        }
    }

    /// A message completed at a phone:
    /// `{"event":"phone.message","from":…,"parts":2,"submissions":[…],"text":…,"to":…}` (`data_hex` for data).
    struct PhoneMessageLine: Encodable {
        var event = "phone.message"
        var to: String
        var from: String
        var text: String?
        var dataHex: String?
        var parts: Int
        var submissions: [UInt64]

        init(_ message: PhoneMessage) {
            to = message.to
            from = message.from
            switch message.content {
            case .text(let body): text = body
            case .data(let bytes): dataHex = Hex.encode(bytes)
            }
            parts = message.totalParts
            submissions = message.submissions
        }
    }

    /// A command's success: `{"cmd":…,"event":"ok",…}` with what the command did.
    struct OK: Encodable {
        var event = "ok"
        var cmd: String
        var id: ControlID?
        var from: String?
        var to: String?
        var number: String?
        var port: String?
        var spec: String?
        var parts: Int?
        var submissions: [UInt64]?
    }

    /// A command's failure (or an unreadable line): `{"cmd":…,"event":"error","message":…}`.
    struct Failure: Encodable {
        var event = "error"
        var cmd: String?
        var id: ControlID?
        var message: String
    }

    /// The answer to `stats`.
    struct Stats: Encodable {
        var event = "stats"
        var id: ControlID?
        var phones: PhoneTotals
        var modems: [ModemStats]
        var network: NetworkStats
    }

    /// All phones' counts added up.
    struct PhoneTotals: Encodable {
        var count: Int
        var receivedParts: Int
        var messages: Int
        var duplicates: Int
        var incomplete: Int
        var sentMessages: Int
        var sentParts: Int
    }

    /// One modem in `stats`.
    struct ModemStats: Encodable {
        var number: String
        var plugged: Bool
        var port: String?
        /// Messages this modem submitted.
        var sent: Int
        /// Messages waiting at the SMSC for this modem.
        var queued: Int
        /// SIM, modem and status-report memory.
        var storage: Storage
    }

    /// The memories of one modem (`sm`, `me`, `sr`).
    struct Storage: Encodable {
        var sm: Usage
        var me: Usage
        var sr: Usage
    }

    /// Used and total slots of one memory.
    struct Usage: Encodable {
        var used: Int
        var capacity: Int
    }

    /// The SMSC's totals in `stats`.
    struct NetworkStats: Encodable {
        var submissions: UInt64
        var rejected: Int
        /// Dropped by the SMSC (the loss fault): accepted, never delivered, no status report.
        var lost: Int
    }
}

/// A command's optional `id`, echoed in its answer: a string or an integer.
enum ControlID: Codable, Sendable {
    case string(String)
    case integer(Int64)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .integer(let number): try container.encode(number)
        }
    }
}
