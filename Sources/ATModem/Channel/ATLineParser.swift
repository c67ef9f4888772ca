/// Helpers for the comma-separated values in AT response lines.
public enum ATLineParser {
    /// Splits `a,"b,c",d` into `["a", "b,c", "d"]`: commas inside quotes kept, quotes removed,
    /// spaces around fields trimmed.
    public static func fields(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quoted = false
        for ch in text {
            if ch == "\"" { quoted.toggle(); continue }
            if ch == ",", !quoted {
                result.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            current.append(ch)
        }
        result.append(current.trimmingCharacters(in: .whitespaces))
        return result
    }

    /// The value after `prefix` (`+CSQ: 17,99` with `+CSQ:` → `17,99`), or nil.
    public static func value(of line: String, prefix: String) -> String? {
        guard line.hasPrefix(prefix) else { return nil }
        return String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
    }

    /// Whether `text` is a non-empty even-length string of hex digits (a PDU line).
    public static func isHex(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count % 2 == 0 && text.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
        }
    }
}

import Foundation
