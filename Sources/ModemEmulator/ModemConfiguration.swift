import Foundation

/// How one virtual modem is set up: its number, SIM PIN/PUK and storage capacities.
///
/// `try await net.addModem(ModemConfiguration(number: "+15550001", pin: "1234"))`
public struct ModemConfiguration: Sendable {
    /// The subscriber number (international, e.g. `+15550001`); other modems send to it.
    public var number: String
    /// The SIM PIN asked at power-on; nil for a SIM without PIN lock.
    public var pin: String?
    /// The SIM PUK (default `12345678`).
    public var puk: String = "12345678"
    /// Capacity of SIM storage (`SM`).
    public var simCapacity = 30
    /// Capacity of modem storage (`ME`).
    public var modemCapacity = 50
    /// Capacity of status report storage (`SR`).
    public var statusReportCapacity = 20
    /// A directory in which to keep a symlink `<number>` → the modem's PTY (stable across replugs).
    public var linkDirectory: String?
    /// How many entries ``VirtualModem/transcript``, ``VirtualModem/sentMessages`` and ``VirtualModem/faultLog``
    /// keep (the newest; default 1,000); nil keeps everything.
    public var logLimit: Int? = 1000

    /// A modem with `number`, optionally PIN-locked.
    public init(number: String, pin: String? = nil, linkDirectory: String? = nil) {
        self.number = number
        self.pin = pin
        self.linkDirectory = linkDirectory
    }

    /// The number normalised to `+digits` / `digits`, or a typed error.
    static func normalize(_ number: String) throws(EmulatorError) -> String {
        let trimmed = number.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.hasPrefix("+") ? trimmed.dropFirst() : Substring(trimmed)
        guard !digits.isEmpty, digits.count <= 20, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidNumber(number)
        }
        return trimmed
    }
}

/// The network registration state a modem reports in `+CREG`/`+CGREG`.
public enum RegistrationStatus: Int, Sendable {
    /// Not registered, not searching.
    case notRegistered = 0
    /// Registered on the home network.
    case home = 1
    /// Not registered, searching.
    case searching = 2
    /// Registration denied.
    case denied = 3
    /// Registered, roaming.
    case roaming = 5
}

/// A message a modem submitted to the network (what `AT+CMGS`/`AT+CMSS` sent).
public struct SentMessage: Sendable, Equatable {
    /// The destination address as written in the PDU (`+15550002`).
    public var destination: String
    /// The message reference (TP-MR) the modem assigned and printed in `+CMGS: <mr>`.
    public var reference: UInt8
    /// The SMS-SUBMIT TPDU as sent (without the SMSC field).
    public var tpdu: [UInt8]
    /// When it was sent, by the network's clock.
    public var date: Date
    /// The id the SMSC gave this submission (the same id a phone reports in ``PhoneDelivery/submission``).
    public var submission: UInt64
}
