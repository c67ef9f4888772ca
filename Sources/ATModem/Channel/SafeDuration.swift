/// Safe conversions between user-given times and `Duration`, so no value can trap.
///
/// Swift traps when a `Double` that is infinite, NaN or out of range is converted to an integer, and
/// when a `Duration` too large for 64-bit nanoseconds is slept on. Every time the CLI reads (`--timeout`,
/// `--report-timeout`, ...) goes through ``parse(_:option:)``, and every wait of ``Modem`` and
/// ``ATChannel`` goes through ``clamp(_:)``.
///
/// ```swift
/// let d = try SafeDuration.parse("90", option: "--timeout")     // 90 s
/// let m = try SafeDuration.parse("1.5m", option: "--timeout")   // 90 s
/// SafeDuration.clamp(.seconds(Int64.max))                       // SafeDuration.maximum
/// ```
public enum SafeDuration {
    /// The longest wait anything in SMSKit accepts: 366 days.
    public static let maximum: Duration = .seconds(366 * 86_400)
    /// The shortest positive wait: 1 ms.
    public static let minimum: Duration = .milliseconds(1)

    /// Why a time could not be read.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The option (or field) name, e.g. `--timeout`.
        public var option: String
        /// The text given.
        public var text: String
        /// What is wrong.
        public var reason: String

        public var description: String { "\(option) \(text.debugDescription): \(reason)" }
    }

    /// Clamps `duration` to ``minimum`` … ``maximum``.
    public static func clamp(_ duration: Duration) -> Duration {
        min(max(duration, minimum), maximum)
    }

    /// Reads a positive time: a number of seconds (`90`, `0.5`, `1e3`) or a number with a unit
    /// (`500ms`, `90s`, `2m`, `1h`, `1d`). Rejects zero, negatives, `inf`, `nan` and anything over
    /// ``maximum`` with an error naming the option; never traps.
    public static func parse(_ text: String, option: String) throws(ParseError) -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        var number = trimmed
        var factor = 1.0
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let head = String(trimmed.dropLast(unit.suffix.count))
            // "1e3s" ends in "s", "5ms" in "ms": take the longest suffix that leaves a number.
            if Double(head) != nil { number = head; factor = unit.seconds; break }
        }
        guard let value = Double(number) else {
            throw ParseError(option: option, text: text, reason: "not a time; give seconds (90, 0.5) or a unit (500ms, 2m, 1h)")
        }
        return try seconds(value * factor, option: option, text: text)
    }

    /// Checks a number of seconds and converts it; the same rules as ``parse(_:option:)``.
    public static func seconds(_ value: Double, option: String, text: String? = nil) throws(ParseError) -> Duration {
        let shown = text ?? "\(value)"
        guard value.isFinite else { throw ParseError(option: option, text: shown, reason: "must be a finite number of seconds") }
        guard value > 0 else { throw ParseError(option: option, text: shown, reason: "must be positive") }
        let limit = Double(maximum.components.seconds)
        guard value <= limit else {
            throw ParseError(option: option, text: shown, reason: "at most \(Int(limit)) s (366 days)")
        }
        let milliseconds = (value * 1000).rounded(.up)
        return .milliseconds(Int64(milliseconds))
    }

    /// `duration` in seconds as a `Double` (for APIs that take seconds).
    public static func secondsValue(_ duration: Duration) -> Double {
        let c = duration.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

import Foundation
