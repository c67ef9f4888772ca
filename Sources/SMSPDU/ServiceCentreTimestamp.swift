import Foundation

/// A TP-SCTS / TP-DT / absolute TP-VP time stamp (TS 23.040 §9.2.3.11): the sender's local date
/// and time plus its offset from UTC in quarter hours (negative west of Greenwich).
///
/// ```swift
/// let t = ServiceCentreTimestamp(year: 2012, month: 3, day: 25, hour: 14, minute: 7, second: 2, offsetQuarterHours: 8)
/// t.iso8601 // "2012-03-25T14:07:02+02:00"
/// ```
public struct ServiceCentreTimestamp: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Full year; the PDU holds two digits, read as 20YY.
    public var year: Int
    /// Month, 1–12.
    public var month: Int
    /// Day of the month, 1–31.
    public var day: Int
    /// Hour, 0–23, sender's local time.
    public var hour: Int
    /// Minute, 0–59.
    public var minute: Int
    /// Second, 0–59.
    public var second: Int
    /// Offset from UTC in quarter hours (−79…79).
    public var offsetQuarterHours: Int

    /// Creates a time stamp from local fields and the offset in quarter hours.
    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offsetQuarterHours: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.offsetQuarterHours = offsetQuarterHours
    }

    /// Creates the time stamp of `date` as seen at `offsetQuarterHours` from UTC.
    public init(date: Date, offsetQuarterHours: Int = 0) {
        var calendar = Calendar(identifier: .gregorian)
        let seconds = Int(min(offsetQuarterHours.magnitude, 79)) * 900 * (offsetQuarterHours < 0 ? -1 : 1)
        calendar.timeZone = TimeZone(secondsFromGMT: seconds) ?? TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        self.init(year: c.year ?? 2000, month: c.month ?? 1, day: c.day ?? 1, hour: c.hour ?? 0,
                  minute: c.minute ?? 0, second: c.second ?? 0, offsetQuarterHours: offsetQuarterHours)
    }

    /// Parses ISO 8601 `YYYY-MM-DDTHH:MM:SS±HH:MM` (or `Z`); the offset must be whole quarter hours.
    public init(iso8601 string: String) throws(PDUError) {
        let bad = PDUError.invalidArgument("invalid time \(String(reflecting: string)): expected YYYY-MM-DDTHH:MM:SS+HH:MM")
        let u = Array(string.utf8)
        guard u.count == 20 || u.count == 25 else { throw bad }
        func num(_ r: Range<Int>) throws(PDUError) -> Int {
            var v = 0
            for i in r {
                guard u[i] >= 0x30, u[i] <= 0x39 else { throw bad }
                v = v * 10 + Int(u[i] - 0x30)
            }
            return v
        }
        guard u[4] == 0x2D, u[7] == 0x2D, u[10] == 0x54 || u[10] == 0x20, u[13] == 0x3A, u[16] == 0x3A else { throw bad }
        var offset = 0
        if u.count == 20 {
            guard u[19] == 0x5A else { throw bad }
        } else {
            guard u[19] == 0x2B || u[19] == 0x2D, u[22] == 0x3A else { throw bad }
            let minutes = try num(20..<22) * 60 + (try num(23..<25))
            guard minutes % 15 == 0, minutes / 15 <= 79 else { throw bad }
            offset = (u[19] == 0x2D ? -1 : 1) * minutes / 15
        }
        self.init(year: try num(0..<4), month: try num(5..<7), day: try num(8..<10), hour: try num(11..<13),
                  minute: try num(14..<16), second: try num(17..<19), offsetQuarterHours: offset)
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { throw bad }
        guard (2000...2099).contains(year) else {
            throw .invalidArgument("time \(String(reflecting: string)) is outside 2000–2099: an SMS time stamp holds a two-digit year (TS 23.040 §9.2.3.11)")
        }
    }

    /// ISO 8601 with the sender's local time and offset, e.g. `2011-02-28T11:50:50-05:00`.
    public var iso8601: String {
        func two(_ v: Int) -> String { v < 10 && v >= 0 ? "0\(v)" : "\(v)" }
        let minutes = Int(min(offsetQuarterHours.magnitude, 99)) * 15
        let sign = offsetQuarterHours < 0 ? "-" : "+"
        return "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))\(sign)\(two(minutes / 60)):\(two(minutes % 60))"
    }

    /// The instant, when the fields form a valid date.
    public var date: Date? {
        var calendar = Calendar(identifier: .gregorian)
        guard offsetQuarterHours.magnitude <= 79,
              let tz = TimeZone(secondsFromGMT: offsetQuarterHours * 900) else { return nil }
        calendar.timeZone = tz
        let c = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard c.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: c)
    }

    /// The ISO 8601 form.
    public var description: String { iso8601 }

    /// Decodes the 7 semi-octet-swapped BCD octets.
    static func decode(_ reader: inout ByteReader, field: PDUField) throws(PDUError) -> ServiceCentreTimestamp {
        let start = reader.offset
        let octets = try reader.read(7, field)
        func digits(_ i: Int) throws(PDUError) -> Int {
            let b = octets[octets.startIndex + i]
            let lo = Int(b & 0x0F), hi = Int(b >> 4)
            guard lo <= 9, hi <= 9 else { throw .invalidValue(field: field, offset: start + i, value: Int(b)) }
            return lo * 10 + hi
        }
        let tzOctet = octets[octets.startIndex + 6]
        let lo = Int(tzOctet & 0x07), hi = Int(tzOctet >> 4)
        guard hi <= 9 else { throw .invalidValue(field: field, offset: start + 6, value: Int(tzOctet)) }
        let quarters = lo * 10 + hi
        return ServiceCentreTimestamp(year: 2000 + (try digits(0)), month: try digits(1), day: try digits(2),
                                      hour: try digits(3), minute: try digits(4), second: try digits(5),
                                      offsetQuarterHours: tzOctet & 0x08 != 0 ? -quarters : quarters)
    }

    /// Encodes as 7 semi-octet-swapped BCD octets.
    func encode(field: PDUField) throws(PDUError) -> [UInt8] {
        func bcd(_ v: Int) throws(PDUError) -> UInt8 {
            guard (0...99).contains(v) else { throw .valueTooLarge(field: field, value: v, maximum: 99) }
            return UInt8(v % 10) << 4 | UInt8(v / 10)
        }
        guard (2000...2099).contains(year) else { throw .valueTooLarge(field: field, value: year, maximum: 2099) }
        guard offsetQuarterHours.magnitude <= 79 else { throw .valueTooLarge(field: field, value: Int(clamping: offsetQuarterHours.magnitude), maximum: 79) }
        var tz = try bcd(Int(offsetQuarterHours.magnitude))
        if offsetQuarterHours < 0 { tz |= 0x08 }
        return [try bcd(year - 2000), try bcd(month), try bcd(day), try bcd(hour), try bcd(minute), try bcd(second), tz]
    }
}
