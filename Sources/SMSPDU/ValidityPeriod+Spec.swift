import Foundation

extension ValidityPeriod {
    /// Parses a human validity spec; `nil` result means "no TP-VP" (`none`).
    ///
    /// Grammar: `none` | `max` (63 weeks) | `<N>m` | `<N>h` | `<N>d` | `<N>w` (relative, rounded up to
    /// the next value TP-VP can express, at least 5 minutes, at most 63 weeks) | an ISO 8601 time
    /// `YYYY-MM-DDTHH:MM:SS±HH:MM` or `…Z` (absolute) | `enhanced:<N>s` (N ≤ 255) |
    /// `enhanced:HH:MM:SS` (enhanced relative formats).
    ///
    /// ```swift
    /// try ValidityPeriod(spec: "12h")   // .relative(143)
    /// try ValidityPeriod(spec: "2026-12-24T18:00:00+01:00")  // .absolute(...)
    /// ```
    public init?(spec: String) throws(PDUError) {
        let s = spec.trimmingCharacters(in: .whitespaces).lowercased()
        let bad = PDUError.invalidArgument(
            "invalid validity \(String(reflecting: spec)): use none, max, 30m, 12h, 7d, 4w, enhanced:90s, enhanced:HH:MM:SS or YYYY-MM-DDTHH:MM:SS+HH:MM")
        if s == "none" { return nil }
        if s == "max" { self = .relative(255); return }
        if s.hasPrefix("enhanced:") {
            let rest = s.dropFirst("enhanced:".count)
            if rest.hasSuffix("s"), let n = UInt8(rest.dropLast()) {
                self = .enhanced(.seconds(n))
                return
            }
            let parts = rest.split(separator: ":").map { Int($0) }
            guard parts.count == 3, let h = parts[0], let m = parts[1], let sec = parts[2],
                  (0...99).contains(h), (0...59).contains(m), (0...59).contains(sec) else { throw bad }
            self = .enhanced(.hms(hours: h, minutes: m, seconds: sec))
            return
        }
        if s.count >= 20, s.contains("t") {
            self = .absolute(try ServiceCentreTimestamp(iso8601: spec.trimmingCharacters(in: .whitespaces).uppercased()))
            return
        }
        guard let unit = s.last, let n = Int(s.dropLast()), n > 0 else { throw bad }
        let seconds: Int
        switch unit {
        case "m": seconds = n.multipliedReportingOverflow(by: 60).partialValue
        case "h": seconds = n.multipliedReportingOverflow(by: 3600).partialValue
        case "d": seconds = n.multipliedReportingOverflow(by: 86_400).partialValue
        case "w": seconds = n.multipliedReportingOverflow(by: 604_800).partialValue
        default: throw bad
        }
        guard n <= 1_000_000, seconds <= 63 * 604_800 else {
            throw .invalidArgument("validity \(String(reflecting: spec)) is longer than the maximum of 63 weeks (use max)")
        }
        self = ValidityPeriod.relative(seconds: seconds)
    }
}
