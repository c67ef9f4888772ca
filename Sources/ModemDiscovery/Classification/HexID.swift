import Foundation

/// Formatting and parsing of the lowercase hex identifiers udev uses in sysfs.
enum HexID {
    /// Two lowercase hex digits: `byte(2)` is "02".
    static func byte(_ value: UInt8) -> String {
        let digits = String(value, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }

    /// Normalises a sysfs USB ID ("12D1", "12d1\n") to 4 lowercase hex digits; nil when malformed.
    static func usbID(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard trimmed.count == 4, trimmed.allSatisfy(\.isHexDigit) else { return nil }
        return trimmed
    }

    /// Normalises an interface number ("2", "02", "0a") to udev's two hex digits; nil when malformed.
    static func interfaceNumber(_ raw: String?) -> String? {
        guard let raw, let value = UInt8(raw.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16) else { return nil }
        return byte(value)
    }
}
