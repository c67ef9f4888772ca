/// Meanings of TP-PID values (TS 23.040 §9.2.3.9) that change how a phone must treat a message.
///
/// ```swift
/// if ProtocolIdentifier.isShortMessageType0(deliver.protocolIdentifier) { /* acknowledge, do not store or show */ }
/// ```
public enum ProtocolIdentifier {
    /// 0x00: a plain short message (no telematic interworking).
    public static let plain: UInt8 = 0x00
    /// 0x40: Short Message Type 0 ("silent SMS"): acknowledged but neither stored nor shown.
    public static let shortMessageType0: UInt8 = 0x40
    /// 0x5F: Return Call Message.
    public static let returnCallMessage: UInt8 = 0x5F
    /// 0x7D: ME Data download.
    public static let meDataDownload: UInt8 = 0x7D
    /// 0x7F: (U)SIM Data download.
    public static let simDataDownload: UInt8 = 0x7F

    /// Whether `pid` is Short Message Type 0.
    public static func isShortMessageType0(_ pid: UInt8) -> Bool { pid == shortMessageType0 }

    /// The replace type 1–7 of "Replace Short Message Type n" (0x41–0x47): a new message with the
    /// same type and originator replaces the stored one. `nil` for other values.
    public static func replaceType(_ pid: UInt8) -> Int? {
        (0x41...0x47).contains(pid) ? Int(pid - 0x40) : nil
    }

    /// Whether `pid` asks for (U)SIM or ME data download instead of a message for the user.
    public static func isDataDownload(_ pid: UInt8) -> Bool { pid == simDataDownload || pid == meDataDownload }

    /// The telematic device type (bits 0–4) when bit 5 signals telematic interworking
    /// (e.g. 0x02 fax, 0x12 e-mail); `nil` otherwise.
    public static func telematicDevice(_ pid: UInt8) -> UInt8? {
        pid & 0xE0 == 0x20 ? pid & 0x1F : nil
    }
}
